#include "bench/load/ws_connection.hpp"

#include <deque>
#include <utility>

#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace otter::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

class BeastConnection : public WsConnection, public std::enable_shared_from_this<BeastConnection> {
 public:
  BeastConnection(asio::io_context& io, std::string host_header, std::string target, WsHandlers handlers)
      : ws_(io), host_header_(std::move(host_header)), target_(std::move(target)), handlers_(std::move(handlers)) {}

  void start(const tcp::endpoint& server) {
    beast::get_lowest_layer(ws_).expires_after(kConnectTimeout);
    beast::get_lowest_layer(ws_).async_connect(
        server, [self = shared_from_this()](beast::error_code ec) { self->on_connect(ec); });
  }

  void send(std::string frame) override {
    if (ended_ || close_requested_) return;
    outbox_.push_back(std::move(frame));
    if (open_ && outbox_.size() == 1) do_write();
  }

  void close() override {
    if (ended_ || close_requested_) return;
    close_requested_ = true;
    if (open_ && outbox_.empty()) do_close();
    if (!open_) end("closed before it opened");
  }

  [[nodiscard]] std::size_t queued() const noexcept override { return outbox_.size(); }

 private:
  static constexpr std::chrono::seconds kConnectTimeout{30};

  void on_connect(beast::error_code ec) {
    if (ec) return end("connect: " + ec.message());
    beast::get_lowest_layer(ws_).expires_never();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ignored);
    websocket::stream_base::timeout timeout = websocket::stream_base::timeout::suggested(beast::role_type::client);
    timeout.handshake_timeout = kConnectTimeout;
    ws_.set_option(timeout);
    ws_.auto_fragment(false);
    ws_.read_message_max(256 * 1024 * 1024);
    ws_.async_handshake(host_header_, target_,
                        [self = shared_from_this()](beast::error_code error) { self->on_handshake(error); });
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return end("WebSocket handshake: " + ec.message());
    if (ended_) return;
    open_ = true;
    if (!outbox_.empty()) do_write();  // frames sent while connecting
    do_read();
    // Sends made by on_open start their own write (one write in flight at a time).
    if (handlers_.on_open) handlers_.on_open();
  }

  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      const bool clean = ec == websocket::error::closed && close_requested_;
      return end(clean ? std::string() : "read: " + ec.message());
    }
    const auto data = buffer_.cdata();
    if (handlers_.on_message && !ended_) {
      handlers_.on_message(std::string_view(static_cast<const char*>(data.data()), data.size()));
    }
    buffer_.consume(buffer_.size());
    do_read();
  }

  void do_write() {
    ws_.text(true);
    ws_.async_write(asio::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    outbox_.pop_front();
    if (ec) {
      outbox_.clear();  // the read fails too and reports why
      return;
    }
    if (!outbox_.empty()) return do_write();
    if (close_requested_) do_close();
  }

  void do_close() {
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {});
  }

  void end(std::string why) {
    if (ended_) return;
    ended_ = true;
    if (handlers_.on_closed) handlers_.on_closed(why);
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::string host_header_;
  std::string target_;
  WsHandlers handlers_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;  // front: being written
  bool open_ = false;
  bool close_requested_ = false;
  bool ended_ = false;
};

}  // namespace

std::shared_ptr<WsConnection> open_ws_connection(asio::io_context& io, const tcp::endpoint& server,
                                                 std::string host_header, std::string target, WsHandlers handlers) {
  auto connection =
      std::make_shared<BeastConnection>(io, std::move(host_header), std::move(target), std::move(handlers));
  connection->start(server);
  return connection;
}

}  // namespace otter::bench
