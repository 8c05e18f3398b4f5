#include "net/websocket_session.hpp"

#include <exception>
#include <utility>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "net/protocol.hpp"

namespace otter::net::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

// RFC 6455 5.5: a control frame's payload is at most 125 bytes, 2 of them the code.
constexpr std::size_t kMaxCloseReasonBytes = 123;

// The read buffer a message starts with. Beast would prepare 1536 bytes (its frame size)
// for every pending read, idle or not; protocol frames are mostly far smaller, and a
// larger message grows the buffer to what its frame header announces. After a message
// the buffer is freed if it grew past this, so an idle session holds at most this much.
constexpr std::size_t kFirstReadBytes = 256;

void fail(const beast::error_code& ec, const char* what) {
  if (ec == asio::error::operation_aborted || ec == websocket::error::closed) return;
  spdlog::debug("net: websocket {}: {}", what, ec.message());
}

std::string endpoint_text(const asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  const asio::ip::tcp::endpoint endpoint = socket.remote_endpoint(ec);
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

WebSocketSession::WebSocketSession(asio::ip::tcp::socket&& socket, std::shared_ptr<ServerState> state)
    : ws_(std::move(socket)),
      state_(std::move(state)),
      remote_endpoint_(endpoint_text(ws_.next_layer())),
      id_(state_->next_connection_id()),
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
  websocket::stream_base::timeout timeout{};
  timeout.handshake_timeout = config.websocket_handshake_timeout;
  // Beast pings after half the idle timeout and drops the connection if nothing arrived
  // in the other half: a ping every heartbeat_interval, one interval to answer it.
  timeout.idle_timeout = 2 * config.heartbeat_interval;
  timeout.keep_alive_pings = true;
  ws_.set_option(timeout);
  ws_.set_option(websocket::stream_base::decorator(
      [name = config.server_name](websocket::response_type& response) { response.set(http::field::server, name); }));
  // We enforce max_frame_bytes ourselves (on_read) to close with a reason Beast can't give.
  ws_.read_message_max(0);
  // One frame per message: a batch of ops goes out in one write.
  ws_.auto_fragment(false);
  ws_.async_accept(upgrade, beast::bind_front_handler(&WebSocketSession::on_accept, shared_from_this()));
}

void WebSocketSession::stop() {
  asio::post(ws_.get_executor(), [self = shared_from_this()] {
    self->request_close(CloseReason{*close_code(ErrorCode::shutting_down), "shutting_down", true}, false);
  });
}

void WebSocketSession::send(std::shared_ptr<const std::string> text) {
  if (!text) return;
  outbound_bytes_->fetch_add(text->size(), std::memory_order_relaxed);
  asio::post(ws_.get_executor(),
             [self = shared_from_this(), text = std::move(text)]() mutable { self->enqueue(std::move(text)); });
}

void WebSocketSession::close(CloseReason reason, bool discard_queued) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), reason = std::move(reason), discard_queued]() mutable {
    self->request_close(std::move(reason), discard_queued);
  });
}

void WebSocketSession::on_accept(beast::error_code ec) {
  if (ec) return fail(ec, "handshake");
  accepted_ = true;
  state_->open_websockets.fetch_add(1);
  counted_ = true;
  if (close_after_queue_) {  // stopped during the handshake: don't bother the factory
    do_close();
    return do_read();
  }
  try {
    handler_ = state_->factory()(
        std::make_shared<WebSocketConnection>(weak_from_this(), outbound_bytes_, remote_endpoint_, id_));
  } catch (const std::exception& e) {
    spdlog::error("net: websocket factory failed for {}: {}", remote_endpoint_, e.what());
  }
  if (!handler_) request_close(CloseReason{1013, "try_again_later", true}, false);
  do_read();
}

void WebSocketSession::do_read() {
  const std::size_t max_frame = state_->config().max_frame_bytes;
  // Read at most one byte past the limit: enough to know the message is too large.
  const std::size_t limit = buffer_.size() == 0 ? std::min(kFirstReadBytes, max_frame + 1)
                                                : max_frame + 1 - std::min(buffer_.size(), max_frame);
  reading_ = true;
  ws_.async_read_some(buffer_, limit, beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
}

void WebSocketSession::on_read(beast::error_code ec, std::size_t /*bytes*/) {
  reading_ = false;
  if (ec) {
    fail(ec, "read");
    if (sent_close_) return finish(*sent_close_);
    if (ec == websocket::error::closed) {
      const websocket::close_reason& peer = ws_.reason();
      return finish(CloseReason{peer.code, std::string(peer.reason.data(), peer.reason.size()), false});
    }
    if (&ec.category() == &beast::error_code(websocket::error::bad_opcode).category()) {
      // A protocol violation by the peer: Beast has already sent the close frame, 1007 for
      // a text frame that is not UTF-8 (RFC 6455 8.1), 1002 for the rest.
      const std::uint16_t code = ec == websocket::error::bad_frame_payload ? 1007 : 1002;
      return finish(CloseReason{code, ec.message(), true});
    }
    if (ec == beast::error::timeout) {
      return finish(CloseReason{1006, "heartbeat timeout: no answer to a ping within one interval", true});
    }
    return finish(CloseReason{1006, ec.message(), false});
  }
  if (buffer_.size() > state_->config().max_frame_bytes) {
    // No more reads: Beast's close drains the rest of the message and waits for the
    // peer's close frame; on_close then finishes.
    buffer_.consume(buffer_.size());
    return request_close(CloseReason{*close_code(ErrorCode::frame_too_large), "frame_too_large", true}, true);
  }
  if (!ws_.is_message_done()) return do_read();
  const bool shrink_after = buffer_.capacity() > kFirstReadBytes;

  if (ws_.got_binary()) {
    buffer_.consume(buffer_.size());
    outbound_bytes_->fetch_add(binary_frame_error()->size(), std::memory_order_relaxed);
    enqueue(binary_frame_error());
  } else {
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    // After a close was asked for, the handler hears nothing more but on_close.
    if (handler_ && !close_after_queue_ && !sent_close_) {
      try {
        handler_->on_text(std::move(text));
      } catch (const std::exception& e) {
        spdlog::error("net: websocket handler of {} failed: {}", remote_endpoint_, e.what());
        request_close(CloseReason{1011, "internal_error", true}, false);
      }
    }
  }
  if (shrink_after) buffer_.shrink_to_fit();  // empty now: frees it
  do_read();
}

void WebSocketSession::enqueue(std::shared_ptr<const std::string> text) {
  const std::size_t size = text->size();
  if (finished_ || !accepted_ || close_after_queue_ || sent_close_) {
    outbound_bytes_->fetch_sub(size, std::memory_order_relaxed);
    return;
  }
  if (outbound_bytes_->load(std::memory_order_relaxed) > state_->config().max_outbound_bytes) {
    outbound_bytes_->fetch_sub(size, std::memory_order_relaxed);
    return request_close(CloseReason{*close_code(ErrorCode::slow_consumer), "slow_consumer", true}, true);
  }
  queue_.push_back(std::move(text));
  if (queued() == 1) do_write();
}

void WebSocketSession::do_write() {
  ws_.text(true);
  ws_.async_write(asio::buffer(*queue_[queue_head_]),
                  beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
}

void WebSocketSession::on_write(beast::error_code ec, std::size_t /*bytes*/) {
  outbound_bytes_->fetch_sub(queue_[queue_head_]->size(), std::memory_order_relaxed);
  pop_front_frame();
  if (ec) {
    // The stream is broken; the pending read fails too and finishes the session.
    fail(ec, "write");
    return drop_queue(false);
  }
  if (queued() > 0) return do_write();
  if (close_after_queue_) do_close();
}

void WebSocketSession::request_close(CloseReason reason, bool discard_queued) {
  if (finished_ || sent_close_) return;
  if (!close_after_queue_) {
    reason.reason = clip_reason(std::move(reason.reason));
    close_after_queue_ = std::move(reason);
  }
  if (discard_queued) drop_queue(true);
  if (!accepted_) return;  // on_accept closes
  if (queued() == 0) do_close();
}

void WebSocketSession::do_close() {
  sent_close_ = std::move(close_after_queue_);
  close_after_queue_.reset();
  websocket::close_reason frame;
  frame.code = sent_close_->code;
  frame.reason.assign(sent_close_->reason.data(), sent_close_->reason.size());  // clipped to 123 bytes
  ws_.async_close(frame, beast::bind_front_handler(&WebSocketSession::on_close, shared_from_this()));
}

void WebSocketSession::on_close(beast::error_code ec) {
  fail(ec, "close");
  // With a read pending, its completion (error::closed) finishes; otherwise we do.
  if (!reading_) finish(*sent_close_);
}

void WebSocketSession::finish(CloseReason reason) {
  if (finished_) return;
  finished_ = true;
  drop_queue(true);
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

void WebSocketSession::drop_queue(bool keep_in_flight) {
  const std::size_t keep = keep_in_flight && queued() > 0 ? 1 : 0;
  while (queued() > keep) {
    outbound_bytes_->fetch_sub(queue_.back()->size(), std::memory_order_relaxed);
    queue_.pop_back();
  }
  if (queued() == 0) {
    queue_.clear();
    queue_head_ = 0;
  }
}

void WebSocketSession::pop_front_frame() noexcept {
  queue_[queue_head_].reset();
  if (++queue_head_ < queue_.size()) return;
  // Empty: start over at the front. The capacity stays (a few pointers), no allocation.
  queue_.clear();
  queue_head_ = 0;
}

}  // namespace otter::net::detail
