// HttpServerConfig: every limit and timeout of the HTTP + WebSocket server, with its
// default as a named constant (docs/net.md lists them).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "net/static_files.hpp"

namespace otter::net {

inline constexpr std::size_t kDefaultMaxHeaderBytes = 16 * 1024;
inline constexpr std::size_t kDefaultMaxBodyBytes = 16 * 1024 * 1024;  // a whole document via REST
inline constexpr std::size_t kDefaultMaxFrameBytes = 1024 * 1024;      // protocol: max_frame_bytes
inline constexpr std::size_t kDefaultMaxOutboundBytes = 64 * 1024 * 1024;
inline constexpr std::chrono::milliseconds kDefaultHttpIdleTimeout{30'000};
inline constexpr std::chrono::milliseconds kDefaultHandlerTimeout{30'000};
inline constexpr std::chrono::milliseconds kDefaultWebSocketHandshakeTimeout{10'000};
inline constexpr std::chrono::milliseconds kDefaultHeartbeatInterval{15'000};

struct HttpServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: the OS picks a free port; HttpServer::port() tells which

  // HTTP: a request whose header block exceeds max_header_bytes gets 431, a body over
  // max_body_bytes 413; both close the connection. A connection that sends no complete
  // request for http_idle_timeout is closed (keep-alive idle, or a slow sender).
  std::size_t max_header_bytes = kDefaultMaxHeaderBytes;
  std::size_t max_body_bytes = kDefaultMaxBodyBytes;
  std::chrono::milliseconds http_idle_timeout = kDefaultHttpIdleTimeout;
  // An async REST handler that has not answered by then: 503 {"code": "timeout"}.
  std::chrono::milliseconds handler_timeout = kDefaultHandlerTimeout;

  // WebSocket: a message over max_frame_bytes closes the connection with 1009
  // "frame_too_large". A connection whose unsent queue exceeds max_outbound_bytes is closed
  // with 1008 "slow_consumer" (the backstop; server/ applies the protocol's own, smaller,
  // policy through Connection::outbound_bytes()).
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
  std::size_t max_outbound_bytes = kDefaultMaxOutboundBytes;
  // The opening handshake must finish within this.
  std::chrono::milliseconds websocket_handshake_timeout = kDefaultWebSocketHandshakeTimeout;
  // Every heartbeat_interval one sweep (net/heartbeat.hpp) pings each connection from which
  // nothing arrived since the last sweep, and drops one whose ping is still unanswered at
  // the next; a closing handshake still unfinished at the second sweep is dropped too.
  std::chrono::milliseconds heartbeat_interval = kDefaultHeartbeatInterval;

  std::string server_name = "otterd/0.1.0";  // the Server header
  std::string websocket_path = "/ws";
  // Paths under this prefix that match no route get a JSON 404, never a static file.
  std::string api_prefix = "/api/";
  // The frontend's build output; nullopt: no static files (non-API paths get 404).
  std::optional<std::filesystem::path> static_root;
  std::vector<std::string> spa_prefixes = {"/d/", "/dashboard"};
};

}  // namespace otter::net
