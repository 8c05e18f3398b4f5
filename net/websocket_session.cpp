#include "net/websocket_session.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <exception>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include "net/protocol.hpp"

namespace otter::net::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// RFC 6455 5.5: a control frame's payload is at most 125 bytes, 2 of them the code.
constexpr std::size_t kMaxCloseReasonBytes = kMaxControlPayloadBytes - 2;

// Reads go into one buffer per I/O thread, not per connection: the parser copies what it
// keeps. A few buffers per turn, then the strand yields to other connections.
constexpr std::size_t kReadBufferBytes = 64 * 1024;
constexpr int kMaxReadsPerTurn = 4;

// Frames per gather write: two buffers each (header, payload), and Asio hands the kernel
// at most 64 buffers per writev, so 32 frames go out in one system call.
constexpr std::size_t kMaxFramesPerWrite = 32;

// A session still closing at the second heartbeat sweep since it began is dropped.
constexpr std::uint8_t kClosingSweeps = 2;

constexpr const char* kHeartbeatTimeout = "heartbeat timeout: no answer to a ping within one interval";

void fail(const boost::system::error_code& ec, const char* what) {
  if (ec == asio::error::operation_aborted || ec == asio::error::eof) return;
  spdlog::debug("net: websocket {}: {}", what, ec.message());
}

std::string endpoint_text(const tcp::socket& socket) {
  boost::system::error_code ec;
  const tcp::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  const asio::ip::address address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

std::string clip_reason(std::string reason) {
  if (reason.size() <= kMaxCloseReasonBytes) return reason;
  std::size_t end = kMaxCloseReasonBytes;
  while (end > 0 && (static_cast<unsigned char>(reason[end]) & 0xC0U) == 0x80U) --end;  // whole code points
  reason.resize(end);
  return reason;
}

const std::shared_ptr<const std::string>& binary_frame_error() {
  static const std::shared_ptr<const std::string> frame = share(encode(ServerMessage{make_error(
      ErrorCode::binary_frame, "binary frames are not part of the protocol; send JSON in text frames")}));
  return frame;
}

const std::shared_ptr<const std::string>& empty_payload() {
  static const std::shared_ptr<const std::string> payload = share({});
  return payload;
}

// The handle a ConnectionHandler holds. Weak: a dead connection ignores it.
class WebSocketConnection final : public Connection {
 public:
  WebSocketConnection(std::weak_ptr<WebSocketSession> session, std::shared_ptr<std::atomic<std::size_t>> outbound,
                      std::string remote_endpoint, std::uint64_t id)
      : session_(std::move(session)),
        outbound_bytes_(std::move(outbound)),
        remote_endpoint_(std::move(remote_endpoint)),
        id_(id) {}

  void send(std::shared_ptr<const std::string> text) override {
    if (const std::shared_ptr<WebSocketSession> session = session_.lock()) session->send(std::move(text));
  }
  void close(std::uint16_t code, std::string reason) override {
    if (const std::shared_ptr<WebSocketSession> session = session_.lock()) {
      session->close(CloseReason{code, std::move(reason), true}, false);
    }
  }
  void close_now(std::uint16_t code, std::string reason) override {
    if (const std::shared_ptr<WebSocketSession> session = session_.lock()) {
      session->close(CloseReason{code, std::move(reason), true}, true);
    }
  }
  [[nodiscard]] std::size_t outbound_bytes() const noexcept override {
    return outbound_bytes_->load(std::memory_order_relaxed);
  }
  [[nodiscard]] const std::string& remote_endpoint() const noexcept override { return remote_endpoint_; }
  [[nodiscard]] std::uint64_t id() const noexcept override { return id_; }

 private:
  std::weak_ptr<WebSocketSession> session_;
  std::shared_ptr<std::atomic<std::size_t>> outbound_bytes_;
  std::string remote_endpoint_;
  std::uint64_t id_;
};

}  // namespace

struct WebSocketSession::Handshake {
  explicit Handshake(tcp::socket&& socket) : stream(std::move(socket)) {}
  websocket::stream<tcp::socket> stream;
};

WebSocketSession::WebSocketSession(tcp::socket&& socket, std::shared_ptr<ServerState> state)
    : strand_(socket.get_executor()),
      socket_(std::move(socket)),
      state_(std::move(state)),
      remote_endpoint_(endpoint_text(socket_)),
      id_(state_->next_connection_id()),
      parser_(state_->config().max_frame_bytes),
      outbound_bytes_(std::make_shared<std::atomic<std::size_t>>(0)) {}

WebSocketSession::~WebSocketSession() {
  // Normally finish() ran already; this covers an io_context destroyed with us pending.
  finish(CloseReason{1006, "the server dropped the connection", true});
  if (registration_) state_->leave(*registration_);
}

void WebSocketSession::run(http::request<http::string_body> upgrade) {
  registration_ = state_->enter(weak_from_this());
  if (!registration_) return;  // the server is stopping; the socket closes with us
  const HttpServerConfig& config = state_->config();
  handshake_ = std::make_unique<Handshake>(std::move(socket_));
  websocket::stream<tcp::socket>& stream = handshake_->stream;
  websocket::stream_base::timeout timeout = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeout.handshake_timeout = config.websocket_handshake_timeout;
  timeout.idle_timeout = websocket::stream_base::none();  // the data phase is not Beast's
  stream.set_option(timeout);
  stream.set_option(websocket::stream_base::decorator(
      [name = config.server_name](websocket::response_type& response) { response.set(http::field::server, name); }));
  stream.async_accept(upgrade, beast::bind_front_handler(&WebSocketSession::on_accept, shared_from_this()));
}

void WebSocketSession::stop() {
  asio::post(strand_, [self = shared_from_this()] {
    self->request_close(CloseReason{*close_code(ErrorCode::shutting_down), "shutting_down", true}, false);
  });
}

void WebSocketSession::on_heartbeat() {
  asio::post(strand_, [self = shared_from_this()] { self->heartbeat(); });
}

void WebSocketSession::send(std::shared_ptr<const std::string> text) {
  if (!text || finished_.load(std::memory_order_acquire)) return;
  const std::lock_guard lock(write_mutex_);
  if (direct_fd_ < 0) return;  // the handshake is not over, or a close was asked for: dropped
  OutboundFrame frame{std::move(text), WsOpcode::text};
  const std::size_t size = frame.payload->size();
  if (queued() == 0) {
    const std::optional<std::size_t> sent = write_now_locked(frame);
    if (!sent) {
      const boost::system::error_code ec(errno, boost::system::system_category());
      direct_fd_ = -1;
      asio::post(strand_, [self = shared_from_this(), ec] { self->on_write_failed(ec); });
      return;
    }
    if (*sent == encode_frame_header(WsOpcode::text, size).size + size) return;  // all of it: done
    frame.sent = *sent;  // the socket is full: the strand writes the rest when it drains
    outbound_bytes_->fetch_add(size, std::memory_order_relaxed);
    queue_.push_back(std::move(frame));
    asio::post(strand_, [self = shared_from_this()] { self->write_queued(); });
    return;
  }
  if (outbound_bytes_->fetch_add(size, std::memory_order_relaxed) + size > state_->config().max_outbound_bytes) {
    outbound_bytes_->fetch_sub(size, std::memory_order_relaxed);
    asio::post(strand_, [self = shared_from_this()] {
      self->request_close(CloseReason{*close_code(ErrorCode::slow_consumer), "slow_consumer", true}, true);
    });
    return;
  }
  queue_.push_back(std::move(frame));  // the write in flight, or the one posted, takes it
}

void WebSocketSession::close(CloseReason reason, bool discard_queued) {
  asio::post(strand_, [self = shared_from_this(), reason = std::move(reason), discard_queued]() mutable {
    self->request_close(std::move(reason), discard_queued);
  });
}

void WebSocketSession::on_accept(boost::system::error_code ec) {
  if (ec) return fail(ec, "handshake");  // the socket closes with handshake_, and we with it
  // From here on the socket is ours alone: no Beast state stays per connection.
  socket_ = std::move(handshake_->stream.next_layer());
  handshake_.reset();
  socket_.non_blocking(true, ec);  // read_some() must say would_block, never wait
  if (ec) return hang_up(CloseReason{1006, ec.message(), true});
  accepted_ = true;
  heard_since_sweep_ = true;
  state_->open_websockets.fetch_add(1);
  counted_ = true;
  state_->start_heartbeat();
  if (!close_after_queue_) {  // stopped during the handshake: don't bother the factory
    {
      // Open for sends before the factory runs: what it (or its handler, from any thread)
      // sends right away is written, not dropped.
      const std::lock_guard lock(write_mutex_);
      direct_fd_ = socket_.native_handle();
    }
    try {
      handler_ = state_->factory()(
          std::make_shared<WebSocketConnection>(weak_from_this(), outbound_bytes_, remote_endpoint_, id_));
    } catch (const std::exception& e) {
      spdlog::error("net: websocket factory failed for {}: {}", remote_endpoint_, e.what());
    }
    if (!handler_) {
      close_after_queue_ = CloseReason{1013, "try_again_later", true};
      stop_direct_writes();
    }
  }
  if (close_after_queue_) send_close_frame(nullptr);
  read_available();  // a frame may have come right behind the handshake
}

// ------------------------------------------------------------------ reading

// A wait for readability completes at once if bytes are already there (Asio's reactor
// re-arms the descriptor with EPOLL_CTL_MOD, which reports present data even though the
// registration is edge-triggered), so read_available() may wait after a short read.
void WebSocketSession::wait_readable() {
  socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted) return;  // the socket was closed
    if (ec) return self->on_read_failed(ec);
    self->read_available();
  });
}

void WebSocketSession::read_available() {
  thread_local std::array<char, kReadBufferBytes> buffer;
  for (int round = 0; round < kMaxReadsPerTurn; ++round) {
    if (!socket_.is_open()) return;
    boost::system::error_code ec;
    const std::size_t bytes = socket_.read_some(asio::buffer(buffer), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return wait_readable();
    if (ec) return on_read_failed(ec);
    heard_since_sweep_ = true;
    take_bytes(std::string_view(buffer.data(), bytes));
    // A read that did not fill the buffer emptied the socket: reading again would only
    // hear would_block, one system call per message for nothing.
    if (bytes < buffer.size()) {
      if (socket_.is_open()) wait_readable();
      return;
    }
  }
  if (socket_.is_open()) asio::post(strand_, [self = shared_from_this()] { self->read_available(); });
}

void WebSocketSession::take_bytes(std::string_view bytes) {
  while (!draining_ && !bytes.empty()) {
    std::optional<WsEvent> event = parser_.next(bytes);
    if (!event) return;
    on_event(std::move(*event));
  }
}

void WebSocketSession::on_event(WsEvent event) {
  switch (event.kind) {
    case WsEventKind::text:
      // After a close was asked for, the handler hears nothing more but on_close.
      if (!handler_ || closing()) return;
      try {
        handler_->on_text(std::move(event.payload));
      } catch (const std::exception& e) {
        spdlog::error("net: websocket handler of {} failed: {}", remote_endpoint_, e.what());
        request_close(CloseReason{1011, "internal_error", true}, false);
      }
      return;
    case WsEventKind::binary:
      return send(binary_frame_error());  // as any text frame: dropped once closing
    case WsEventKind::ping:
      if (!closing_) enqueue(WsOpcode::pong, share(std::move(event.payload)));
      return;
    case WsEventKind::pong:
      return;  // heard_since_sweep_ is all a pong is for
    case WsEventKind::close:
      return on_peer_close(event.code, std::move(event.payload));
    case WsEventKind::error: {
      // The parser cannot find the next frame: the rest is dropped, and the close frame
      // ends the handshake as soon as it is written (on_write).
      draining_ = true;
      const bool too_large = event.code == *close_code(ErrorCode::frame_too_large);
      request_close(
          CloseReason{event.code, too_large ? std::string("frame_too_large") : std::move(event.payload), true}, true);
      if (close_written_) end_close_handshake();  // we had closed already: the peer's answer is lost
      return;
    }
  }
}

void WebSocketSession::on_peer_close(std::uint16_t code, std::string reason) {
  peer_closed_ = true;
  draining_ = true;  // nothing may follow a close frame (RFC 6455 5.5.1)
  if (closing_) {
    if (close_written_) end_close_handshake();
    return;  // else on_write ends it once our close frame is out
  }
  // Answer as soon as we can: only the frames being written go before the echo.
  stop_direct_writes();
  drop_waiting_frames();
  close_after_queue_.reset();
  closing_ = CloseReason{code, std::move(reason), false};
  send_close_frame(code == kNoCloseCodeReceived ? empty_payload() : share(encode_close_payload(code, {})));
}

void WebSocketSession::on_read_failed(const boost::system::error_code& ec) {
  if (lingering_) return hang_up(*closing_);  // the peer's FIN (or reset) after the handshake: done
  fail(ec, "read");
  hang_up(closing_ ? *closing_ : CloseReason{1006, ec.message(), false});
}

// ------------------------------------------------------------------ writing

// The socket is broken (the peer vanished): the session ends here; the pending wait fails too.
void WebSocketSession::on_write_failed(const boost::system::error_code& ec) {
  fail(ec, "write");
  hang_up(closing_ ? *closing_ : CloseReason{1006, ec.message(), false});
}

void WebSocketSession::enqueue(WsOpcode opcode, std::shared_ptr<const std::string> payload) {
  const std::lock_guard lock(write_mutex_);
  enqueue_locked(OutboundFrame{std::move(payload), opcode});
}

void WebSocketSession::enqueue_locked(OutboundFrame frame) {
  queue_.push_back(std::move(frame));
  if (writing_ == 0) do_write_locked();
}

std::optional<std::size_t> WebSocketSession::write_now_locked(const OutboundFrame& frame) const {
  const WsFrameHeader header = encode_frame_header(frame.opcode, frame.payload->size());
  std::array<iovec, 2> parts{iovec{const_cast<char*>(header.bytes.data()), header.size},
                             iovec{const_cast<char*>(frame.payload->data()), frame.payload->size()}};
  msghdr message{};
  message.msg_iov = parts.data();
  message.msg_iovlen = frame.payload->empty() ? 1 : 2;
  for (;;) {
    const ssize_t sent = ::sendmsg(direct_fd_, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent >= 0) return static_cast<std::size_t>(sent);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return std::nullopt;
  }
}

void WebSocketSession::write_queued() {
  const std::lock_guard lock(write_mutex_);
  if (writing_ == 0 && queued() > 0) do_write_locked();
}

void WebSocketSession::do_write_locked() {
  const std::size_t count = std::min(queued(), kMaxFramesPerWrite);
  // Sized before the buffers point into them: neither may reallocate during the write.
  headers_.clear();
  headers_.reserve(count);
  gather_.clear();
  gather_.reserve(2 * count);
  for (std::size_t i = queue_head_; i < queue_head_ + count; ++i) {
    const OutboundFrame& frame = queue_[i];
    headers_.push_back(encode_frame_header(frame.opcode, frame.payload->size()));
    std::string_view header = headers_.back().view();
    std::string_view payload = *frame.payload;
    // A frame a direct write began: only the rest goes now.
    const std::size_t from_header = std::min(frame.sent, header.size());
    header.remove_prefix(from_header);
    payload.remove_prefix(frame.sent - from_header);
    if (!header.empty()) gather_.emplace_back(header.data(), header.size());
    if (!payload.empty()) gather_.emplace_back(payload.data(), payload.size());
  }
  writing_ = count;
  // Completes on the strand, never inside this call: the lock is not taken twice.
  asio::async_write(socket_, gather_, beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
}

void WebSocketSession::on_write(boost::system::error_code ec, std::size_t /*bytes*/) {
  bool wrote_close = false;
  bool writing_more = false;
  {
    const std::lock_guard lock(write_mutex_);
    for (std::size_t i = 0; i < writing_; ++i) {
      OutboundFrame& frame = queue_[queue_head_++];
      if (frame.opcode == WsOpcode::text) outbound_bytes_->fetch_sub(frame.payload->size(), std::memory_order_relaxed);
      wrote_close = wrote_close || frame.opcode == WsOpcode::close;
      frame.payload.reset();
    }
    writing_ = 0;
    if (queued() == 0) {
      // Empty: an idle session keeps none of the write's memory.
      std::vector<OutboundFrame>().swap(queue_);
      std::vector<WsFrameHeader>().swap(headers_);
      std::vector<asio::const_buffer>().swap(gather_);
      queue_head_ = 0;
    } else if (queue_head_ > queued()) {
      // A queue that never runs empty: drop the written prefix (moving shared_ptrs only).
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(queue_head_));
      queue_head_ = 0;
    }
    if (!ec && !wrote_close && queued() > 0) {
      do_write_locked();
      writing_more = true;
    }
  }
  if (ec) return on_write_failed(ec);
  if (wrote_close) {
    close_written_ = true;
    // The peer's close came already, or can no longer be parsed: the handshake is over.
    if (peer_closed_ || parser_.failed()) end_close_handshake();
    return;
  }
  // With a close asked for, send() adds nothing more: an empty queue stays empty.
  if (!writing_more && close_after_queue_) send_close_frame(nullptr);
}

// ------------------------------------------------------------------ closing

void WebSocketSession::request_close(CloseReason reason, bool discard_queued) {
  if (finished_ || closing_) return;
  if (!close_after_queue_) {
    reason.reason = clip_reason(std::move(reason.reason));
    close_after_queue_ = std::move(reason);
  }
  bool idle = false;
  {
    const std::lock_guard lock(write_mutex_);
    direct_fd_ = -1;  // what is sent from now on is dropped
    if (discard_queued) drop_waiting_frames_locked();
    idle = queued() == 0;
  }
  if (!accepted_) return;  // on_accept closes
  if (idle) send_close_frame(nullptr);
}

// Queues our close frame: `payload`, or the one close_after_queue_ asks for.
void WebSocketSession::send_close_frame(std::shared_ptr<const std::string> payload) {
  if (!payload) {
    closing_ = std::move(close_after_queue_);
    close_after_queue_.reset();
    payload = share(encode_close_payload(closing_->code, closing_->reason));  // reason clipped to 123 bytes
  }
  enqueue(WsOpcode::close, std::move(payload));
}

// Both close frames are out (or the peer broke the protocol): the handler hears it, and
// we close the TCP connection first (RFC 6455 7.1.1), reading until the peer's FIN so
// that nothing unread turns our close into a reset.
void WebSocketSession::end_close_handshake() {
  finish(*closing_);
  lingering_ = true;
  draining_ = true;
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
}

void WebSocketSession::hang_up(CloseReason reason) {
  finish(std::move(reason));
  const std::lock_guard lock(write_mutex_);  // no direct write may race the descriptor's reuse
  boost::system::error_code ignored;
  socket_.close(ignored);  // the pending wait and write end with operation_aborted
}

void WebSocketSession::heartbeat() {
  if (!accepted_ || !socket_.is_open()) return;
  if (closing()) {
    if (++closing_sweeps_ >= kClosingSweeps) {
      hang_up(closing_ ? *closing_ : *close_after_queue_);
    }
    return;
  }
  if (std::exchange(heard_since_sweep_, false)) {
    ping_outstanding_ = false;
    return;
  }
  if (ping_outstanding_) return hang_up(CloseReason{1006, kHeartbeatTimeout, true});
  ping_outstanding_ = true;
  enqueue(WsOpcode::ping, empty_payload());
}

void WebSocketSession::finish(CloseReason reason) {
  if (finished_.exchange(true, std::memory_order_acq_rel)) return;
  stop_direct_writes();
  drop_waiting_frames();
  if (counted_) {
    state_->open_websockets.fetch_sub(1);
    counted_ = false;
  }
  if (const std::shared_ptr<ConnectionHandler> handler = std::exchange(handler_, nullptr)) {
    try {
      handler->on_close(reason);
    } catch (const std::exception& e) {
      spdlog::error("net: websocket handler of {} failed in on_close: {}", remote_endpoint_, e.what());
    }
  }
}

void WebSocketSession::stop_direct_writes() {
  const std::lock_guard lock(write_mutex_);
  direct_fd_ = -1;
}

void WebSocketSession::drop_waiting_frames() {
  const std::lock_guard lock(write_mutex_);
  drop_waiting_frames_locked();
}

void WebSocketSession::drop_waiting_frames_locked() {
  while (queued() > writing_) {
    if (queue_.back().opcode == WsOpcode::text) {
      outbound_bytes_->fetch_sub(queue_.back().payload->size(), std::memory_order_relaxed);
    }
    queue_.pop_back();
  }
}

}  // namespace otter::net::detail
