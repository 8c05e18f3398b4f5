// libFuzzer target for a WebSocket session (server/session.hpp) on a real document service:
// a Runtime, document processes and a SQLite file in a temporary directory. The input is a
// conversation: its lines are the text frames one client sends after a valid hello (each
// input is a new client, with a client id of its own). Then a ping, whose pong shows every
// frame before it was handled, and the connection closes. A crash, a sanitizer report or a
// broken promise (printed, then __builtin_trap) is a find: add it as a case to
// tests/server/session_test.cpp.
//
// Promises checked (docs/protocol.md):
// - every frame the session sends is a server message the client library can read (or one
//   of the dashboard's, docs/dashboard.md);
// - no error is internal_error: bad input is the client's error, with its stable code;
// - the session answers the ping, unless a fatal error closed the connection first;
// - after the connection closes, the session process exits.
//
// Run:
//   cmake --preset fuzz && cmake --build build/fuzz --target session_fuzz
//   rm -rf /tmp/session_corpus && cp -r tests/fuzz/session_corpus /tmp/session_corpus
//   build/fuzz/tests/fuzz/session_fuzz -max_total_time=60 /tmp/session_corpus
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/runtime.hpp"
#include "core/scoped_process.hpp"
#include "net/protocol.hpp"
#include "server/outbound.hpp"
#include "server/service.hpp"
#include "server/session.hpp"
#include "tests/fuzz/fuzz_service.hpp"
#include "tests/server/fake_connection.hpp"

namespace {

using namespace std::chrono_literals;
using otter::server::testing::FakeConnection;

constexpr auto kWait = 10s;
constexpr std::string_view kSyncId = "fuzz-sync";

struct Harness {
  otter::fuzzing::FuzzService fuzz{"otter-session-fuzz", [](otter::server::ServiceOptions& options) {
                                     // Rate limits would hide the paths behind them.
                                     options.sessions.ops_per_second = 0;
                                   }};
  otter::core::Runtime& runtime = fuzz.runtime();
  otter::server::Service& service = fuzz.service();
  std::uint64_t clients = 0;
};

Harness* harness = nullptr;

[[noreturn]] void broken(const char* what, std::string_view input, std::string_view frame) {
  std::fprintf(stderr, "session_fuzz: %s\n  frame: %.*s\n  input:\n%.*s\n", what, static_cast<int>(frame.size()),
               frame.data(), static_cast<int>(input.size()), input.data());
  __builtin_trap();
}

bool is_sync_pong(const std::string& frame) {
  const otter::net::Expected<otter::net::ServerMessage> message = otter::net::decode_server_message(frame);
  if (!message) return false;
  const auto* pong = std::get_if<otter::net::Pong>(&*message);
  return pong != nullptr && pong->id == otter::net::RequestId(std::string(kSyncId));
}

// The live dashboard's messages (docs/dashboard.md) are for the web page, not the C++ client
// library: a JSON object of one of their types is all that is checked of them.
bool is_dashboard_message(const std::string& frame) {
  boost::system::error_code error;
  const boost::json::value value = boost::json::parse(frame, error);
  const boost::json::object* object = error ? nullptr : value.if_object();
  const boost::json::value* type = object != nullptr ? object->if_contains("type") : nullptr;
  return type != nullptr && (*type == "dashboard" || *type == "crashed");
}

otter::core::Pid start_session(const std::shared_ptr<FakeConnection>& connection) {
  otter::core::ScopedProcess waiter(harness->runtime);
  harness->service.start_session(connection, [&runtime = harness->runtime, me = waiter.self()](
                                                  otter::core::StartResult result) { runtime.send(me, result); });
  const std::optional<otter::core::StartResult> started = waiter.receive<otter::core::StartResult>(kWait);
  if (!started || !started->ok()) broken("the session did not start", "", "");
  return started->pid();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  harness = new Harness();  // NOLINT: lives until exit
  std::atexit([] { delete harness; });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto connection = std::make_shared<FakeConnection>();
  const otter::core::Pid session = start_session(connection);
  otter::core::ScopedProcess watcher(harness->runtime);
  watcher.monitor(session);

  const std::string client_id = "fuzz-" + std::to_string(++harness->clients);
  harness->runtime.send(session, otter::server::ClientFrame{
                                     R"({"type":"hello","version":1,"client_id":")" + client_id + R"("})"});
  for (std::size_t start = 0; start <= input.size();) {
    const std::size_t end = std::min(input.find('\n', start), input.size());
    harness->runtime.send(session, otter::server::ClientFrame{std::string(input.substr(start, end - start))});
    start = end + 1;
  }
  harness->runtime.send(session, otter::server::ClientFrame{R"({"type":"ping","id":")" + std::string(kSyncId) + "\"}"});

  // Frames may follow the pong (acks of ops, once durable), so look at all of them.
  const bool answered = connection->wait_until(kWait, [](const auto& frames, const auto& closed) {
    return closed.has_value() ||
           std::any_of(frames.begin(), frames.end(), [](const auto& frame) { return is_sync_pong(*frame); });
  });
  if (!answered) broken("neither the pong nor a close came", input, "");

  harness->runtime.send(session, otter::server::ConnectionClosed{1000, "fuzz: done"});
  if (!watcher.receive<otter::core::Down>(kWait)) broken("the session did not exit after its connection closed", input, "");

  for (const std::string& frame : connection->peek_all()) {
    const otter::net::Expected<otter::net::ServerMessage> message = otter::net::decode_server_message(frame);
    if (!message) {
      if (is_dashboard_message(frame)) continue;
      broken("a frame the client library cannot read", input, frame);
    }
    if (const auto* error = std::get_if<otter::net::ErrorMessage>(&*message);
        error != nullptr && error->code == otter::net::ErrorCode::internal_error) {
      broken("internal_error: bad input answered as a server failure", input, frame);
    }
  }
  return 0;
}
