// Internal to net/: accepts TCP connections and hands each to an HttpSession on its own
// strand (Beast's advanced server example). Runs on its own strand.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "net/server_state.hpp"

namespace otter::net::detail {

class Listener : public std::enable_shared_from_this<Listener>, public Stoppable {
 public:
  Listener(boost::asio::io_context& io, std::shared_ptr<ServerState> state);
  ~Listener() override;

  // Opens, binds and listens; returns the bound port. Throws std::system_error.
  std::uint16_t open(const std::string& host, std::uint16_t port);
  // Starts accepting (call once, after open()).
  void run();
  void stop() override;

 private:
  void do_accept();
  void on_accept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  std::shared_ptr<ServerState> state_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;  // after an accept error such as EMFILE
  std::optional<std::uint64_t> registration_;
};

}  // namespace otter::net::detail
