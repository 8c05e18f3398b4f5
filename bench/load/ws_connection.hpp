// WsConnection: one asynchronous WebSocket client connection of the load generator. Many
// of them share one io_context run by one thread, so a handler never races another and
// the generator's state needs no locks. (net/ws_client.hpp is the blocking client with a
// thread-safe inbox; a load generator with 10 000 connections can't afford either.)
//
//   auto connection = open_ws_connection(io, endpoint, "127.0.0.1:8080", "/ws", {
//       .on_open = [&] { ... }, .on_message = [&](std::string_view frame) { ... },
//       .on_closed = [&](const std::string& why) { ... }});
//   connection->send(R"({"type":"hello","version":1})");
//
// Contract
// - Connects, sets TCP_NODELAY, shakes hands, then reads until the connection ends.
//   Exactly one of on_open or on_closed follows the call; after on_open, on_closed comes
//   once when the connection ends (why: "" for a clean close after close()).
// - on_message gets each text or binary message; the view is valid during the call only.
// - send() queues a text frame; frames go out one at a time in call order. Sends before
//   on_open wait for it; sends after the end do nothing.
// - All handlers run on the io_context's thread; every call must be made there too.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace otter::bench {

struct WsHandlers {
  std::function<void()> on_open;
  std::function<void(std::string_view frame)> on_message;
  std::function<void(const std::string& why)> on_closed;
};

class WsConnection {
 public:
  virtual ~WsConnection() = default;
  virtual void send(std::string frame) = 0;
  // Sends the close frame after the queued ones.
  virtual void close() = 0;
  // Frames queued and not yet written (the one being written included).
  [[nodiscard]] virtual std::size_t queued() const noexcept = 0;
};

[[nodiscard]] std::shared_ptr<WsConnection> open_ws_connection(boost::asio::io_context& io,
                                                               const boost::asio::ip::tcp::endpoint& server,
                                                               std::string host_header, std::string target,
                                                               WsHandlers handlers);

}  // namespace otter::bench
