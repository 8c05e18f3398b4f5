// GenServer: init results, call/cast, deferred replies, timeouts, continue, idle timeout.
#include "core/gen_server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "test_servers.hpp"

namespace otter::core {
namespace {
using namespace testing;

TEST(GenServer, AnswersCallsWithItsStateAndAppliesCastsInOrder) {
  Runtime runtime({.threads = 2});
  StartResult started = runtime.spawn<Counter>({}, 10);
  ASSERT_TRUE(started.ok());
  ScopedProcess self(runtime);
  for (int i = 1; i <= 100; ++i) self.cast(started.pid(), Add{i});
  CallOutcome<int> value = self.call<int>(started.pid(), Get{}, kWait);
  ASSERT_TRUE(value.ok()) << value.failure().to_string();
  EXPECT_EQ(*value, 10 + 5050);
}

TEST(GenServer, ACallToADeadPidFailsWithNoproc) {
  Runtime runtime({.threads = 2});
  const Pid pid = runtime.spawn<Counter>({}).pid();
  ScopedProcess self(runtime);
  self.monitor(pid);
  runtime.exit(pid, ExitReason::shutdown());
  ASSERT_TRUE(self.receive<Down>(kWait));
  CallOutcome<int> value = self.call<int>(pid, Get{}, kWait);
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.error(), CallError::noproc);
}

TEST(GenServer, ACallTimesOutAndTheLateReplyIsDropped) {
  Runtime runtime({.threads = 2});
  const Pid pid = runtime.spawn<Counter>({}, 7).pid();
  ScopedProcess self(runtime);
  self.cast(pid, HoldNextCall{});
  CallOutcome<int> first = self.call<int>(pid, Get{}, 50ms);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error(), CallError::timeout);

  // Now the server answers the held call. That reply is late: the next call must get its
  // own answer, and nothing stray may be left in the mailbox.
  self.cast(pid, Release{});
  self.cast(pid, Add{1});
  CallOutcome<int> second = self.call<int>(pid, Get{}, kWait);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, 8);
  EXPECT_EQ(self.queued(), 0u);
}

// A process that calls `target` with Get as soon as it starts, then casts Release so the
// server (told to hold the call) answers it later with reply(from, ...).
struct CallThenRelease : GenServer {
  Pid target;
  Pid report_to;
  CallThenRelease(Pid t, Pid r) : target(t), report_to(r) {}
  InitResult init() override {
    call<int>(target, Get{}, kWait, [this](CallOutcome<int> r) { send(report_to, r.ok() ? *r : -1); });
    cast(target, Release{});
    return InitResult::ok();
  }
};

TEST(GenServer, ADeferredReplyReachesTheCaller) {
  Runtime runtime({.threads = 2});
  const Pid pid = runtime.spawn<Counter>({}, 3).pid();
  ScopedProcess self(runtime);
  self.cast(pid, HoldNextCall{});
  // The server sees HoldNextCall before the Get: the Get is sent after self's cast was
  // delivered (spawn runs init, which sends it, only after this line).
  ASSERT_TRUE(runtime.spawn<CallThenRelease>({}, pid, self.self()).ok());
  std::optional<int> got = self.receive<int>(kWait);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, 3);
}

// Calls `target` with Get; each answer (or failure, reported as -1) is sent to report_to
// and, from inside the answer's handler, the next call goes out: each call starts with
// no call pending, the case in which the server frees its table of pending calls.
struct CallsOneAfterAnother : GenServer {
  Pid target;
  Pid report_to;
  int calls_left;
  Duration timeout;
  CallsOneAfterAnother(Pid t, Pid r, int calls, Duration d) : target(t), report_to(r), calls_left(calls), timeout(d) {}
  InitResult init() override {
    next();
    return InitResult::ok();
  }
  Result handle_info(Message& message) override {
    if (match<Release>(message)) next();  // told to call again from outside
    return Result::noreply();
  }
  void next() {
    if (calls_left-- == 0) return;
    call<int>(target, Get{}, timeout, [this](CallOutcome<int> r) {
      send(report_to, r.ok() ? *r : -1);
      next();
    });
  }
};

TEST(GenServer, CallsOneAfterAnotherAreEachAnsweredAndALateReplyAfterTheLastIsDropped) {
  Runtime runtime({.threads = 2});
  const Pid counter = runtime.spawn<Counter>({}, 5).pid();
  ScopedProcess self(runtime);
  ASSERT_TRUE(runtime.spawn<CallsOneAfterAnother>({}, counter, self.self(), 3, kWait).ok());
  for (int i = 0; i < 3; ++i) {
    std::optional<int> got = self.receive<int>(kWait);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, 5);
  }

  // One call that times out: its reply comes when nothing is pending any more.
  self.cast(counter, HoldNextCall{});
  const Pid caller = runtime.spawn<CallsOneAfterAnother>({}, counter, self.self(), 1, 50ms).pid();
  std::optional<int> timed_out = self.receive<int>(kWait);
  ASSERT_TRUE(timed_out);
  EXPECT_EQ(*timed_out, -1);
  self.cast(counter, Release{});   // the late reply: dropped by the caller
  self.cast(counter, Add{1});
  runtime.send(caller, Release{});  // ... which still calls and is answered
  std::optional<int> after = self.receive<int>(kWait);
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, 6);
  EXPECT_EQ(self.queued(), 0u);
}

TEST(GenServer, AHandlerThatThrowsCrashesTheProcessWithTheMessageAsReason) {
  Runtime runtime({.threads = 2});
  const Pid pid = runtime.spawn<Counter>({}).pid();
  ScopedProcess self(runtime);
  self.monitor(pid);
  self.cast(pid, Crash{"boom"});
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->pid, pid);
  EXPECT_EQ(down->reason, ExitReason::error("boom"));
  EXPECT_FALSE(runtime.is_alive(pid));
}

// Throws while handling a call, or stops without answering it: either way its caller
// must hear callee_exited with the reason at once (before, it waited out its timeout).
struct Quitter : GenServer {
  struct Explode {};
  struct Leave {};
  CallResult handle_call(Message& request, const From& /*from*/) override {
    if (match<Explode>(request) != nullptr) throw std::runtime_error("exploded mid-call");
    return CallResult::stop(ExitReason::error("left mid-call"));
  }
};

TEST(GenServer, ACallerHearsCalleeExitedAtOnceWhenItsCallCrashesOrStopsTheServer) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);

  const Pid exploding = runtime.spawn<Quitter>({}).pid();
  CallOutcome<int> crashed = self.call<int>(exploding, Quitter::Explode{}, kWait);
  ASSERT_FALSE(crashed.ok());
  EXPECT_EQ(crashed.error(), CallError::callee_exited);
  EXPECT_EQ(crashed.failure().reason, ExitReason::error("exploded mid-call"));

  const Pid leaving = runtime.spawn<Quitter>({}).pid();
  CallOutcome<int> stopped = self.call<int>(leaving, Quitter::Leave{}, kWait);
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error(), CallError::callee_exited);
  EXPECT_EQ(stopped.failure().reason, ExitReason::error("left mid-call"));
}

struct FailingInit : GenServer {
  InitResult init() override { return InitResult::stop(ExitReason::error("no config")); }
};
struct IgnoringInit : GenServer {
  InitResult init() override { return InitResult::ignore(); }
};
struct ThrowingInit : GenServer {
  InitResult init() override { throw std::runtime_error("init exploded"); }
};

TEST(GenServer, SpawnReportsHowInitEnded) {
  Runtime runtime({.threads = 2});
  StartResult failed = runtime.spawn<FailingInit>({});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(*failed.error(), ExitReason::error("no config"));
  StartResult ignored = runtime.spawn<IgnoringInit>({});
  EXPECT_TRUE(ignored.was_ignored());
  StartResult threw = runtime.spawn<ThrowingInit>({});
  ASSERT_FALSE(threw.ok());
  EXPECT_EQ(*threw.error(), ExitReason::error("init exploded"));
  EXPECT_TRUE(runtime.wait_until_empty(kWait));
}

// init asks for a continue; a message sent during init must come after it.
struct ContinueFirst : GenServer {
  Pid report_to;
  explicit ContinueFirst(Pid r) : report_to(r) {}
  InitResult init() override {
    cast(self(), std::string{"from init"});
    return InitResult::ok_continue(std::string{"continue"});
  }
  Result handle_continue(Message& m) override {
    send(report_to, *match<std::string>(m));
    return Result::noreply().then_continue(1);  // chained continue runs next too
  }
  Result handle_cast(Message& m) override {
    send(report_to, *match<std::string>(m));
    return Result::noreply();
  }
};

TEST(GenServer, ContinueRunsBeforeAnyMessageAndCanChain) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  struct Chained : ContinueFirst {
    using ContinueFirst::ContinueFirst;
    Result handle_continue(Message& m) override {
      if (match<int>(m)) {
        send(report_to, std::string{"chained"});
        return Result::noreply();
      }
      return ContinueFirst::handle_continue(m);
    }
  };
  ASSERT_TRUE(runtime.spawn<Chained>({}, self.self()).ok());
  EXPECT_EQ(self.receive<std::string>(kWait), "continue");
  EXPECT_EQ(self.receive<std::string>(kWait), "chained");
  EXPECT_EQ(self.receive<std::string>(kWait), "from init");
}

struct IdleStopper : GenServer {
  InitResult init() override {
    set_idle_timeout(20ms);
    return InitResult::ok();
  }
  Result handle_info(Message& m) override {
    if (match<IdleTimeout>(m)) return Result::stop(ExitReason::normal());
    return Result::noreply();
  }
};

TEST(GenServer, AnIdleServerGetsIdleTimeoutAndCanStop) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid pid = runtime.spawn<IdleStopper>({}).pid();
  self.monitor(pid);
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_TRUE(down->reason.is_normal());
}

// Reports each IdleTimeout to `report_to` with how long it had really been since the
// last message it handled, by its own clock.
struct IdleReporter : GenServer {
  static constexpr Duration kPeriod = 60ms;
  struct Poke {};
  explicit IdleReporter(Pid to) : report_to(to) {}
  InitResult init() override {
    set_idle_timeout(kPeriod);
    last_handled = std::chrono::steady_clock::now();
    return InitResult::ok();
  }
  Result handle_cast(Message&) override {
    last_handled = std::chrono::steady_clock::now();
    ++pokes;
    return Result::noreply();
  }
  Result handle_info(Message& m) override {
    if (match<IdleTimeout>(m)) {
      send(report_to, IdleReport{std::chrono::steady_clock::now() - last_handled, pokes});
    }
    return Result::noreply();
  }
  struct IdleReport {
    std::chrono::steady_clock::duration quiet_for;
    int pokes_before;
  };
  Pid report_to;
  std::chrono::steady_clock::time_point last_handled;
  int pokes = 0;
};

TEST(GenServer, ActivityPostponesTheIdleTimeout) {
  // Messages every 10 ms for ~250 ms, four idle periods: a timer that counted from init
  // instead of from the last message would fire while they still arrive. A loaded
  // machine may stretch a gap past the period, and then an IdleTimeout is due; so the
  // law checked is the one that holds either way: an IdleTimeout comes only after a full
  // period with no message, and one comes after the last.
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid pid = runtime.spawn<IdleReporter>({}, self.self()).pid();
  constexpr int kPokes = 25;
  for (int i = 0; i < kPokes; ++i) {
    self.cast(pid, IdleReporter::Poke{});
    std::this_thread::sleep_for(10ms);  // the workload's pace, not a synchronisation
  }
  for (;;) {
    std::optional<IdleReporter::IdleReport> report = self.receive<IdleReporter::IdleReport>(kWait);
    ASSERT_TRUE(report) << "no IdleTimeout after the last message";
    EXPECT_GE(report->quiet_for, IdleReporter::kPeriod)
        << "IdleTimeout after " << report->pokes_before << " messages came early";
    if (report->pokes_before == kPokes) break;
  }
}

}  // namespace
}  // namespace otter::core
