// Outbound: what a Session needs from its WebSocket connection — the only thing server/
// knows about sockets. net/ (or otterd's glue) implements it over net::Connection, whose
// members of the same names already do exactly this; tests implement it in memory.
//
// Contract (every implementation)
// - Every member may be called from any thread, at any time, also after the connection
//   died (then send/close do nothing and outbound_bytes() returns 0).
// - send() queues one text frame; frames go out one at a time in send() order. The frame
//   is shared, never copied per connection: a broadcast is one string for every receiver.
// - outbound_bytes() is the number of bytes queued and not yet written (including the
//   frame being written). The session polls it to batch (hold frames while bytes are in
//   flight) and for its slow-consumer policy. Must be cheap (an atomic load).
// - close(code, reason) sends the frames already queued, then the close frame;
//   close_now(code, reason) discards the queue first (slow consumers). Either ends the
//   connection; the session then hears ConnectionClosed (server/session.hpp) or stops first.
//
// The input side is messages, not an interface: the glue sends each received text frame
// to the session's Pid as server::ClientFrame and the close as server::ConnectionClosed
// (server/session.hpp), so frames are handled in the session's own process, never on the
// socket's strand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace otter::server {

class Outbound {
 public:
  Outbound() = default;
  Outbound(const Outbound&) = delete;
  Outbound& operator=(const Outbound&) = delete;
  virtual ~Outbound() = default;

  virtual void send(std::shared_ptr<const std::string> frame) = 0;
  virtual void close(std::uint16_t code, std::string reason) = 0;
  virtual void close_now(std::uint16_t code, std::string reason) = 0;
  [[nodiscard]] virtual std::size_t outbound_bytes() const noexcept = 0;
};

}  // namespace otter::server
