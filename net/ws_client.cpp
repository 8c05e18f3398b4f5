#include "net/ws_client.hpp"

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace otter::net {
namespace detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// Lives on the IoThread's strand; the WsClient and pending handlers share it.
class WsClientSession : public std::enable_shared_from_this<WsClientSession> {
 public:
  WsClientSession(asio::io_context& io, const WsClientOptions& options)
      : options_(options), strand_(asio::make_strand(io)), resolver_(strand_), ws_(strand_) {}

  // Resolves, connects and shakes hands; `connected` gets the outcome.
  void start(std::promise<void>& connected) {
    connected_ = &connected;
    resolver_.async_resolve(options_.host, std::to_string(options_.port),
                            beast::bind_front_handler(&WsClientSession::on_resolve, shared_from_this()));
  }

  void send(std::string data, bool binary) {
    asio::post(strand_, [self = shared_from_this(), data = std::move(data), binary]() mutable {
      if (self->close_requested_ || self->ended()) return;
      self->outbox_.emplace_back(std::move(data), binary);
      if (self->outbox_.size() == 1) self->do_write();
    });
  }

  void close(std::uint16_t code, std::string reason) {
    asio::post(strand_, [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
      if (self->close_requested_ || self->ended()) return;
      self->close_requested_ = CloseReason{code, std::move(reason), true};
      if (self->outbox_.empty()) self->do_close();
    });
  }

  // Drops the TCP connection without a handshake (after a close that timed out).
  void abort() {
    asio::post(strand_, [self = shared_from_this()] {
      beast::error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
    });
  }

  std::optional<std::string> receive(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [this] { return !inbox_.empty() || closed_.has_value(); });
    if (inbox_.empty()) return std::nullopt;
    std::string message = std::move(inbox_.front());
    inbox_.pop_front();
    return message;
  }

  std::optional<CloseReason> wait_closed(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [this] { return closed_.has_value(); });
    return closed_;
  }

  bool ended() const {
    const std::lock_guard lock(mutex_);
    return closed_.has_value();
  }

 private:
  void fail_connect(const beast::error_code& ec, const char* step) {
    connected_->set_exception(std::make_exception_ptr(ClientError(
        "cannot connect to ws://" + options_.host + ":" + std::to_string(options_.port) + options_.target + ": " +
        step + " failed: " + ec.message())));
    connected_ = nullptr;
    end(CloseReason{1006, ec.message(), true});
  }

  void on_resolve(beast::error_code ec, const tcp::resolver::results_type& results) {
    if (ec) return fail_connect(ec, "resolve");
    beast::get_lowest_layer(ws_).expires_after(options_.timeout);
    beast::get_lowest_layer(ws_).async_connect(
        results, beast::bind_front_handler(&WsClientSession::on_connect, shared_from_this()));
  }

  void on_connect(beast::error_code ec, const tcp::endpoint& /*endpoint*/) {
    if (ec) return fail_connect(ec, "connect");
    beast::get_lowest_layer(ws_).expires_never();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ignored);
    websocket::stream_base::timeout timeout = websocket::stream_base::timeout::suggested(beast::role_type::client);
    timeout.handshake_timeout = options_.timeout;
    ws_.set_option(timeout);
    ws_.read_message_max(options_.max_message_bytes);
    ws_.auto_fragment(false);
    ws_.async_handshake(options_.host + ":" + std::to_string(options_.port), options_.target,
                        beast::bind_front_handler(&WsClientSession::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return fail_connect(ec, "WebSocket handshake");
    connected_->set_value();
    connected_ = nullptr;
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&WsClientSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) {
      if (ec == websocket::error::closed) {
        const websocket::close_reason& reason = ws_.reason();
        return end(CloseReason{reason.code, std::string(reason.reason.data(), reason.reason.size()),
                               sent_close_.has_value()});
      }
      if (sent_close_) return end(*sent_close_);
      return end(CloseReason{1006, ec.message(), false});
    }
    {
      const std::lock_guard lock(mutex_);
      inbox_.push_back(beast::buffers_to_string(buffer_.data()));
    }
    buffer_.consume(buffer_.size());
    changed_.notify_all();
    do_read();
  }

  void do_write() {
    ws_.binary(outbox_.front().second);
    ws_.async_write(asio::buffer(outbox_.front().first),
                    beast::bind_front_handler(&WsClientSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t /*bytes*/) {
    outbox_.pop_front();
    if (ec) {
      outbox_.clear();  // the read fails too and records why
      return;
    }
    if (!outbox_.empty()) return do_write();
    if (close_requested_ && !sent_close_) do_close();
  }

  void do_close() {
    sent_close_ = close_requested_;
    websocket::close_reason frame;
    frame.code = sent_close_->code;
    frame.reason.assign(sent_close_->reason.data(), std::min<std::size_t>(sent_close_->reason.size(), 123));
    ws_.async_close(frame, [self = shared_from_this()](beast::error_code) {});
  }

  void end(CloseReason reason) {
    {
      const std::lock_guard lock(mutex_);
      if (!closed_) closed_ = std::move(reason);
    }
    changed_.notify_all();
  }

  const WsClientOptions options_;
  asio::strand<asio::io_context::executor_type> strand_;
  tcp::resolver resolver_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::promise<void>* connected_ = nullptr;  // during start() only
  std::deque<std::pair<std::string, bool>> outbox_;  // (data, binary); front = being written
  std::optional<CloseReason> close_requested_;
  std::optional<CloseReason> sent_close_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> inbox_;        // guarded by mutex_
  std::optional<CloseReason> closed_;    // guarded by mutex_
};

}  // namespace detail

WsClient::WsClient(const WsClientOptions& options, std::shared_ptr<IoThread> io)
    : io_(io ? std::move(io) : std::make_shared<IoThread>()),
      session_(std::make_shared<detail::WsClientSession>(io_->context(), options)),
      timeout_(options.timeout) {
  std::promise<void> connected;
  std::future<void> outcome = connected.get_future();
  session_->start(connected);
  // The connect and handshake timers bound this; the margin only guards against a bug.
  if (outcome.wait_for(2 * timeout_ + std::chrono::seconds(1)) != std::future_status::ready) {
    session_->abort();
    outcome.wait();
  }
  outcome.get();  // throws ClientError if the connection failed
}

WsClient::~WsClient() {
  if (session_ && !session_->ended()) {
    close();
  }
}

void WsClient::send(std::string text) { session_->send(std::move(text), false); }

void WsClient::send_binary(std::string bytes) { session_->send(std::move(bytes), true); }

std::optional<std::string> WsClient::receive(std::chrono::milliseconds timeout) { return session_->receive(timeout); }

std::optional<CloseReason> WsClient::wait_closed(std::chrono::milliseconds timeout) {
  return session_->wait_closed(timeout);
}

void WsClient::close(std::uint16_t code, std::string reason) {
  session_->close(code, std::move(reason));
  if (!session_->wait_closed(timeout_)) {
    session_->abort();
    (void)session_->wait_closed(timeout_);
  }
}

bool WsClient::is_open() const { return !session_->ended(); }

}  // namespace otter::net
