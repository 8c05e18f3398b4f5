// Internal to net/: one WebSocket connection (Beast's chat-multi example), speaking to a
// ConnectionHandler through the Connection handle (net/connection.hpp).
//
// Runs on its connection's strand. One read is always pending until the connection ends
// (Beast answers pings and close frames only while reading). Writes: one in flight, the
// rest queued as shared_ptr<const std::string>. The session ends when its read fails
// (the close handshake finished, the peer vanished, or the heartbeat timed out); it then
// tells the handler on_close once, releases it and leaves the server's registry.
//
// Memory (docs/benchmarks.md, "Idle sessions: where the memory goes"): an idle session is
// mostly Beast's stream and its pending read, so what is ours stays small while idle: the
// stream runs on the bare socket (no tcp_stream: its timers and impl are unused, Beast's
// websocket timeouts do the work), a message starts with a small read buffer that is
// freed again after a large message, and the write queue allocates nothing while empty.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "net/connection.hpp"
#include "net/server_state.hpp"

namespace otter::net::detail {

class WebSocketSession : public std::enable_shared_from_this<WebSocketSession>, public Stoppable {
 public:
  WebSocketSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<ServerState> state);
  ~WebSocketSession() override;

  // Completes the handshake for the upgrade request, then starts reading.
  void run(boost::beast::http::request<boost::beast::http::string_body> upgrade);
  void stop() override;

  // The Connection handle's entry points: any thread.
  void send(std::shared_ptr<const std::string> text);
  void close(CloseReason reason, bool discard_queued);
  [[nodiscard]] std::size_t outbound_bytes() const noexcept { return outbound_bytes_->load(std::memory_order_relaxed); }

 private:
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void enqueue(std::shared_ptr<const std::string> text);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void request_close(CloseReason reason, bool discard_queued);
  void do_close();
  void on_close(boost::beast::error_code ec);
  void finish(CloseReason reason);
  // Forgets queued frames; keep_in_flight keeps the front one, which is being written.
  void drop_queue(bool keep_in_flight);
  [[nodiscard]] std::size_t queued() const noexcept { return queue_.size() - queue_head_; }
  void pop_front_frame() noexcept;

  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<ServerState> state_;
  std::shared_ptr<ConnectionHandler> handler_;
  std::string remote_endpoint_;
  std::uint64_t id_;
  std::optional<std::uint64_t> registration_;

  // queue_[queue_head_] = the frame being written. A vector, not a deque: libstdc++'s
  // deque allocates ~600 bytes before its first element, in every idle session.
  std::vector<std::shared_ptr<const std::string>> queue_;
  std::size_t queue_head_ = 0;
  // Shared with the Connection handle so outbound_bytes() works after the session is gone.
  std::shared_ptr<std::atomic<std::size_t>> outbound_bytes_;
  std::optional<CloseReason> close_after_queue_;  // close requested, waiting for the queue
  std::optional<CloseReason> sent_close_;         // our close frame is on its way
  bool accepted_ = false;
  bool reading_ = false;
  bool finished_ = false;
  bool counted_ = false;  // counted in ServerState::open_websockets
};

}  // namespace otter::net::detail
