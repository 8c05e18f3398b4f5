// The interfaces between the WebSocket plumbing (net/) and whoever speaks the protocol on
// a connection (server/'s session). net/ never looks inside a text frame except to answer
// binary frames and oversized frames itself.
//
//   client connects to /ws ──> HttpServer upgrades ──> factory(connection) -> handler
//   each text frame        ──> handler->on_text(text)        (on the connection's strand)
//   handler / anyone       ──> connection->send(shared text)  (any thread)
//   close (either side)    ──> handler->on_close(reason)      (once, last call)
//
// Contract
// - The factory runs on the connection's strand right after the WebSocket handshake. It
//   returns the handler for this connection, or nullptr to refuse it (closed with 1013
//   "try_again_later").
// - on_text and on_close run on the connection's strand, one at a time, in arrival order;
//   they must not block (forward to a process mailbox instead). After on_close, the
//   handler is released and never called again.
// - Connection is a handle: send()/close()/outbound_bytes() may be called from any thread,
//   at any time, also after the connection died (then they do nothing / return 0). The
//   handle does not keep the connection alive.
// - send() queues the frame; frames go out one at a time in send() order. A broadcast is one
//   shared_ptr<const std::string> shared by every receiver, never a copy per connection.
// - outbound_bytes() is the bytes queued and not yet written (including the frame being
//   written): the session uses it for its slow-consumer policy. As a backstop, net/ itself
//   closes a connection whose queue exceeds HttpServerConfig::max_outbound_bytes with 1008
//   "slow_consumer" (discarding the queue).
// - close(code, reason): sends the frames already queued, then the close frame; close_now()
//   discards the queue (all but a frame already being written) first. The reason is cut
//   to 123 bytes (the WebSocket limit). For the protocol's fatal errors use
//   close_code(error) and to_string(error) (net/error_code.hpp).
// - Binary frames never reach the handler: net/ answers each with the protocol error
//   binary_frame (not fatal). A frame over max_frame_bytes closes the connection with 1009
//   "frame_too_large" without reaching the handler.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace otter::net {

struct CloseReason {
  std::uint16_t code = 1006;  // 1006: the connection ended without a close frame
  std::string reason;         // the close frame's text, or what went wrong
  bool initiated_locally = false;  // true if this side started the close (or gave up)

  [[nodiscard]] bool operator==(const CloseReason&) const = default;
};

class Connection {
 public:
  virtual ~Connection() = default;

  virtual void send(std::shared_ptr<const std::string> text) = 0;
  virtual void close(std::uint16_t code, std::string reason) = 0;
  virtual void close_now(std::uint16_t code, std::string reason) = 0;
  [[nodiscard]] virtual std::size_t outbound_bytes() const noexcept = 0;
  [[nodiscard]] virtual const std::string& remote_endpoint() const noexcept = 0;
  // Unique among this server's connections, for logs.
  [[nodiscard]] virtual std::uint64_t id() const noexcept = 0;
};

class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;

  virtual void on_text(std::string text) = 0;
  virtual void on_close(const CloseReason& reason) = 0;
};

using ConnectionFactory = std::function<std::shared_ptr<ConnectionHandler>(std::shared_ptr<Connection>)>;

// One immutable frame to send to one or many connections.
[[nodiscard]] inline std::shared_ptr<const std::string> share(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

}  // namespace otter::net
