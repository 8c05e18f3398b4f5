// Internal to net/: one HTTP/1.1 connection (Beast's advanced server example): reads a
// request, answers it (route, static file, error), repeats while keep-alive; hands the
// socket to a WebSocketSession on an upgrade to websocket_path.
//
// Runs on its connection's strand (the socket's executor). Requests are answered in
// order, one at a time (no pipelining): the next read starts after the answer is written.
// Lifetime = its pending operations (each handler holds shared_from_this(); a Responder
// holds it too while a REST handler works).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "net/router.hpp"
#include "net/server_state.hpp"

namespace otter::net::detail {

class HttpSession : public std::enable_shared_from_this<HttpSession>, public Stoppable {
 public:
  HttpSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<ServerState> state);
  ~HttpSession() override;

  void run();
  void stop() override;

 private:
  using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void handle(HttpRequest request);
  void call_handler(const Handler& handler, Request request);
  void on_handler_answer(std::uint64_t request_number, Response response);
  void send(Response response);
  void on_write(boost::beast::error_code ec, std::size_t bytes, bool keep_alive);
  void do_close();

  boost::beast::tcp_stream stream_;
  // The connection's strand, copied: stop() posts to it from other threads, and the
  // stream's socket may be moving to a WebSocketSession at that moment.
  boost::beast::tcp_stream::executor_type strand_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<ServerState> state_;
  boost::asio::steady_timer handler_timer_;
  std::string remote_endpoint_;
  std::optional<std::uint64_t> registration_;

  // The request being answered (set from read until its response is written).
  std::uint64_t request_number_ = 0;
  bool awaiting_handler_ = false;
  bool keep_alive_ = false;
  bool head_request_ = false;
  unsigned version_ = 11;
  bool reading_ = false;
  bool stopping_ = false;
};

}  // namespace otter::net::detail
