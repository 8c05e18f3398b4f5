// Process semantics: links and exit signals, monitors, stale Pids, calls to processes that
// die, timers and the runtime's shutdown order. Each test observes the runtime from a
// ScopedProcess (receive<Down>, receive<ExitSignal>, calls) and never sleeps.
#include <gtest/gtest.h>

#include <algorithm>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/gen_server.hpp"
#include "core/scoped_process.hpp"
#include "test_servers.hpp"

namespace otter::core {
namespace {
using namespace testing;

// --- a probe: a GenServer the tests steer with casts and that reports what it sees ------

struct ProbeOptions {
  Pid report_to;       // receives every ExitSignal and Down the probe handles
  Pid link_to;         // linked to from init, when set
  bool trap_exit = false;

  ProbeOptions& reporting_to(Pid pid) { report_to = pid; return *this; }
  ProbeOptions& linked_to(Pid pid) { link_to = pid; return *this; }
  ProbeOptions& trapping_exits() { trap_exit = true; return *this; }
};

struct StopWith {
  ExitReason reason;
};
struct ExitTo {  // cast: send an exit signal to `target` from the probe
  Pid target;
  ExitReason reason;
};
struct Ping {};  // call: answered with Ping{}; proves earlier messages were handled

class Probe : public GenServer {
 public:
  explicit Probe(ProbeOptions options) : options_(options) {}

 protected:
  InitResult init() override {
    trap_exit(options_.trap_exit);
    if (options_.link_to) link(options_.link_to);
    return InitResult::ok();
  }
  CallResult handle_call(Message& request, const From& from) override {
    if (match<Ping>(request)) return CallResult::reply(Ping{});
    return GenServer::handle_call(request, from);
  }
  Result handle_cast(Message& message) override {
    if (const auto* stop = match<StopWith>(message)) return Result::stop(stop->reason);
    if (const auto* crash = match<Crash>(message)) throw std::runtime_error(crash->why);
    if (const auto* exit_to = match<ExitTo>(message)) exit(exit_to->target, exit_to->reason);
    return Result::noreply();
  }
  Result handle_info(Message& message) override {
    if (options_.report_to && (match<ExitSignal>(message) || match<Down>(message))) {
      send(options_.report_to, message);
    }
    // The runtime's shutdown (from no process) is our parent's exit: obey it even when
    // trapping, as a gen_server does, so the runtime needn't wait out its grace period.
    if (const auto* signal = match<ExitSignal>(message); signal && signal->from.is_null()) {
      return Result::stop(signal->reason);
    }
    return Result::noreply();
  }

 private:
  ProbeOptions options_;
};

Pid spawn_probe(Runtime& runtime, ProbeOptions options = {}) {
  StartResult started = runtime.spawn<Probe>({}, options);
  EXPECT_TRUE(started.ok());
  return started.pid();
}

// Monitors `pid` and waits for its Down.
std::optional<Down> await_down(Runtime& runtime, Pid pid) {
  ScopedProcess watcher(runtime);
  watcher.monitor(pid);
  return watcher.receive<Down>(kWait);
}

bool answers_ping(ScopedProcess& self, Pid pid) {
  return self.call<Ping>(pid, Ping{}, kWait).ok();
}

struct Block {
  std::shared_ptr<std::latch> release;
};

// A probe whose handler can be held on a latch, so the test can pile messages up behind it.
class Blocker : public Probe {
 public:
  using Probe::Probe;

 protected:
  Result handle_cast(Message& message) override {
    // A test-only exception to "never block a pool thread": the runtime has threads to
    // spare and the latch is released by the test thread right after queueing.
    if (const auto* block = match<Block>(message)) block->release->wait();
    return Probe::handle_cast(message);
  }
  CallResult handle_call(Message& request, const From& from) override {
    if (match<Get>(request)) return CallResult::reply(0);
    return Probe::handle_call(request, from);
  }
};

// --- links and exit signals --------------------------------------------------------------

TEST(Links, AnAbnormalExitKillsALinkedProcessThatDoesNotTrapExits) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid crasher = spawn_probe(runtime);
  const Pid linked = spawn_probe(runtime, ProbeOptions{}.linked_to(crasher));
  self.monitor(linked);

  self.cast(crasher, Crash{"boom"});

  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->pid, linked);
  EXPECT_EQ(down->reason, ExitReason::error("boom"));
}

TEST(Links, ANormalExitDoesNotAffectALinkedProcess) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid finisher = spawn_probe(runtime);
  const Pid linked = spawn_probe(runtime, ProbeOptions{}.linked_to(finisher));
  self.monitor(finisher);

  self.cast(finisher, StopWith{ExitReason::normal()});
  ASSERT_TRUE(self.receive<Down>(kWait));

  // The exit signal reached `linked` before the Down reached us; a call queued after it
  // is answered only if the signal left the process running.
  EXPECT_TRUE(answers_ping(self, linked));
  EXPECT_TRUE(runtime.is_alive(linked));
}

TEST(Links, ATrappingProcessGetsExitSignalsAsMessagesAndLivesOn) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid crasher = spawn_probe(runtime);
  const Pid trapper = spawn_probe(
      runtime, ProbeOptions{}.reporting_to(self.self()).linked_to(crasher).trapping_exits());

  self.cast(crasher, Crash{"boom"});

  std::optional<ExitSignal> signal = self.receive<ExitSignal>(kWait);
  ASSERT_TRUE(signal);
  EXPECT_EQ(signal->from, crasher);
  EXPECT_EQ(signal->reason, ExitReason::error("boom"));
  EXPECT_TRUE(answers_ping(self, trapper));
}

TEST(Links, KillIsUntrappableAndLinkedProcessesSeeKilled) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid victim = spawn_probe(runtime, ProbeOptions{}.trapping_exits());
  const Pid trapper = spawn_probe(
      runtime, ProbeOptions{}.reporting_to(self.self()).linked_to(victim).trapping_exits());
  const Pid bystander = spawn_probe(runtime, ProbeOptions{}.linked_to(victim));
  self.monitor(victim);
  self.monitor(bystander);

  self.exit(victim, ExitReason::kill());

  std::optional<Down> first = self.receive<Down>(kWait);
  std::optional<Down> second = self.receive<Down>(kWait);
  ASSERT_TRUE(first && second);
  const Down& victim_down = first->pid == victim ? *first : *second;
  const Down& bystander_down = first->pid == victim ? *second : *first;
  EXPECT_EQ(victim_down.pid, victim);
  EXPECT_EQ(victim_down.reason, ExitReason::killed()) << "trap_exit must not stop a kill";
  EXPECT_EQ(bystander_down.pid, bystander);
  EXPECT_EQ(bystander_down.reason, ExitReason::killed());

  std::optional<ExitSignal> signal = self.receive<ExitSignal>(kWait);
  ASSERT_TRUE(signal);
  EXPECT_EQ(signal->from, victim);
  EXPECT_EQ(signal->reason, ExitReason::killed()) << "links hear `killed`, never `kill`";
  EXPECT_TRUE(answers_ping(self, trapper));
}

TEST(Links, ExitWithShutdownStopsANonTrappingProcess) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid target = spawn_probe(runtime);
  self.monitor(target);

  self.exit(target, ExitReason::shutdown());

  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, ExitReason::shutdown());
}

TEST(Links, ExitWithShutdownReachesATrappingProcessAsAMessage) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid trapper = spawn_probe(runtime,
                                    ProbeOptions{}.reporting_to(self.self()).trapping_exits());
  const Pid sender = spawn_probe(runtime);

  self.cast(sender, ExitTo{trapper, ExitReason::shutdown()});

  std::optional<ExitSignal> signal = self.receive<ExitSignal>(kWait);
  ASSERT_TRUE(signal);
  EXPECT_EQ(signal->from, sender);
  EXPECT_EQ(signal->reason, ExitReason::shutdown());
  EXPECT_TRUE(answers_ping(self, trapper));
}

TEST(Links, ExitWithNormalFromAnotherProcessIsIgnored) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid target = spawn_probe(runtime);
  self.exit(target, ExitReason::normal());
  EXPECT_TRUE(answers_ping(self, target));
}

TEST(Links, LinkingToADeadPidGivesATrappingLinkerExitSignalNoproc) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid dead = spawn_probe(runtime);
  runtime.exit(dead, ExitReason::shutdown());
  ASSERT_TRUE(await_down(runtime, dead));

  const Pid linker = spawn_probe(
      runtime, ProbeOptions{}.reporting_to(self.self()).linked_to(dead).trapping_exits());

  std::optional<ExitSignal> signal = self.receive<ExitSignal>(kWait);
  ASSERT_TRUE(signal);
  EXPECT_EQ(signal->from, dead);
  EXPECT_EQ(signal->reason, ExitReason::noproc());
  EXPECT_TRUE(answers_ping(self, linker));
}

TEST(Links, LinkingToADeadPidKillsANonTrappingLinkerWithNoproc) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid dead = spawn_probe(runtime);
  runtime.exit(dead, ExitReason::shutdown());
  ASSERT_TRUE(await_down(runtime, dead));

  const Pid linker = spawn_probe(runtime, ProbeOptions{}.linked_to(dead));
  self.monitor(linker);

  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, ExitReason::noproc());
}

TEST(Links, AnUnlinkedProcessNoLongerHearsTheOtherEnd) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid crasher = spawn_probe(runtime);
  self.trap_exit(true);
  self.link(crasher);
  self.unlink(crasher);
  self.monitor(crasher);
  self.cast(crasher, Crash{"boom"});
  ASSERT_TRUE(self.receive<Down>(kWait));
  // The exit signal, had the link survived, was sent before the Down.
  EXPECT_FALSE(self.receive<ExitSignal>(std::chrono::milliseconds{0}));
}

TEST(Links, AnExitSignalFromALinkedLiveProcessKeepsTheLink) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid child = spawn_probe(runtime);
  self.trap_exit(true);
  self.link(child);

  // exit/2 from a linked process: the child dies of it, and the sender is still linked,
  // so it hears of the death like any linked process.
  self.exit(child, ExitReason::shutdown());

  std::optional<ExitSignal> signal = self.receive<ExitSignal>(kWait);
  ASSERT_TRUE(signal);
  EXPECT_EQ(signal->from, child);
  EXPECT_EQ(signal->reason, ExitReason::shutdown());
}

TEST(Links, AnExitSignalThatCrossesAnUnlinkHasNoEffect) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid child = runtime.spawn<Blocker>({}, ProbeOptions{}).pid();
  self.trap_exit(true);
  self.link(child);
  ASSERT_TRUE(answers_ping(self, child));  // the child holds the link
  self.monitor(child);
  auto release = std::make_shared<std::latch>(1);
  self.cast(child, Block{release});
  self.cast(child, Crash{"crossing"});
  self.unlink(child);  // queued behind the crash: the child dies still linked to us
  release->count_down();

  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, ExitReason::error("crossing"));
  // The child's exit signal was sent before its Down; after unlink it must not count.
  EXPECT_FALSE(self.receive<ExitSignal>(std::chrono::milliseconds{0}));
}

// --- monitors ----------------------------------------------------------------------------

// Monitors a fresh probe, ends it with `end`, returns the Down.
template <class End>
std::optional<Down> down_after(End end) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid target = spawn_probe(runtime);
  const MonitorRef ref = self.monitor(target);
  end(self, target);
  std::optional<Down> down = self.receive<Down>(kWait);
  if (down) {
    EXPECT_EQ(down->pid, target);
    EXPECT_EQ(down->ref, ref);
  }
  return down;
}

TEST(Monitors, DownCarriesNormalForAProcessThatStopsNormally) {
  std::optional<Down> down = down_after(
      [](ScopedProcess& self, Pid target) { self.cast(target, StopWith{ExitReason::normal()}); });
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, ExitReason::normal());
}

TEST(Monitors, DownCarriesShutdownForAProcessToldToShutDown) {
  std::optional<Down> down = down_after(
      [](ScopedProcess& self, Pid target) { self.exit(target, ExitReason::shutdown()); });
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, ExitReason::shutdown());
}

TEST(Monitors, DownCarriesTheErrorDetailForACrash) {
  std::optional<Down> down =
      down_after([](ScopedProcess& self, Pid target) { self.cast(target, Crash{"disk on fire"}); });
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, ExitReason::error("disk on fire"));
  EXPECT_EQ(down->reason.detail(), "disk on fire");
}

TEST(Monitors, DownCarriesKilledForAKilledProcess) {
  // The kill overtakes the monitor request still queued in the target's mailbox: the
  // monitor must still report how the process ended, not noproc.
  std::optional<Down> down =
      down_after([](ScopedProcess& self, Pid target) { self.exit(target, ExitReason::kill()); });
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, ExitReason::killed());
}

TEST(Monitors, DownCarriesNoprocWhenTheTargetIsAlreadyDead) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid target = spawn_probe(runtime);
  runtime.exit(target, ExitReason::shutdown());
  ASSERT_TRUE(await_down(runtime, target));

  const MonitorRef ref = self.monitor(target);
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->ref, ref);
  EXPECT_EQ(down->pid, target);
  EXPECT_EQ(down->reason, ExitReason::noproc());
}

TEST(Monitors, AfterDemonitorNoDownIsHandled) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid target = spawn_probe(runtime);
  const MonitorRef dropped = self.monitor(target);
  self.demonitor(dropped);
  const MonitorRef kept = self.monitor(target);

  self.exit(target, ExitReason::shutdown());

  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->ref, kept);
  // Both Downs (had the first monitor survived) were sent in one go before this one.
  EXPECT_FALSE(self.receive<Down>(std::chrono::milliseconds{0}));
}

TEST(Monitors, ADownAlreadyInTheMailboxIsDroppedByDemonitor) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid target = spawn_probe(runtime);
  const MonitorRef ref = self.monitor(target);
  ScopedProcess other(runtime);
  other.monitor(target);  // after ours: its Down is sent after ours

  other.exit(target, ExitReason::shutdown());
  ASSERT_TRUE(other.receive<Down>(kWait));  // so our Down is already in self's mailbox

  self.demonitor(ref);
  EXPECT_FALSE(self.receive<Down>(std::chrono::milliseconds{0}));
}

TEST(Monitors, MonitoringTheSameProcessTwiceGivesTwoDowns) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid target = spawn_probe(runtime);
  const MonitorRef first = self.monitor(target);
  const MonitorRef second = self.monitor(target);
  ASSERT_NE(first, second);

  self.cast(target, Crash{"twice"});

  std::optional<Down> a = self.receive<Down>(kWait);
  std::optional<Down> b = self.receive<Down>(kWait);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->ref, first);
  EXPECT_EQ(b->ref, second);
  EXPECT_EQ(a->reason, ExitReason::error("twice"));
  EXPECT_EQ(b->reason, ExitReason::error("twice"));
}

TEST(Monitors, AProcessCanMonitorAnotherProcess) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid target = spawn_probe(runtime);
  struct Watcher : Probe {
    Pid target;
    Watcher(ProbeOptions options, Pid t) : Probe(options), target(t) {}
    InitResult init() override {
      monitor(target);
      return InitResult::ok();
    }
  };
  ASSERT_TRUE(runtime.spawn<Watcher>({}, ProbeOptions{}.reporting_to(self.self()), target).ok());

  self.cast(target, StopWith{ExitReason::error("bye")});

  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->pid, target);
  EXPECT_EQ(down->reason, ExitReason::error("bye"));
}

struct CountWatchers {};  // call: answered with monitored_by()

TEST(Monitors, AnExitingProcessWithdrawsTheMonitorsItHolds) {
  struct Target : Probe {
    using Probe::Probe;
    CallResult handle_call(Message& request, const From& from) override {
      if (match<CountWatchers>(request)) return CallResult::reply(monitored_by());
      return Probe::handle_call(request, from);
    }
  };
  struct Watcher : Probe {
    Pid target;
    Watcher(ProbeOptions options, Pid t) : Probe(options), target(t) {}
    InitResult init() override {
      monitor(target);
      return InitResult::ok();
    }
  };
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid target = runtime.spawn<Target>({}, ProbeOptions{}).pid();
  constexpr int kWatchers = 20;
  for (int i = 0; i < kWatchers; ++i) {
    const Pid watcher = runtime.spawn<Watcher>({}, ProbeOptions{}, target).pid();
    self.cast(watcher, StopWith{i % 2 == 0 ? ExitReason::normal() : ExitReason::error("x")});
    ASSERT_TRUE(await_down(runtime, watcher));
  }
  const MonitorRef own = self.monitor(target);
  // Each watcher sent its demonitor before its Down; our monitor and call come after.
  CallOutcome<std::size_t> count = self.call<std::size_t>(target, CountWatchers{}, kWait);
  ASSERT_TRUE(count.ok()) << count.failure().to_string();
  EXPECT_EQ(*count, 1u) << "only our own monitor should be left";
  self.demonitor(own);
}

// --- stale Pids --------------------------------------------------------------------------

TEST(StalePids, APidOfAnExitedProcessNeverReachesTheProcessReusingItsSlot) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid old = runtime.spawn<Counter>({}, 1).pid();
  runtime.exit(old, ExitReason::shutdown());
  ASSERT_TRUE(await_down(runtime, old));

  // Slots are handed out round-robin over the table's shards and reused: within a few
  // rounds a new process lands in the old slot.
  std::vector<Pid> spawned;
  std::optional<Pid> reuser;
  for (int i = 0; i < 1000 && !reuser; ++i) {
    const Pid pid = runtime.spawn<Counter>({}, 100).pid();
    spawned.push_back(pid);
    if (pid.index == old.index) reuser = pid;
  }
  ASSERT_TRUE(reuser) << "no process reused slot " << old.index;
  EXPECT_NE(reuser->generation, old.generation);
  EXPECT_FALSE(runtime.is_alive(old));
  EXPECT_TRUE(runtime.is_alive(*reuser));

  self.cast(old, Add{1});
  runtime.send(old, Add{1});
  runtime.exit(old, ExitReason::kill());
  CallOutcome<int> via_old = self.call<int>(old, Get{}, kWait);
  ASSERT_FALSE(via_old.ok());
  EXPECT_EQ(via_old.error(), CallError::noproc);

  CallOutcome<int> value = self.call<int>(*reuser, Get{}, kWait);
  ASSERT_TRUE(value.ok()) << value.failure().to_string();
  EXPECT_EQ(*value, 100) << "a message for the old Pid reached the new process";

  const MonitorRef ref = self.monitor(old);
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->ref, ref);
  EXPECT_EQ(down->reason, ExitReason::noproc());
  EXPECT_TRUE(runtime.is_alive(*reuser));
}

// --- calls to processes that die ---------------------------------------------------------

// Calls `target` from init, so the request is queued before spawn returns; reports the
// outcome to `report_to`.
struct Caller : GenServer {
  Pid target;
  Pid report_to;
  Caller(Pid t, Pid r) : target(t), report_to(r) {}
  InitResult init() override {
    call<int>(target, Get{}, kWait, [this](CallOutcome<int> outcome) {
      if (outcome.ok()) {
        send(report_to, std::string{"replied"});
      } else {
        send(report_to, outcome.failure());
      }
    });
    return InitResult::ok();
  }
};

TEST(Calls, CallsQueuedInAProcessThatCrashesFailWithCalleeExited) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid target = runtime.spawn<Blocker>({}, ProbeOptions{}).pid();
  auto release = std::make_shared<std::latch>(1);
  self.cast(target, Block{release});
  self.cast(target, Crash{"mid-queue"});
  constexpr int kCallers = 8;
  for (int i = 0; i < kCallers; ++i) {
    ASSERT_TRUE(runtime.spawn<Caller>({}, target, self.self()).ok());
  }
  release->count_down();

  for (int i = 0; i < kCallers; ++i) {
    std::optional<CallFailure> failure = self.receive<CallFailure>(kWait);
    ASSERT_TRUE(failure) << "caller " << i << " got no answer";
    EXPECT_EQ(failure->error, CallError::callee_exited);
    EXPECT_EQ(failure->reason, ExitReason::error("mid-queue"));
  }
  EXPECT_FALSE(self.receive<std::string>(std::chrono::milliseconds{0})) << "a call was answered";
}

TEST(Calls, CallsQueuedInAKilledProcessFailWithCalleeExitedKilled) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid target = runtime.spawn<Blocker>({}, ProbeOptions{}).pid();
  auto release = std::make_shared<std::latch>(1);
  self.cast(target, Block{release});
  ASSERT_TRUE(runtime.spawn<Caller>({}, target, self.self()).ok());
  self.exit(target, ExitReason::kill());
  release->count_down();

  std::optional<CallFailure> failure = self.receive<CallFailure>(kWait);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->error, CallError::callee_exited);
  EXPECT_EQ(failure->reason, ExitReason::killed());
}

TEST(Calls, ACallToAPidThatIsGoneFailsWithNoproc) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid target = spawn_probe(runtime);
  runtime.exit(target, ExitReason::shutdown());
  ASSERT_TRUE(await_down(runtime, target));
  ASSERT_TRUE(runtime.spawn<Caller>({}, target, self.self()).ok());
  std::optional<CallFailure> failure = self.receive<CallFailure>(kWait);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->error, CallError::noproc);
}

// --- timers ------------------------------------------------------------------------------

TEST(Timers, SendAfterDeliversTheMessage) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const auto sent_at = std::chrono::steady_clock::now();
  const TimerRef timer = runtime.send_after(self.self(), std::chrono::milliseconds{20}, 42);
  ASSERT_TRUE(timer);
  std::optional<int> got = self.receive<int>(kWait);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, 42);
  EXPECT_GE(std::chrono::steady_clock::now() - sent_at, std::chrono::milliseconds{20});
  EXPECT_FALSE(Runtime::cancel_timer(timer)) << "a delivered timer is no longer pending";
}

TEST(Timers, CancelTimerPreventsDelivery) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const TimerRef cancelled = runtime.send_after(self.self(), std::chrono::milliseconds{1}, 1);
  EXPECT_TRUE(Runtime::cancel_timer(cancelled));
  EXPECT_FALSE(Runtime::cancel_timer(cancelled)) << "cancelling twice";
  // A later timer: by the time it arrives, the cancelled one has long fired (and done
  // nothing), so only the later value can be in the mailbox.
  (void)runtime.send_after(self.self(), std::chrono::milliseconds{50}, 2);
  std::optional<int> got = self.receive<int>(kWait);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, 2);
  EXPECT_FALSE(self.receive<int>(std::chrono::milliseconds{0}));
}

// A payload that counts its live copies.
struct Tracer {
  std::shared_ptr<int> live;
  explicit Tracer(std::shared_ptr<int> counter) : live(std::move(counter)) { ++*live; }
  Tracer(const Tracer& other) : live(other.live) { ++*live; }
  Tracer& operator=(const Tracer&) = delete;
  ~Tracer() {
    if (live) --*live;
  }
};

TEST(Timers, CancellingATimerDestroysItsMessageAtOnce) {
  // Most timers are a call's timeout and get cancelled when the reply comes: their
  // messages must not linger until the deadline (here an hour away).
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  auto live = std::make_shared<int>(0);
  std::vector<TimerRef> timers;
  for (int i = 0; i < 100; ++i) {
    timers.push_back(runtime.send_after(self.self(), std::chrono::hours{1}, Tracer{live}));
  }
  EXPECT_EQ(*live, 100);
  for (const TimerRef& timer : timers) EXPECT_TRUE(Runtime::cancel_timer(timer));
  EXPECT_EQ(*live, 0) << "cancelled timers still hold their messages";
}

TEST(Timers, TimersFireInDeadlineOrderWhateverTheOrderTheyWereSetIn) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  (void)runtime.send_after(self.self(), std::chrono::milliseconds{60}, 3);
  (void)runtime.send_after(self.self(), std::chrono::milliseconds{40}, 2);
  const TimerRef cancelled = runtime.send_after(self.self(), std::chrono::milliseconds{30}, -1);
  (void)runtime.send_after(self.self(), std::chrono::milliseconds{20}, 1);
  EXPECT_TRUE(Runtime::cancel_timer(cancelled));
  EXPECT_EQ(self.receive<int>(kWait), 1);
  EXPECT_EQ(self.receive<int>(kWait), 2);
  EXPECT_EQ(self.receive<int>(kWait), 3);
}

TEST(Timers, ATimerToADeadProcessIsHarmless) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid target = spawn_probe(runtime);
  (void)runtime.send_after(target, std::chrono::milliseconds{1}, 7);
  runtime.exit(target, ExitReason::kill());
  ASSERT_TRUE(await_down(runtime, target));
  (void)runtime.send_after(self.self(), std::chrono::milliseconds{20}, 8);
  EXPECT_EQ(self.receive<int>(kWait), 8);
}

// --- runtime shutdown --------------------------------------------------------------------

// Records, in terminate, which of the other roots were still alive.
struct ShutdownLog {
  std::mutex mutex;
  std::vector<int> stopped;  // root numbers in the order they terminated
  std::vector<std::string> violations;
};

class Root : public GenServer {
 public:
  Root(int number, std::shared_ptr<ShutdownLog> log, std::shared_ptr<std::vector<Pid>> roots)
      : number_(number), log_(std::move(log)), roots_(std::move(roots)) {}

 protected:
  void terminate(const ExitReason& reason) override {
    std::lock_guard lock(log_->mutex);
    log_->stopped.push_back(number_);
    if (reason != ExitReason::shutdown()) {
      log_->violations.push_back("root " + std::to_string(number_) + " ended with " +
                                 reason.to_string());
    }
    for (int other = 0; other < static_cast<int>(roots_->size()); ++other) {
      const bool alive = runtime().is_alive((*roots_)[static_cast<std::size_t>(other)]);
      if (other > number_ && alive) {
        log_->violations.push_back("root " + std::to_string(number_) +
                                   " stopped while later root " + std::to_string(other) +
                                   " was alive");
      }
      if (other < number_ && !alive) {
        log_->violations.push_back("root " + std::to_string(number_) +
                                   " stopped after earlier root " + std::to_string(other));
      }
    }
  }

 private:
  int number_;
  std::shared_ptr<ShutdownLog> log_;
  std::shared_ptr<std::vector<Pid>> roots_;
};

TEST(Shutdown, RootsStopInReverseStartOrder) {
  constexpr int kRoots = 6;
  auto log = std::make_shared<ShutdownLog>();
  auto roots = std::make_shared<std::vector<Pid>>();
  {
    Runtime runtime({.threads = 2});
    for (int i = 0; i < kRoots; ++i) {
      StartResult started = runtime.spawn<Root>({}, i, log, roots);
      ASSERT_TRUE(started.ok());
      roots->push_back(started.pid());
    }
    runtime.shutdown();
    EXPECT_EQ(runtime.process_count(), 0u);
  }
  std::lock_guard lock(log->mutex);
  EXPECT_EQ(log->stopped, (std::vector<int>{5, 4, 3, 2, 1, 0}));
  EXPECT_TRUE(log->violations.empty()) << log->violations.front();
}

TEST(Shutdown, NothingCanBeSpawnedAfterShutdown) {
  Runtime runtime({.threads = 2});
  runtime.shutdown();
  StartResult started = runtime.spawn<Counter>({});
  ASSERT_FALSE(started.ok());
  runtime.shutdown();  // idempotent
}

}  // namespace
}  // namespace otter::core
