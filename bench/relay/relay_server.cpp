#include "bench/relay/relay_server.hpp"

#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace otter::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

using Frame = std::shared_ptr<const std::string>;

class Connection;

// Connections by URL path. Broadcasting copies the receivers under the lock and sends
// outside it.
class Rooms {
 public:
  void join(const std::string& room, const std::shared_ptr<Connection>& connection) {
    const std::lock_guard lock(mutex_);
    rooms_[room].insert(connection);
  }
  void leave(const std::string& room, const std::shared_ptr<Connection>& connection) {
    const std::lock_guard lock(mutex_);
    const auto found = rooms_.find(room);
    if (found == rooms_.end()) return;
    found->second.erase(connection);
    if (found->second.empty()) rooms_.erase(found);
  }
  [[nodiscard]] std::vector<std::shared_ptr<Connection>> members(const std::string& room) const {
    const std::lock_guard lock(mutex_);
    const auto found = rooms_.find(room);
    if (found == rooms_.end()) return {};
    return {found->second.begin(), found->second.end()};
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::set<std::shared_ptr<Connection>>> rooms_;
};

const Frame kAck = std::make_shared<const std::string>(R"({"ack":1})");

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, Rooms& rooms) : ws_(std::move(socket)), rooms_(rooms) {}

  void start() {
    asio::dispatch(ws_.get_executor(), [self = shared_from_this()] { self->read_upgrade(); });
  }

  // From any thread.
  void deliver(Frame frame) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), frame = std::move(frame)]() mutable {
      self->outbox_.push_back(std::move(frame));
      if (self->outbox_.size() == 1) self->do_write();
    });
  }

 private:
  void read_upgrade() {
    http::async_read(beast::get_lowest_layer(ws_), buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_upgrade(ec); });
  }

  void on_upgrade(beast::error_code ec) {
    if (ec || !websocket::is_upgrade(request_)) return;
    room_ = std::string(request_.target());
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ignored);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024 * 1024);
    ws_.async_accept(request_, [self = shared_from_this()](beast::error_code error) { self->on_accept(error); });
  }

  void on_accept(beast::error_code ec) {
    if (ec) return;
    rooms_.join(room_, shared_from_this());
    joined_ = true;
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      if (joined_) rooms_.leave(room_, shared_from_this());
      joined_ = false;
      return;
    }
    const Frame frame = std::make_shared<const std::string>(beast::buffers_to_string(buffer_.data()));
    buffer_.consume(buffer_.size());
    outbox_.push_back(kAck);
    if (outbox_.size() == 1) do_write();
    for (const std::shared_ptr<Connection>& other : rooms_.members(room_)) {
      if (other.get() != this) other->deliver(frame);
    }
    do_read();
  }

  void do_write() {
    ws_.text(true);
    ws_.async_write(asio::buffer(*outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    outbox_.pop_front();
    if (ec) {
      outbox_.clear();
      return;
    }
    if (!outbox_.empty()) do_write();
  }

  websocket::stream<beast::tcp_stream> ws_;
  Rooms& rooms_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::string room_;
  bool joined_ = false;
  std::deque<Frame> outbox_;  // front: being written
};

}  // namespace

struct RelayServer::State {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  Rooms rooms;

  void accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<Connection>(std::move(socket), rooms)->start();
      accept();
    });
  }
};

RelayServer::RelayServer(const RelayOptions& options) : state_(std::make_unique<State>()) {
  const tcp::endpoint endpoint(asio::ip::make_address(options.host), options.port);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(asio::socket_base::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen(asio::socket_base::max_listen_connections);
  state_->accept();
}

RelayServer::~RelayServer() = default;

std::uint16_t RelayServer::port() const noexcept { return state_->acceptor.local_endpoint().port(); }

void RelayServer::run() { state_->io.run(); }

void RelayServer::stop() { state_->io.stop(); }

}  // namespace otter::bench
