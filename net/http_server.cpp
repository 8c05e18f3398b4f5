#include "net/http_server.hpp"

#include <stdexcept>

#include "net/listener.hpp"
#include "net/server_state.hpp"

namespace otter::net {

HttpServer::HttpServer(boost::asio::io_context& io, HttpServerConfig config, Router router,
                       ConnectionFactory websocket_factory)
    : io_(io),
      state_(std::make_shared<detail::ServerState>(io, std::move(config), std::move(router),
                                                   std::move(websocket_factory))) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  if (started_) throw std::logic_error("HttpServer::start() called twice");
  started_ = true;
  // The listener lives as long as its pending accept; stop() reaches it through the
  // registry. Holding it here would keep it (and stop()'s completion) alive forever.
  const auto listener = std::make_shared<detail::Listener>(io_, state_);
  port_ = listener->open(state_->config().host, state_->config().port);
  listener->run();
}

void HttpServer::stop(std::function<void()> on_stopped) { state_->stop(std::move(on_stopped)); }

std::size_t HttpServer::websocket_count() const noexcept { return state_->open_websockets.load(); }

const HttpServerConfig& HttpServer::config() const noexcept { return state_->config(); }

}  // namespace otter::net
