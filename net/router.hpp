// Router: REST routes (method, path pattern) -> asynchronous handler. No Beast here.
//
//   Router router;
//   router.add("GET", "/api/docs/{id}", [](Request request, Responder respond) {
//     // ... ask the document process, then, on any thread:
//     respond(Response::json(200, body));
//   });
//   router.add("GET", "/api/health", respond_with([](const Request&) { return Response::json(200, "{}"); }));
//
// Contract
// - A pattern is a path of '/'-separated segments; a segment is a literal or {name}, which
//   matches one non-empty segment. Matching is on the percent-encoded path, segment by
//   segment, so "%2F" inside a parameter stays inside it; parameters are then
//   percent-decoded (a malformed escape: route() says bad_request).
// - route(): found (handler + params), method_not_allowed (the path matches some pattern
//   but not with this method; `allowed` lists the methods) or no_route.
// - add() throws std::invalid_argument for a malformed pattern or a duplicate
//   (method, pattern). Configure before the server starts; afterwards the router is read
//   from many threads and must not change.
// - A handler runs on the connection's strand and must not block: it answers by calling
//   its Responder once, from any thread, now or later. A second call is ignored. If every
//   copy of the Responder is destroyed unanswered, the client gets 500 internal_error; if
//   the answer takes longer than HttpServerConfig::handler_timeout, 503 timeout. An
//   exception thrown by the handler becomes 500 internal_error.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_types.hpp"

namespace otter::net {

// The one-shot answer channel of a request. Copyable; all copies share one answer.
class Responder {
 public:
  using Deliver = std::function<void(Response)>;

  explicit Responder(Deliver deliver);
  void operator()(Response response) const;
  // True once an answer was given (by any copy).
  [[nodiscard]] bool answered() const noexcept;

 private:
  struct Slot {
    explicit Slot(Deliver d) : deliver(std::move(d)) {}
    ~Slot();
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    Deliver deliver;
    std::atomic<bool> answered{false};
  };
  std::shared_ptr<Slot> slot_;
};

using Handler = std::function<void(Request, Responder)>;

// Adapts a synchronous handler (computes the Response on the strand, quickly).
[[nodiscard]] Handler respond_with(std::function<Response(const Request&)> handler);

class Router {
 public:
  enum class Outcome { found, method_not_allowed, no_route, bad_request };

  struct Route {
    Outcome outcome = Outcome::no_route;
    const Handler* handler = nullptr;                          // when found
    std::map<std::string, std::string, std::less<>> params;    // when found, decoded
    std::vector<std::string> allowed;                          // when method_not_allowed
    std::string error;                                         // when bad_request
  };

  Router& add(std::string method, std::string_view pattern, Handler handler);

  [[nodiscard]] Route route(std::string_view method, std::string_view path) const;
  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }

 private:
  struct Segment {
    std::string text;  // literal text, or the parameter's name
    bool is_param = false;
  };
  struct Entry {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
  };

  std::vector<Entry> entries_;
};

}  // namespace otter::net
