#include "net/http_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace otter::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

}  // namespace

// Synchronous on the outside, asynchronous inside: each step starts one async operation
// and runs the private io_context until it completes, so tcp_stream's timeout applies.
struct HttpClient::Impl {
  explicit Impl(HttpClientOptions o) : options(std::move(o)) {}

  beast::error_code run() {
    io.restart();
    io.run();
    return last_error;
  }

  void connect() {
    stream.emplace(io);
    buffer.clear();
    tcp::resolver resolver(io);
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(options.host, std::to_string(options.port),
                           [this, &endpoints](beast::error_code ec, tcp::resolver::results_type results) {
                             last_error = ec;
                             endpoints = std::move(results);
                           });
    if (const beast::error_code ec = run()) throw error("resolve", ec);
    stream->expires_after(options.timeout);
    stream->async_connect(endpoints, [this](beast::error_code ec, const tcp::endpoint&) { last_error = ec; });
    if (const beast::error_code ec = run()) throw error("connect", ec);
    beast::error_code ignored;
    stream->socket().set_option(tcp::no_delay(true), ignored);
  }

  // One exchange on the current connection; an error code instead of a response if the
  // transport failed.
  beast::error_code exchange(const http::request<http::string_body>& request, bool is_head, HttpResponse& out) {
    stream->expires_after(options.timeout);
    http::async_write(*stream, request, [this](beast::error_code ec, std::size_t) { last_error = ec; });
    if (const beast::error_code ec = run()) return ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    parser.skip(is_head);
    http::async_read(*stream, buffer, parser, [this](beast::error_code ec, std::size_t) { last_error = ec; });
    if (const beast::error_code ec = run()) return ec;
    const http::response<http::string_body>& response = parser.get();
    out.status = static_cast<int>(response.result_int());
    out.body = response.body();
    out.headers.clear();
    for (const auto& field : response) {
      out.headers.push_back(Header{std::string(field.name_string()), std::string(field.value())});
    }
    if (!response.keep_alive()) stream.reset();
    return {};
  }

  ClientError error(const char* step, const beast::error_code& ec) const {
    return ClientError("HTTP request to " + options.host + ":" + std::to_string(options.port) + ": " + step +
                       " failed: " + ec.message());
  }

  HttpClientOptions options;
  asio::io_context io{1};
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  beast::error_code last_error;
};

HttpClient::HttpClient(HttpClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::request(std::string_view method, std::string_view target, std::string body,
                                 std::string_view content_type, const std::vector<Header>& headers) {
  http::request<http::string_body> request;
  const http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    request.method_string(method);
  } else {
    request.method(verb);
  }
  request.target(target);
  request.version(11);
  request.set(http::field::host, impl_->options.host + ":" + std::to_string(impl_->options.port));
  request.set(http::field::user_agent, "otter-http-client");
  for (const Header& header : headers) request.insert(header.name, header.value);
  if (!body.empty() || verb == http::verb::put || verb == http::verb::post) {
    request.set(http::field::content_type, content_type);
    request.body() = std::move(body);
  }
  request.keep_alive(true);
  request.prepare_payload();

  const bool is_head = verb == http::verb::head;
  // A kept-alive connection the server has since closed fails on first use: retry once on
  // a fresh one. A fresh connection's failure is final.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl_->stream.has_value();
    if (!reused) impl_->connect();
    HttpResponse response;
    const beast::error_code ec = impl_->exchange(request, is_head, response);
    if (!ec) return response;
    impl_->stream.reset();
    if (!reused || ec == beast::error::timeout) throw impl_->error("request", ec);
  }
  throw ClientError("HTTP request to " + impl_->options.host + " failed twice");
}

}  // namespace otter::net
