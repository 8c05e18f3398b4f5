// HttpServer: the HTTP + WebSocket front door of otterd, on an io_context the caller runs
// (otterd shares the core runtime's). No Beast in this header.
//
//   HttpServer server(io, config, std::move(router), factory);
//   server.start();            // binds HOST:PORT and accepts; port() is the bound port
//   ... io runs on any number of threads ...
//   server.stop([] { ... });   // graceful; the callback runs (on io) when all is done
//
// What it serves, per request path:
//   /ws (websocket_path)     WebSocket upgrade -> ConnectionFactory (net/connection.hpp);
//                            a plain GET gets 426
//   a route of the Router    the route's handler (net/router.hpp); 405 if only the method
//                            is wrong
//   under /api/ (api_prefix) 404 {"code": "not_found"}
//   anything else            static files (net/static_files.hpp), if static_root is set
//
// Lifecycle
// - start() throws std::system_error if the address cannot be bound; it may be called once.
// - stop(on_stopped), from any thread, idempotent: stops accepting; answers requests being
//   handled, then closes their connections; closes idle keep-alive connections; closes
//   every WebSocket with 1001 "shutting_down" after the frames already queued. When the
//   last connection is gone, on_stopped is posted to the io_context. The io_context must
//   keep running until then. A request arriving meanwhile gets 503 "shutting_down".
// - The destructor calls stop() without waiting. Connections still running keep what they
//   need alive (the config, router and factory) until they end.
// Threading: one strand per connection (Beast examples); the listener has its own. See
// docs/net.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "net/connection.hpp"
#include "net/router.hpp"
#include "net/server_config.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace otter::net {

namespace detail {
class ServerState;
}  // namespace detail

class HttpServer {
 public:
  // `websocket_factory` may be empty: then /ws answers 404.
  HttpServer(boost::asio::io_context& io, HttpServerConfig config, Router router, ConnectionFactory websocket_factory);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void start();
  void stop(std::function<void()> on_stopped = {});

  // The bound port (valid after start()).
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  // Open WebSocket connections (for metrics and tests).
  [[nodiscard]] std::size_t websocket_count() const noexcept;
  [[nodiscard]] const HttpServerConfig& config() const noexcept;

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<detail::ServerState> state_;
  bool started_ = false;
  std::uint16_t port_ = 0;
};

}  // namespace otter::net
