#include "otterd/websocket_bridge.hpp"

#include <spdlog/spdlog.h>

#include <utility>

#include "server/outbound.hpp"
#include "server/session.hpp"

namespace otter::otterd {

namespace {

// The session's view of its connection: net::Connection already has these exact members.
class ConnectionOutbound final : public server::Outbound {
 public:
  explicit ConnectionOutbound(std::shared_ptr<net::Connection> connection) : connection_(std::move(connection)) {}

  void send(std::shared_ptr<const std::string> frame) override { connection_->send(std::move(frame)); }
  void close(std::uint16_t code, std::string reason) override { connection_->close(code, std::move(reason)); }
  void close_now(std::uint16_t code, std::string reason) override {
    connection_->close_now(code, std::move(reason));
  }
  [[nodiscard]] std::size_t outbound_bytes() const noexcept override { return connection_->outbound_bytes(); }

 private:
  std::shared_ptr<net::Connection> connection_;  // a handle: it does not keep the socket alive
};

// Forwards what the connection hears to the session's mailbox.
class SessionHandler final : public net::ConnectionHandler {
 public:
  SessionHandler(core::Runtime& runtime, core::Pid session) : runtime_(runtime), session_(session) {}

  void on_text(std::string text) override { runtime_.send(session_, server::ClientFrame{std::move(text)}); }
  void on_close(const net::CloseReason& reason) override {
    runtime_.send(session_, server::ConnectionClosed{reason.code, reason.reason});
  }

 private:
  core::Runtime& runtime_;
  core::Pid session_;
};

}  // namespace

std::shared_ptr<net::ConnectionHandler> SessionGate::open(const std::shared_ptr<net::Connection>& connection) {
  const std::shared_lock lock(mutex_);
  if (service_ == nullptr) return nullptr;
  const core::StartResult started = service_->start_session(std::make_shared<ConnectionOutbound>(connection));
  if (!started.ok()) {
    spdlog::warn("WebSocket {} from {} refused: {}", connection->id(), connection->remote_endpoint(),
                 started.error() ? started.error()->to_string() : std::string("the session was not started"));
    return nullptr;
  }
  spdlog::debug("WebSocket {} from {}: session {}", connection->id(), connection->remote_endpoint(),
                started.pid().to_string());
  return std::make_shared<SessionHandler>(runtime_, started.pid());
}

void SessionGate::close() {
  const std::unique_lock lock(mutex_);
  service_ = nullptr;
}

net::ConnectionFactory make_session_factory(std::shared_ptr<SessionGate> gate) {
  return [gate = std::move(gate)](std::shared_ptr<net::Connection> connection) { return gate->open(connection); };
}

}  // namespace otter::otterd
