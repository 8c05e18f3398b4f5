// async_call: the answer reaches a callback on a runtime thread while the calling thread
// goes on; failures arrive the same way; a stopped runtime answers at once. Nothing sleeps.
#include "core/async_call.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <thread>

#include "core/scoped_process.hpp"
#include "test_servers.hpp"

namespace otter::core {
namespace {
using namespace testing;
using namespace std::chrono_literals;

// What a callback saw, sent on to the test's ScopedProcess.
struct Heard {
  CallOutcome<int> outcome;
  std::thread::id thread;
  Pid caller;  // the process the callback ran in
};

std::function<void(CallOutcome<int>)> forward_to(Runtime& runtime, Pid listener) {
  return [&runtime, listener](CallOutcome<int> outcome) {
    const Process* current = Process::current();
    runtime.send(listener, Heard{std::move(outcome), std::this_thread::get_id(), current ? current->self() : Pid{}});
  };
}

struct Held {};  // Gate -> listener: a call is waiting
struct Open {};  // cast: answer it

// Holds every Get until Open, and tells `listener` when one is waiting.
class Gate : public GenServer {
 public:
  explicit Gate(Pid listener) : listener_(listener) {}

 protected:
  CallResult handle_call(Message& request, const From& from) override {
    if (!match<Get>(request)) return GenServer::handle_call(request, from);
    held_ = from;
    send(listener_, Held{});
    return CallResult::noreply();
  }
  Result handle_cast(Message& message) override {
    if (match<Open>(message) && held_) reply(*held_, 42);
    return Result::noreply();
  }

 private:
  Pid listener_;
  std::optional<From> held_;
};

TEST(AsyncCall, ReturnsAtOnceAndTheReplyReachesTheCallbackOnARuntimeThread) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid gate = runtime.spawn<Gate>({}, self.self()).pid();

  // The gate answers only when told to, and only this thread tells it: a call that
  // blocked this thread would never come back.
  async_call<int>(runtime, gate, Get{}, kWait, forward_to(runtime, self.self()));
  ASSERT_TRUE(self.receive<Held>(kWait).has_value());
  EXPECT_FALSE(self.receive<Heard>(0ms).has_value());
  runtime.cast(gate, Open{});

  std::optional<Heard> heard = self.receive<Heard>(kWait);
  ASSERT_TRUE(heard.has_value());
  ASSERT_TRUE(heard->outcome.ok()) << heard->outcome.failure().to_string();
  EXPECT_EQ(*heard->outcome, 42);
  EXPECT_NE(heard->thread, std::this_thread::get_id());
}

TEST(AsyncCall, ReportsNoprocAndTimeoutAsCallDoes) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid gone = runtime.spawn<Counter>({}).pid();
  runtime.cast(gone, Crash{"on purpose"});
  self.monitor(gone);
  ASSERT_TRUE(self.receive<Down>(kWait).has_value());

  async_call<int>(runtime, gone, Get{}, kWait, forward_to(runtime, self.self()));
  std::optional<Heard> heard = self.receive<Heard>(kWait);
  ASSERT_TRUE(heard.has_value());
  ASSERT_FALSE(heard->outcome.ok());
  EXPECT_EQ(heard->outcome.error(), CallError::noproc);

  const Pid silent = runtime.spawn<Counter>({}).pid();
  runtime.cast(silent, HoldNextCall{});
  async_call<int>(runtime, silent, Get{}, 20ms, forward_to(runtime, self.self()));
  heard = self.receive<Heard>(kWait);
  ASSERT_TRUE(heard.has_value());
  ASSERT_FALSE(heard->outcome.ok());
  EXPECT_EQ(heard->outcome.error(), CallError::timeout);
}

TEST(AsyncCall, TheCallerProcessExitsNormallyOnceTheCallbackHasRun) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid counter = runtime.spawn<Counter>({}, 7).pid();
  async_call<int>(runtime, counter, Get{}, kWait, forward_to(runtime, self.self()));
  std::optional<Heard> heard = self.receive<Heard>(kWait);
  ASSERT_TRUE(heard && heard->outcome.ok());
  EXPECT_EQ(*heard->outcome, 7);
  ASSERT_TRUE(heard->caller) << "the callback ran outside any process";

  // Down comes with `normal` if it is still finishing, with noproc if it has gone already.
  self.monitor(heard->caller);
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down.has_value());
  EXPECT_TRUE(down->reason == ExitReason::normal() || down->reason == ExitReason::noproc()) << down->reason.to_string();
}

TEST(AsyncCall, AStoppedRuntimeAnswersAtOnceOnTheCallingThread) {
  Runtime runtime({.threads = 1});
  const Pid counter = runtime.spawn<Counter>({}).pid();
  runtime.shutdown();

  std::optional<CallOutcome<int>> outcome;
  std::thread::id thread;
  async_call<int>(runtime, counter, Get{}, kWait, [&](CallOutcome<int> answer) {
    outcome = std::move(answer);
    thread = std::this_thread::get_id();
  });
  ASSERT_TRUE(outcome.has_value());
  ASSERT_FALSE(outcome->ok());
  EXPECT_EQ(outcome->error(), CallError::noproc);
  EXPECT_EQ(thread, std::this_thread::get_id());
}

}  // namespace
}  // namespace otter::core
