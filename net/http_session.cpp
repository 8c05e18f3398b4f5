#include "net/http_session.hpp"

#include <exception>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include "net/websocket_session.hpp"

namespace otter::net::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

void fail(const beast::error_code& ec, const char* what) {
  if (ec == asio::error::operation_aborted || ec == beast::error::timeout || ec == asio::error::eof ||
      ec == http::error::end_of_stream) {
    return;
  }
  spdlog::debug("net: http {}: {}", what, ec.message());
}

// True for a Beast HTTP parse error (malformed request), as opposed to a network error.
bool is_http_parse_error(const beast::error_code& ec) {
  return &ec.category() == &beast::error_code(http::error::bad_method).category();
}

std::string endpoint_text(const asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  const asio::ip::tcp::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  const asio::ip::address address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string joined;
  for (const std::string& item : items) {
    if (!joined.empty()) joined += separator;
    joined += item;
  }
  return joined;
}

Request to_request(const http::request<http::string_body>& message, std::string_view path, std::string_view query,
                   const std::string& remote_endpoint) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  request.path = std::string(path);
  request.query = parse_query(query);
  for (const auto& field : message) {
    request.headers.push_back(Header{std::string(field.name_string()), std::string(field.value())});
  }
  request.body = message.body();
  request.remote_endpoint = remote_endpoint;
  return request;
}

}  // namespace

HttpSession::HttpSession(asio::ip::tcp::socket&& socket, std::shared_ptr<ServerState> state)
    : stream_(std::move(socket)),
      strand_(stream_.get_executor()),
      state_(std::move(state)),
      handler_timer_(strand_),
      remote_endpoint_(endpoint_text(stream_.socket())) {}

HttpSession::~HttpSession() {
  if (registration_) state_->leave(*registration_);
}

void HttpSession::run() {
  registration_ = state_->enter(weak_from_this());
  if (!registration_) return;  // the server is stopping: the socket closes with us
  // The listener calls run() from its own strand; from here on, ours.
  asio::dispatch(strand_, [self = shared_from_this()] { self->do_read(); });
}

void HttpSession::stop() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopping_ = true;
    // An idle keep-alive connection: end it now. A request being answered finishes first
    // (its response says Connection: close).
    if (self->reading_) self->stream_.cancel();
  });
}

void HttpSession::do_read() {
  if (stopping_) return do_close();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(state_->config().max_header_bytes));
  parser_->body_limit(state_->config().max_body_bytes);
  stream_.expires_after(state_->config().http_idle_timeout);
  reading_ = true;
  http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t /*bytes*/) {
  reading_ = false;
  if (ec == http::error::end_of_stream) return do_close();
  if (ec == http::error::body_limit || ec == http::error::header_limit || is_http_parse_error(ec)) {
    ++request_number_;
    keep_alive_ = false;
    head_request_ = false;
    version_ = 11;
    if (ec == http::error::body_limit) {
      return send(json_error(413, "payload_too_large",
                             "the request body exceeds " + std::to_string(state_->config().max_body_bytes) + " bytes"));
    }
    if (ec == http::error::header_limit) {
      return send(json_error(431, "headers_too_large",
                             "the request headers exceed " + std::to_string(state_->config().max_header_bytes) +
                                 " bytes"));
    }
    if (ec != http::error::partial_message) {
      return send(json_error(400, "bad_request", "the request is not valid HTTP/1.1: " + ec.message()));
    }
  }
  if (ec) return fail(ec, "read");
  handle(parser_->release());
}

void HttpSession::handle(HttpRequest message) {
  ++request_number_;
  keep_alive_ = message.keep_alive();
  version_ = message.version();
  head_request_ = message.method() == http::verb::head;
  const HttpServerConfig& config = state_->config();

  if (state_->stopping()) {
    keep_alive_ = false;
    return send(json_error(503, "shutting_down", "the server is stopping; retry later"));
  }
  const std::string_view target(message.target().data(), message.target().size());
  if (target.empty() || target.front() != '/') {
    keep_alive_ = false;
    return send(json_error(400, "bad_request", "the request target must be a path starting with '/'"));
  }
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);

  if (path == config.websocket_path) {
    if (!state_->factory()) return send(json_error(404, "not_found", "this server has no WebSocket endpoint"));
    if (!beast::websocket::is_upgrade(message)) {
      Response response = json_error(426, "upgrade_required", std::string(path) + " speaks WebSocket only");
      response.headers.push_back(Header{"Upgrade", "websocket"});
      return send(std::move(response));
    }
    // The WebSocket session takes over the socket, and this session ends.
    stream_.expires_never();
    std::make_shared<WebSocketSession>(stream_.release_socket(), state_)->run(std::move(message));
    return;
  }

  const std::string_view method(message.method_string().data(), message.method_string().size());
  Router::Route route = state_->router().route(method, path);
  switch (route.outcome) {
    case Router::Outcome::found: {
      Request request = to_request(message, path, query, remote_endpoint_);
      request.path_params = std::move(route.params);
      return call_handler(*route.handler, std::move(request));
    }
    case Router::Outcome::bad_request: return send(json_error(400, "bad_request", route.error));
    case Router::Outcome::method_not_allowed: {
      Response response = json_error(405, "method_not_allowed",
                                     std::string(method) + " is not allowed on " + std::string(path) +
                                         "; allowed: " + join(route.allowed, ", "));
      response.headers.push_back(Header{"Allow", join(route.allowed, ", ")});
      return send(std::move(response));
    }
    case Router::Outcome::no_route: break;
  }
  const StaticFiles* files = state_->static_files();
  if (files == nullptr || path.starts_with(config.api_prefix)) {
    return send(json_error(404, "not_found", "no route for " + std::string(method) + " " + std::string(path)));
  }
  if (message.method() != http::verb::get && message.method() != http::verb::head) {
    Response response = json_error(405, "method_not_allowed", std::string(method) + " is not allowed on static files");
    response.headers.push_back(Header{"Allow", "GET, HEAD"});
    return send(std::move(response));
  }
  send(files->serve(path));
}

void HttpSession::call_handler(const Handler& handler, Request request) {
  awaiting_handler_ = true;
  const std::uint64_t number = request_number_;
  // The answer may come from any thread: back to our strand with it.
  const Responder respond([self = shared_from_this(), number](Response response) {
    asio::post(self->strand_, [self, number, response = std::move(response)]() mutable {
      self->on_handler_answer(number, std::move(response));
    });
  });
  handler_timer_.expires_after(state_->config().handler_timeout);
  handler_timer_.async_wait([self = shared_from_this(), number](const beast::error_code& ec) {
    if (ec) return;
    self->on_handler_answer(number, json_error(503, "timeout",
                                               "the request was not answered within " +
                                                   std::to_string(self->state_->config().handler_timeout.count()) +
                                                   " ms"));
  });
  try {
    handler(std::move(request), respond);
  } catch (const std::exception& e) {
    spdlog::error("net: handler for {} failed: {}", remote_endpoint_, e.what());
    respond(json_error(500, "internal_error", "the request's handler failed"));
  } catch (...) {
    spdlog::error("net: handler for {} failed with a non-standard exception", remote_endpoint_);
    respond(json_error(500, "internal_error", "the request's handler failed"));
  }
}

void HttpSession::on_handler_answer(std::uint64_t request_number, Response response) {
  if (request_number != request_number_ || !awaiting_handler_) return;  // a late answer, after the timeout
  awaiting_handler_ = false;
  handler_timer_.cancel();
  send(std::move(response));
}

void HttpSession::send(Response response) {
  auto message = std::make_shared<http::response<http::string_body>>();
  message->version(version_);
  message->result(static_cast<unsigned>(response.status));
  message->set(http::field::server, state_->config().server_name);
  message->set(http::field::content_type, response.content_type);
  for (const Header& header : response.headers) message->insert(header.name, header.value);
  const bool keep_alive = keep_alive_ && !stopping_ && !state_->stopping();
  message->keep_alive(keep_alive);
  if (head_request_) {
    message->content_length(response.body.size());  // what a GET would send, without the body
  } else {
    message->body() = std::move(response.body);
    message->prepare_payload();
  }
  stream_.expires_after(state_->config().http_idle_timeout);
  http::async_write(stream_, *message,
                    [self = shared_from_this(), message, keep_alive](beast::error_code ec, std::size_t bytes) {
                      self->on_write(ec, bytes, keep_alive);
                    });
}

void HttpSession::on_write(beast::error_code ec, std::size_t /*bytes*/, bool keep_alive) {
  if (ec) return fail(ec, "write");
  if (!keep_alive) return do_close();
  do_read();
}

void HttpSession::do_close() {
  beast::error_code ec;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
}

}  // namespace otter::net::detail
