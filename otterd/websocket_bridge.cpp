#include "otterd/websocket_bridge.hpp"

#include <spdlog/spdlog.h>

#include <cstddef>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

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

// Forwards what the connection hears to the session's mailbox. The session starts
// asynchronously (the I/O thread that accepted the connection must not wait for it), and
// clients speak first: frames that arrive before it is up wait here, in order.
class SessionHandler final : public net::ConnectionHandler {
 public:
  SessionHandler(core::Runtime& runtime, std::shared_ptr<net::Connection> connection)
      : runtime_(runtime), connection_(std::move(connection)) {}

  void on_text(std::string text) override { forward(server::ClientFrame{std::move(text)}); }
  void on_close(const net::CloseReason& reason) override {
    forward(server::ConnectionClosed{reason.code, reason.reason});
  }

  // The session's start finished (on a runtime thread, or at once when refused).
  void on_started(const core::StartResult& started) {
    if (!started.ok()) {
      spdlog::warn("WebSocket {} from {} refused: {}", connection_->id(), connection_->remote_endpoint(),
                   started.error() ? started.error()->to_string() : std::string("the session was not started"));
      const std::lock_guard lock(mutex_);
      refuse_locked();
      return;
    }
    spdlog::debug("WebSocket {} from {}: session {}", connection_->id(), connection_->remote_endpoint(),
                  started.pid().to_string());
    const std::lock_guard lock(mutex_);
    session_ = started.pid();
    for (core::Message& message : waiting_) runtime_.send(*session_, std::move(message));
    waiting_ = {};
  }

 private:
  // Sent under the lock, so a frame can't overtake the ones on_started is still handing on.
  void forward(core::Message message) {
    const std::lock_guard lock(mutex_);
    if (session_) return runtime_.send(*session_, std::move(message));
    if (refused_) return;
    if (waiting_.size() >= kMaxWaitingFrames) {
      refuse_locked();  // a client flooding a session that has not started yet
      return;
    }
    waiting_.push_back(std::move(message));
  }

  // No session for this connection: drop what waited and close (close_now only posts to
  // the connection's strand, so holding mutex_ here is fine).
  void refuse_locked() {
    refused_ = true;
    waiting_ = {};
    connection_->close_now(1013, "try_again_later");
  }

  static constexpr std::size_t kMaxWaitingFrames = 256;

  core::Runtime& runtime_;
  std::shared_ptr<net::Connection> connection_;  // a handle: it does not keep the socket alive
  std::mutex mutex_;
  std::optional<core::Pid> session_;    // guarded by mutex_, as are the two below
  std::vector<core::Message> waiting_;  // frames (and the close) that came before session_
  bool refused_ = false;
};

}  // namespace

std::shared_ptr<net::ConnectionHandler> SessionGate::open(const std::shared_ptr<net::Connection>& connection) {
  const std::shared_lock lock(mutex_);
  if (service_ == nullptr) return nullptr;
  auto handler = std::make_shared<SessionHandler>(runtime_, connection);
  service_->start_session(std::make_shared<ConnectionOutbound>(connection),
                          [handler](const core::StartResult& started) { handler->on_started(started); });
  return handler;
}

void SessionGate::close() {
  const std::unique_lock lock(mutex_);
  service_ = nullptr;
}

net::ConnectionFactory make_session_factory(std::shared_ptr<SessionGate> gate) {
  return [gate = std::move(gate)](std::shared_ptr<net::Connection> connection) { return gate->open(connection); };
}

}  // namespace otter::otterd
