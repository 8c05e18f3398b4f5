// Internal to net/: one WebSocket connection, speaking to a ConnectionHandler through the
// Connection handle (net/connection.hpp). Beast does the opening handshake only; the data
// phase is ours, on the bare socket, with net/ws_frame.hpp for the framing.
//
//   run(upgrade) ─ Beast async_accept (handshake timeout) ─> socket moved out, stream gone
//     reads:  async_wait(readable) ─> read_some until would_block into a per-thread buffer
//             ─> WsFrameParser ─> on_text / binary_frame error / pong / close / protocol error
//     writes: send() with nothing queued or in flight writes at once, on the caller's thread
//             (non-blocking); otherwise one gather write in flight on the strand: every
//             queued frame (up to kMaxFramesPerWrite), each a 2-10 byte header beside its
//             shared payload
//     close:  our close frame after the queue (or the peer's, echoed) ─> the close handshake
//             ends ─> on_close ─> FIN, then read until the peer's FIN ─> socket closed
//
// Runs on its connection's strand, but for send()'s direct write. Why that exists: a batch
// of ops fans out as one frame to each of a document's sessions, from their processes on
// the runtime's threads; posting each frame to its strand and completing an asynchronous
// write for it cost more CPU than the system call itself. Now a frame that finds the
// connection idle goes to the kernel at once (MSG_DONTWAIT: never blocks; what the socket
// does not take waits for the strand). write_mutex_ orders it with the strand's writes and
// with the socket's close, so frames still leave in send() order and never on a closed
// (or reused) descriptor.
//
// Everything ends with the socket: the session lives as
// long as its pending wait or write (handlers hold shared_from_this()), tells the handler
// on_close once, then releases it and leaves the server's registry.
//
// Keepalive: no timer per connection. The server's heartbeat sweep (net/heartbeat.hpp)
// calls on_heartbeat() every heartbeat_interval: a session that read nothing since the last
// sweep is pinged; one whose ping is still unanswered at the next sweep is dropped. The
// sweep also bounds the closing handshake: still closing two sweeps later, it is dropped.
//
// Memory (docs/benchmarks.md, "Idle sessions: where the memory goes"): while idle a session
// holds its socket, one pending wait (no buffer: the read buffer belongs to the thread),
// the parser's few bytes of header state, and no write queue (its vectors are released
// whenever the queue runs empty).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include "net/connection.hpp"
#include "net/server_state.hpp"
#include "net/ws_frame.hpp"

namespace otter::net::detail {

class WebSocketSession : public std::enable_shared_from_this<WebSocketSession>, public Stoppable {
 public:
  WebSocketSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<ServerState> state);
  ~WebSocketSession() override;

  // Completes the handshake for the upgrade request, then starts reading.
  void run(boost::beast::http::request<boost::beast::http::string_body> upgrade);
  void stop() override;
  void on_heartbeat() override;

  // The Connection handle's entry points: any thread.
  void send(std::shared_ptr<const std::string> text);
  void close(CloseReason reason, bool discard_queued);
  [[nodiscard]] std::size_t outbound_bytes() const noexcept { return outbound_bytes_->load(std::memory_order_relaxed); }

 private:
  struct Handshake;  // Beast's stream, only until the handshake is done
  struct OutboundFrame {
    std::shared_ptr<const std::string> payload;
    WsOpcode opcode;
    std::size_t sent = 0;  // bytes of it (header first) a direct write got out already
  };

  void on_accept(boost::system::error_code ec);
  // Reading
  void wait_readable();
  void read_available();
  void take_bytes(std::string_view bytes);
  void on_event(WsEvent event);
  void on_peer_close(std::uint16_t code, std::string reason);
  void on_read_failed(const boost::system::error_code& ec);
  // Writing. The _locked members need write_mutex_ held.
  void enqueue(WsOpcode opcode, std::shared_ptr<const std::string> payload);
  void enqueue_locked(OutboundFrame frame);
  // The bytes of `frame` the socket took at once (all, some or none), or nullopt if it failed.
  [[nodiscard]] std::optional<std::size_t> write_now_locked(const OutboundFrame& frame) const;
  void write_queued();  // the strand's turn to write what send() left queued
  void do_write_locked();
  void on_write(boost::system::error_code ec, std::size_t bytes);
  void on_write_failed(const boost::system::error_code& ec);
  // Closing
  void request_close(CloseReason reason, bool discard_queued);
  void send_close_frame(std::shared_ptr<const std::string> payload);
  void end_close_handshake();
  void hang_up(CloseReason reason);
  void heartbeat();
  void finish(CloseReason reason);
  // Forgets the queued frames that are not being written.
  void drop_waiting_frames();
  void drop_waiting_frames_locked();
  void stop_direct_writes();
  [[nodiscard]] std::size_t queued() const noexcept { return queue_.size() - queue_head_; }
  [[nodiscard]] bool closing() const noexcept { return close_after_queue_ || closing_ || lingering_; }

  const boost::asio::any_io_executor strand_;  // the socket's; kept apart as socket_ is moved into
  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<Handshake> handshake_;
  std::shared_ptr<ServerState> state_;
  std::shared_ptr<ConnectionHandler> handler_;
  std::string remote_endpoint_;
  std::uint64_t id_;
  std::optional<std::uint64_t> registration_;
  WsFrameParser parser_;

  // Guards the write side below (queue_ .. writing_, direct_fd_) and the socket's close:
  // send() takes it on any thread, the strand whenever it touches them.
  mutable std::mutex write_mutex_;
  // The descriptor send() may write to at once; -1 before the handshake ends and from the
  // moment a close is asked for (frames sent after it are dropped, as always).
  int direct_fd_ = -1;
  // queue_[queue_head_ ..] = the frames being written (writing_ of them), then the waiting
  // ones; waiting frames with nothing being written mean a write_queued() is posted. A
  // vector, not a deque: libstdc++'s deque allocates ~600 bytes before its first element.
  // headers_ and gather_ describe the write in flight; all three are released when the
  // queue runs empty, so an idle session holds none of them.
  std::vector<OutboundFrame> queue_;
  std::vector<WsFrameHeader> headers_;
  std::vector<boost::asio::const_buffer> gather_;
  std::size_t queue_head_ = 0;
  std::size_t writing_ = 0;
  // Shared with the Connection handle so outbound_bytes() works after the session is gone.
  std::shared_ptr<std::atomic<std::size_t>> outbound_bytes_;

  std::optional<CloseReason> close_after_queue_;  // close requested, waiting for the queue
  std::optional<CloseReason> closing_;  // our close frame (or echo) is queued; what on_close will say
  bool close_written_ = false;          // ... and written
  bool peer_closed_ = false;            // the peer's close frame arrived
  bool draining_ = false;               // bytes read are dropped unparsed (after a close or a protocol error)
  bool lingering_ = false;              // close handshake over, FIN sent: reading until the peer's FIN
  bool accepted_ = false;
  // Set before on_close, read by send() from any thread: after on_close a send is a no-op
  // at once, even while the session still waits for the peer's FIN.
  std::atomic<bool> finished_{false};
  bool counted_ = false;  // counted in ServerState::open_websockets
  bool heard_since_sweep_ = false;
  bool ping_outstanding_ = false;
  std::uint8_t closing_sweeps_ = 0;  // heartbeat sweeps seen while closing
};

}  // namespace otter::net::detail
