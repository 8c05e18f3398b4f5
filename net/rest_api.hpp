// RestApi: the headless HTTP API of otterd (docs/api.md, docs/openapi.yaml), plus the
// operational endpoints /healthz and /metrics, as routes of a net::Router.
//
//   net::RestApi rest(service, {.threads = 8, .admin = config.admin_enabled});
//   net::Router router;
//   rest.add_routes(router);
//   HttpServer server(io, http_config, std::move(router), factory);
//   ...
//   server.stop(...);  rest.stop();  service.stop();
//
// Routes
//   GET    /healthz                              200 {"status":"ok"}
//   GET    /metrics                              Prometheus text format 0.0.4
//   GET    /api/docs                             every document
//   POST   /api/docs                             create {"id", "text"?}           -> 201
//   GET    /api/docs/{id}                        durable text and revision
//   DELETE /api/docs/{id}                        -> 204
//   POST   /api/docs/{id}/ops                    an op at a base revision, transformed like
//                                                any client's -> the revision and the op as applied
//   GET    /api/docs/{id}/ops?since=R&limit=N    history: the ops after revision R
//   GET    /api/docs/{id}/revisions/{revision}   the text at an old revision
//   POST   /api/admin/docs/{id}/crash            (only with admin) crash the document's process
//
// Contract
// - Handlers never block an I/O thread: every request that talks to a document process or
//   to storage runs on the API's own pool of `threads` blocking threads (not storage's
//   task pool: a request waiting there for a document that is itself waiting for a storage
//   thread to load it would deadlock). At most `max_in_flight` such requests are queued
//   or running; beyond that the answer is 503 {"code":"overloaded"} at once.
// - Errors are JSON {"code", "message"} with the protocol's stable codes where they apply
//   (net/error_code.hpp) and an HTTP status per code (http_status()); a few codes are
//   HTTP-only: bad_request, doc_exists, overloaded, shutting_down.
// - An op is acknowledged (200) only once it is durable, exactly like a WebSocket ack.
//   Ops sent with {"client_id", "seq"} are idempotent: a resend after a timeout or a 5xx
//   answers with the original revision and "duplicate": true.
// - stop(): new requests are answered 503 shutting_down; requests already queued or
//   running finish (their document calls are bounded by call_timeout); returns when the
//   pool is idle. Idempotent. The routes stay valid after stop() and after the RestApi is
//   destroyed (they hold the shared state, not `this`); they answer shutting_down then.
// - The Service must outlive stop(); the routes touch it only while the API is running.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "net/error_code.hpp"
#include "net/router.hpp"

namespace otter::server {
class Service;
}  // namespace otter::server

namespace otter::net {

inline constexpr unsigned kDefaultRestThreads = 8;
inline constexpr std::size_t kDefaultRestMaxInFlight = 1024;
inline constexpr std::chrono::milliseconds kDefaultRestCallTimeout{10'000};
inline constexpr std::size_t kDefaultHistoryPage = 1'000;
inline constexpr std::size_t kDefaultMaxHistoryPage = 10'000;

struct RestOptions {
  unsigned threads = kDefaultRestThreads;              // blocking threads for API requests
  std::size_t max_in_flight = kDefaultRestMaxInFlight;  // queued + running, then 503 overloaded
  std::chrono::milliseconds call_timeout = kDefaultRestCallTimeout;  // per document call
  std::size_t max_history_page = kDefaultMaxHistoryPage;  // the largest `limit` of a history page
  std::size_t max_op_bytes = 256 * 1024;  // an op's compact JSON (op_too_large), as on WebSockets
  bool admin = false;                     // register /api/admin/... (tests, dashboard)
  // Extra Prometheus text appended to /metrics (otterd's own gauges); may be empty.
  std::function<std::string()> extra_metrics{};
};

// The HTTP status a protocol error code answers with over REST.
[[nodiscard]] int http_status(ErrorCode code) noexcept;

class RestApi {
 public:
  RestApi(server::Service& service, RestOptions options);
  ~RestApi();
  RestApi(const RestApi&) = delete;
  RestApi& operator=(const RestApi&) = delete;

  void add_routes(Router& router) const;
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace otter::net
