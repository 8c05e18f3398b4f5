#include "net/listener.hpp"

#include <chrono>
#include <system_error>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "net/http_session.hpp"

namespace otter::net::detail {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// After a failed accept (out of file descriptors, typically) wait before retrying, so the
// listener does not spin.
constexpr std::chrono::milliseconds kAcceptErrorBackoff{50};

[[noreturn]] void throw_system_error(const boost::system::error_code& ec, const std::string& what) {
  throw std::system_error(std::error_code(ec.value(), std::system_category()), what);
}

}  // namespace

Listener::Listener(asio::io_context& io, std::shared_ptr<ServerState> state)
    : io_(io), state_(std::move(state)), strand_(asio::make_strand(io)), acceptor_(strand_), backoff_(strand_) {}

Listener::~Listener() {
  if (registration_) state_->leave(*registration_);
}

std::uint16_t Listener::open(const std::string& host, std::uint16_t port) {
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) throw_system_error(ec, "cannot listen on \"" + host + "\": not an IP address");
  const tcp::endpoint endpoint(address, port);
  const std::string where = host + ":" + std::to_string(port);
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) throw_system_error(ec, "cannot open a socket for " + where);
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) throw_system_error(ec, "cannot set SO_REUSEADDR on " + where);
  acceptor_.bind(endpoint, ec);
  if (ec) throw_system_error(ec, "cannot bind " + where);
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw_system_error(ec, "cannot listen on " + where);
  return acceptor_.local_endpoint().port();
}

void Listener::run() {
  registration_ = state_->enter(weak_from_this());
  if (!registration_) return;  // stopped before it started
  asio::dispatch(strand_, [self = shared_from_this()] { self->do_accept(); });
}

void Listener::stop() {
  asio::post(strand_, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->backoff_.cancel();
  });
}

void Listener::do_accept() {
  if (!acceptor_.is_open()) return;
  // Each connection gets its own strand: its handlers never run concurrently.
  acceptor_.async_accept(asio::make_strand(io_),
                         [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
                           self->on_accept(ec, std::move(socket));
                         });
}

void Listener::on_accept(const boost::system::error_code& ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    spdlog::warn("net: accept failed: {}; retrying in {} ms", ec.message(), kAcceptErrorBackoff.count());
    backoff_.expires_after(kAcceptErrorBackoff);
    backoff_.async_wait([self = shared_from_this()](const boost::system::error_code& wait_ec) {
      if (!wait_ec) self->do_accept();
    });
    return;
  }
  boost::system::error_code option_ec;
  // Nagle plus delayed ACKs costs ~40 ms per small frame round trip.
  socket.set_option(tcp::no_delay(true), option_ec);
  std::make_shared<HttpSession>(std::move(socket), state_)->run();
  do_accept();
}

}  // namespace otter::net::detail
