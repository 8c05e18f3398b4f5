// libFuzzer target for the REST API (net/rest_api.hpp) on a real document service: a real
// Runtime, document processes and a SQLite file in a temporary directory. The input is one
// request: its first byte picks the method (GET, POST, DELETE, PUT), the bytes up to the
// first newline are the target ("/api/docs/x/ops?since=1"), the rest is the body. It is
// routed as otterd's HTTP session routes it, and the handler's answer awaited. A crash, a
// sanitizer report or a broken promise (printed, then __builtin_trap) is a find: add it as a
// case to tests/otterd/rest_api_test.cpp.
//
// Promises checked (docs/api.md):
// - every request is answered, within the API's call timeout;
// - never 500: bad input is the client's error, with a stable code, not a server failure
//   (except when the request met a document the fuzzer crashed through the admin route);
// - an error (4xx, 5xx) is a JSON object {"code": string, "message": string};
// - a 200 or 201 from /api is a JSON object.
//
// Run:
//   cmake --preset fuzz && cmake --build build/fuzz --target rest_api_fuzz
//   rm -rf /tmp/rest_corpus && cp -r tests/fuzz/rest_api_corpus /tmp/rest_corpus
//   build/fuzz/tests/fuzz/rest_api_fuzz -max_total_time=60 /tmp/rest_corpus
#include <boost/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "net/http_types.hpp"
#include "net/rest_api.hpp"
#include "net/router.hpp"
#include "server/service.hpp"
#include "tests/fuzz/fuzz_service.hpp"

namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kMethods[] = {"GET", "POST", "DELETE", "PUT"};
constexpr auto kCallTimeout = 10s;
// The exit reason of a document process crashed through the admin route (net/rest_api.cpp).
constexpr std::string_view kAdminCrash = "crashed through POST /api/admin/";

// The service and its API, made once; the API stops before the service.
struct Harness {
  otter::fuzzing::FuzzService fuzz{"otter-rest-fuzz", [](otter::server::ServiceOptions& options) {
                                     // The admin route crashes documents at the fuzzer's pace:
                                     // never let that escalate.
                                     options.max_document_restarts = std::numeric_limits<int>::max();
                                   }};
  otter::net::RestApi rest{fuzz.service(),
                           otter::net::RestOptions{.threads = 2, .call_timeout = kCallTimeout, .admin = true}};
  otter::net::Router router;

  Harness() { rest.add_routes(router); }
  ~Harness() { rest.stop(); }
};

Harness* harness = nullptr;

[[noreturn]] void broken(const char* what, const otter::net::Request& request, std::string_view body) {
  std::fprintf(stderr, "rest_api_fuzz: %s\n  %s %s\n  request body: %s\n  answer: %.*s\n", what,
               request.method.c_str(), request.target.c_str(), request.body.c_str(), static_cast<int>(body.size()),
               body.data());
  __builtin_trap();
}

// The body parsed, if it is JSON (null otherwise: never an object).
json::value parse_body(std::string_view text) {
  boost::system::error_code error;
  json::value parsed = json::parse(json::string_view(text.data(), text.size()), error);
  return error ? json::value() : parsed;
}

bool is_string_field(const json::object& object, std::string_view key) {
  const json::value* field = object.if_contains(json::string_view(key.data(), key.size()));
  return field != nullptr && field->is_string();
}

void check(const otter::net::Request& request, const otter::net::Response& response) {
  // A request that meets a document the fuzzer itself crashed (the admin route) gets a 500
  // internal_error naming that crash, "retry": true to HTTP and the docs. Any other 500, a
  // document crashed by input among them, is a find.
  if (response.status == 500 && response.body.find(kAdminCrash) == std::string::npos) {
    broken("a 500: bad input answered as a server failure", request, response.body);
  }
  if (response.status >= 400) {
    const json::value body = parse_body(response.body);
    const json::object* error = body.if_object();
    if (error == nullptr || !is_string_field(*error, "code") || !is_string_field(*error, "message")) {
      broken("an error without a JSON {code, message}", request, response.body);
    }
  } else if ((response.status == 200 || response.status == 201) && request.path.starts_with("/api/")) {
    if (!parse_body(response.body).is_object()) broken("a success whose body is not a JSON object", request, response.body);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  harness = new Harness();  // NOLINT: lives until exit
  std::atexit([] { delete harness; });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  otter::net::Request request;
  request.method = std::string(kMethods[data[0] % std::size(kMethods)]);
  const std::size_t newline = input.find('\n');
  request.target = std::string(input.substr(0, newline));
  if (newline != std::string_view::npos) request.body = std::string(input.substr(newline + 1));
  // As net/http_session.cpp: the path is the target before '?', routed still encoded.
  const std::size_t question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) request.query = otter::net::parse_query(request.target.substr(question + 1));
  request.remote_endpoint = "127.0.0.1:1";

  otter::net::Router::Route route = harness->router.route(request.method, request.path);
  if (route.outcome != otter::net::Router::Outcome::found) return 0;  // the HTTP session's 4xx
  request.path_params = std::move(route.params);

  auto answer = std::make_shared<std::promise<otter::net::Response>>();
  std::future<otter::net::Response> answered = answer->get_future();
  const otter::net::Request sent = request;
  // The handler's exceptions are the HTTP session's 500: let them reach libFuzzer as finds.
  (*route.handler)(std::move(request), otter::net::Responder([answer](otter::net::Response response) {
                     answer->set_value(std::move(response));
                   }));
  if (answered.wait_for(kCallTimeout + 5s) != std::future_status::ready) broken("no answer", sent, "");
  check(sent, answered.get());
  return 0;
}
