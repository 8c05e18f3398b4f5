// DynamicSupervisor: children started at run time, terminated by Pid, counted and listed,
// limited by max_children, restarted by restart type within the intensity, stopped
// concurrently on shutdown; start_child from inside a process. Nothing sleeps.
#include "core/dynamic_supervisor.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/supervisor.hpp"
#include "supervision_servers.hpp"

namespace otter::core {
namespace {
using namespace testing;
using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

DynamicSupervisorOptions options(std::optional<std::size_t> max_children = std::nullopt,
                                 int max_restarts = 10) {
  return DynamicSupervisorOptions{.max_restarts = max_restarts,
                                  .max_seconds = std::chrono::seconds(60),
                                  .max_children = max_children};
}

std::vector<ChildInfo> children_of(Runtime& runtime, Pid supervisor) {
  CallOutcome<std::vector<ChildInfo>> children = which_children(runtime, supervisor, kWait);
  EXPECT_TRUE(children.ok()) << children.failure().to_string();
  return children.ok() ? *children : std::vector<ChildInfo>{};
}

Pid start(Runtime& runtime, Pid supervisor, ChildSpec spec) {
  StartResult started = DynamicSupervisor::start_child(runtime, supervisor, std::move(spec), kWait);
  EXPECT_TRUE(started.ok()) << (started.error() ? started.error()->to_string() : "ignored");
  return started.pid();
}

TEST(DynamicSupervisor, StartsChildrenOnRequestAndListsThemInStartOrder) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid sup = runtime.spawn<DynamicSupervisor>(SpawnOptions{}, options()).pid();
  EXPECT_TRUE(children_of(runtime, sup).empty());

  const Pid a = start(runtime, sup, recorded("doc:a", self.self()));
  const Pid b = start(runtime, sup, recorded("doc:b", self.self()));
  EXPECT_EQ(next_events(self, 2), (Strings{"started doc:a", "started doc:b"}));

  const std::vector<ChildInfo> children = children_of(runtime, sup);
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(children[0].id, "doc:a");
  EXPECT_EQ(children[0].pid, a);
  EXPECT_EQ(children[1].pid, b);
  EXPECT_EQ(children[1].state, ChildState::running);
  CallOutcome<ChildCounts> counts = count_children(runtime, sup, kWait);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(*counts, (ChildCounts{.specs = 2, .active = 2, .supervisors = 0, .workers = 2}));
}

TEST(DynamicSupervisor, TerminateChildStopsItAndForgetsIt) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid sup = runtime.spawn<DynamicSupervisor>(SpawnOptions{}, options()).pid();
  const Pid a = start(runtime, sup, recorded("a", self.self()));
  const Pid b = start(runtime, sup, recorded("b", self.self()));
  ASSERT_EQ(next_events(self, 2), (Strings{"started a", "started b"}));

  SupervisorResult result = DynamicSupervisor::terminate_child(runtime, sup, a, kWait);
  ASSERT_TRUE(result.ok()) << result.message();
  EXPECT_EQ(next_events(self, 1), (Strings{"stopped a (shutdown)"}));
  EXPECT_FALSE(runtime.is_alive(a));
  const std::vector<ChildInfo> children = children_of(runtime, sup);
  ASSERT_EQ(children.size(), 1u);
  EXPECT_EQ(children[0].pid, b);

  SupervisorResult again = DynamicSupervisor::terminate_child(runtime, sup, a, kWait);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error(), SupervisorError::not_found);
  EXPECT_EQ(again.message(), a.to_string() + " is not a running child");
}

TEST(DynamicSupervisor, ATemporaryChildsStartIsReleasedOnceStartedAndTheChildStaysManaged) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid sup = runtime.spawn<DynamicSupervisor>(SpawnOptions{}, options()).pid();
  auto captured = std::make_shared<int>(0);  // stands for what a start function holds
  const std::weak_ptr<int> watch = captured;
  ChildSpec spec = recorded("temp", self.self()).with_restart(Restart::temporary);
  spec.start = [inner = std::move(spec.start), captured = std::move(captured)](Runtime& rt) {
    return inner(rt);
  };
  const Pid temp = start(runtime, sup, std::move(spec));
  ASSERT_EQ(next_events(self, 1), (Strings{"started temp"}));
  EXPECT_TRUE(watch.expired());  // the supervisor kept no copy of the start function

  const std::vector<ChildInfo> children = children_of(runtime, sup);
  ASSERT_EQ(children.size(), 1u);
  EXPECT_EQ(children[0].id, "temp");
  EXPECT_EQ(children[0].pid, temp);
  EXPECT_EQ(children[0].state, ChildState::running);
  ASSERT_TRUE(DynamicSupervisor::terminate_child(runtime, sup, temp, kWait).ok());
  EXPECT_EQ(next_events(self, 1), (Strings{"stopped temp (shutdown)"}));
  EXPECT_TRUE(children_of(runtime, sup).empty());
}

TEST(DynamicSupervisor, APermanentChildKeepsItsStartForItsRestarts) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid sup = runtime.spawn<DynamicSupervisor>(SpawnOptions{}, options()).pid();
  auto captured = std::make_shared<int>(0);
  const std::weak_ptr<int> watch = captured;
  ChildSpec spec = recorded("perm", self.self());
  spec.start = [inner = std::move(spec.start), captured = std::move(captured)](Runtime& rt) {
    return inner(rt);
  };
  const Pid first = start(runtime, sup, std::move(spec));
  ASSERT_EQ(next_events(self, 1), (Strings{"started perm"}));
  EXPECT_FALSE(watch.expired());

  runtime.exit(first, ExitReason::kill());
  EXPECT_EQ(next_events(self, 1), (Strings{"started perm"}));  // restarted from the kept start
  const std::vector<ChildInfo> children = children_of(runtime, sup);
  ASSERT_EQ(children.size(), 1u);
  EXPECT_NE(children[0].pid, first);
}

TEST(DynamicSupervisor, StartChildPastMaxChildrenFailsWithAClearError) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid sup = runtime.spawn<DynamicSupervisor>(SpawnOptions{}, options(2)).pid();
  const Pid a = start(runtime, sup, recorded("a", self.self()));
  (void)start(runtime, sup, recorded("b", self.self()));

  StartResult refused = DynamicSupervisor::start_child(runtime, sup, recorded("c", self.self()));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(*refused.error(), ExitReason::error("max_children: max_children reached (2)"));
  EXPECT_EQ(next_events(self, 2), (Strings{"started a", "started b"}));  // c never started

  ASSERT_TRUE(DynamicSupervisor::terminate_child(runtime, sup, a).ok());
  EXPECT_TRUE(DynamicSupervisor::start_child(runtime, sup, recorded("c", self.self())).ok());
}

TEST(DynamicSupervisor, RefusesASpecWithoutStartAndReportsAFailedStart) {
  Runtime runtime({.threads = 2});
  const Pid sup = runtime.spawn<DynamicSupervisor>(SpawnOptions{}, options()).pid();
  StartResult invalid = DynamicSupervisor::start_child(runtime, sup, ChildSpec{.id = "x"});
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(*invalid.error(), ExitReason::error("invalid_spec: child spec 'x': no start function"));

  StartResult failed = DynamicSupervisor::start_child(
      runtime, sup, ChildSpec::worker<FailsToStart>("db", std::string("no database")));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(*failed.error(), ExitReason::error("no database"));
  EXPECT_TRUE(children_of(runtime, sup).empty());
}

TEST(DynamicSupervisor, RestartsByRestartTypeAndForgetsChildrenItDoesNotRestart) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid recorder = self.self();
  const Pid sup = runtime.spawn<DynamicSupervisor>(SpawnOptions{}, options()).pid();
  const Pid perm = start(runtime, sup, recorded("perm", recorder));
  const Pid trans = start(runtime, sup, recorded("trans", recorder).with_restart(Restart::transient));
  const Pid temp = start(runtime, sup, recorded("temp", recorder).with_restart(Restart::temporary));
  ASSERT_EQ(next_events(self, 3), (Strings{"started perm", "started trans", "started temp"}));

  self.cast(perm, Crash{"boom"});
  EXPECT_EQ(next_events(self, 2), (Strings{"stopped perm (error: boom)", "started perm"}));
  self.cast(trans, Crash{"boom"});
  EXPECT_EQ(next_events(self, 2), (Strings{"stopped trans (error: boom)", "started trans"}));
  // A child that is not restarted leaves no event from the supervisor: wait for its Down,
  // which comes after its exit signal reached the supervisor.
  self.monitor(temp);
  self.cast(temp, Crash{"boom"});
  EXPECT_EQ(next_events(self, 1), (Strings{"stopped temp (error: boom)"}));
  ASSERT_TRUE(self.receive<Down>(kWait));

  std::vector<ChildInfo> children = children_of(runtime, sup);
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(children[0].id, "perm");  // a restarted child keeps its place
  EXPECT_NE(children[0].pid, perm);
  EXPECT_TRUE(runtime.is_alive(children[0].pid));
  EXPECT_EQ(children[1].id, "trans");

  self.monitor(children[1].pid);
  self.cast(children[1].pid, StopWith{ExitReason::normal()});  // transient, normal: forgotten
  EXPECT_EQ(next_events(self, 1), (Strings{"stopped trans (normal)"}));
  ASSERT_TRUE(self.receive<Down>(kWait));
  children = children_of(runtime, sup);
  ASSERT_EQ(children.size(), 1u);
  EXPECT_EQ(children[0].id, "perm");
  EXPECT_FALSE(self.receive<Event>(0ms));
}

TEST(DynamicSupervisor, AFailedRestartIsRetriedAndTheChildKeepsItsPlace) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid recorder = self.self();
  const Pid sup = runtime.spawn<DynamicSupervisor>(SpawnOptions{}, options()).pid();
  // Starts the first time, fails the second, starts the third.
  auto starts = std::make_shared<std::atomic<int>>(0);
  const Pid flaky = start(runtime, sup, ChildSpec{.id = "flaky", .start = [starts, recorder](Runtime& rt) {
    if (starts->fetch_add(1) == 1) return StartResult::failed(ExitReason::error("not yet"));
    return rt.spawn<Recorded>(SpawnOptions{.link = true}, std::string("flaky"), recorder);
  }});
  (void)start(runtime, sup, recorded("after", recorder));
  ASSERT_EQ(next_events(self, 2), (Strings{"started flaky", "started after"}));

  self.cast(flaky, Crash{"boom"});
  EXPECT_EQ(next_events(self, 2), (Strings{"stopped flaky (error: boom)", "started flaky"}));
  EXPECT_EQ(starts->load(), 3);
  const std::vector<ChildInfo> children = children_of(runtime, sup);
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(children[0].id, "flaky");
  EXPECT_EQ(children[0].state, ChildState::running);
  EXPECT_NE(children[0].pid, flaky);
}

TEST(DynamicSupervisor, TooManyRestartsStopAllChildrenAndExitWithShutdown) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid sup = runtime.spawn<DynamicSupervisor>(SpawnOptions{}, options(std::nullopt, 1)).pid();
  self.monitor(sup);
  const Pid crashy = start(runtime, sup, recorded("crashy", self.self()));
  (void)start(runtime, sup, recorded("calm", self.self()));
  ASSERT_EQ(next_events(self, 2), (Strings{"started crashy", "started calm"}));

  self.cast(crashy, Crash{"one"});
  EXPECT_EQ(next_events(self, 2), (Strings{"stopped crashy (error: one)", "started crashy"}));
  self.cast(children_of(runtime, sup)[0].pid, Crash{"two"});
  EXPECT_EQ(next_events(self, 2), (Strings{"stopped crashy (error: two)", "stopped calm (shutdown)"}));
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->pid, sup);
  EXPECT_EQ(down->reason, ExitReason::shutdown());
}

TEST(DynamicSupervisor, ShutdownStopsChildrenConcurrentlyAndExitsWhenTheLastIsGone) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid sup = runtime.spawn<DynamicSupervisor>(SpawnOptions{}, options()).pid();
  self.monitor(sup);
  const Pid slow = start(runtime, sup, stubborn("slow", self.self(), Shutdown::infinity()));
  (void)start(runtime, sup, recorded("quick", self.self()));
  ASSERT_EQ(next_events(self, 2), (Strings{"started slow", "started quick"}));

  runtime.exit(sup, ExitReason::shutdown());
  // quick stops while slow is still being waited for: nobody waits in line behind slow.
  // (Both are told at once, so the two events may come in either order.)
  Strings events = next_events(self, 2);
  std::sort(events.begin(), events.end());
  EXPECT_EQ(events, (Strings{"asked_to_stop slow", "stopped quick (shutdown)"}));
  EXPECT_TRUE(runtime.is_alive(sup));
  StartResult late = DynamicSupervisor::start_child(runtime, sup, recorded("late", self.self()));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(*late.error(), ExitReason::error("shutting_down: the supervisor is shutting down"));

  self.cast(slow, Release{});
  EXPECT_EQ(next_events(self, 1), (Strings{"stopped slow (shutdown)"}));
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, ExitReason::shutdown());
}

TEST(DynamicSupervisor, AChildThatIgnoresShutdownIsKilledAfterItsTimeout) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid sup = runtime.spawn<DynamicSupervisor>(SpawnOptions{}, options()).pid();
  const Pid slow = start(runtime, sup, stubborn("slow", self.self(), Shutdown::after(50ms)));
  ASSERT_EQ(next_events(self, 1), (Strings{"started slow"}));
  self.monitor(slow);

  SupervisorResult result = DynamicSupervisor::terminate_child(runtime, sup, slow, kWait);
  ASSERT_TRUE(result.ok()) << result.message();
  EXPECT_EQ(next_events(self, 1), (Strings{"asked_to_stop slow"}));
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, ExitReason::killed());
  EXPECT_TRUE(children_of(runtime, sup).empty());
}

TEST(DynamicSupervisor, KeepsServingWhileAChildTakesItsTimeToStop) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid sup = runtime.spawn<DynamicSupervisor>(SpawnOptions{}, options()).pid();
  const Pid slow = start(runtime, sup, stubborn("slow", self.self(), Shutdown::infinity()));
  ASSERT_EQ(next_events(self, 1), (Strings{"started slow"}));

  ASSERT_TRUE(runtime.spawn<Caller<SupervisorResult>>(
      SpawnOptions{}, sup, Message{DynamicSupervisor::TerminateChild{slow}}, self.self()).ok());
  ASSERT_EQ(next_events(self, 1), (Strings{"asked_to_stop slow"}));

  // slow is still stopping; starting and listing others is not held up by it.
  const Pid other = start(runtime, sup, recorded("other", self.self()));
  EXPECT_EQ(next_events(self, 1), (Strings{"started other"}));
  EXPECT_EQ(children_of(runtime, sup).size(), 2u);
  EXPECT_FALSE(self.receive<CallOutcome<SupervisorResult>>(0ms));

  self.cast(slow, Release{});
  std::optional<CallOutcome<SupervisorResult>> answer =
      self.receive<CallOutcome<SupervisorResult>>(kWait);
  ASSERT_TRUE(answer && answer->ok());
  EXPECT_TRUE(answer->value().ok());
  const std::vector<ChildInfo> children = children_of(runtime, sup);
  ASSERT_EQ(children.size(), 1u);
  EXPECT_EQ(children[0].pid, other);
}

TEST(DynamicSupervisor, StartChildWorksFromInsideAProcess) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid sup = runtime.spawn<DynamicSupervisor>(SpawnOptions{}, options()).pid();
  ASSERT_TRUE(runtime.spawn<Caller<StartResult>>(
      SpawnOptions{}, sup, Message{DynamicSupervisor::StartChild{recorded("doc", self.self())}},
      self.self()).ok());
  std::optional<CallOutcome<StartResult>> answer = self.receive<CallOutcome<StartResult>>(kWait);
  ASSERT_TRUE(answer && answer->ok()) << answer->failure().to_string();
  ASSERT_TRUE(answer->value().ok());
  EXPECT_EQ(next_events(self, 1), (Strings{"started doc"}));
  EXPECT_EQ(children_of(runtime, sup)[0].pid, answer->value().pid());
}

TEST(DynamicSupervisor, AsyncStartChildAnswersTheCallbackAndReportsRefusals) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid sup = runtime.spawn<DynamicSupervisor>(SpawnOptions{}, options(1)).pid();
  const auto report_to_self = [&runtime, me = self.self()](StartResult result) { runtime.send(me, result); };

  DynamicSupervisor::async_start_child(runtime, sup, recorded("first", self.self()), report_to_self);
  std::optional<StartResult> started = self.receive<StartResult>(kWait);
  ASSERT_TRUE(started && started->ok());
  EXPECT_EQ(next_events(self, 1), (Strings{"started first"}));
  EXPECT_EQ(children_of(runtime, sup)[0].pid, started->pid());

  DynamicSupervisor::async_start_child(runtime, sup, recorded("second", self.self()), report_to_self);
  std::optional<StartResult> refused = self.receive<StartResult>(kWait);
  ASSERT_TRUE(refused.has_value());
  ASSERT_FALSE(refused->ok());
  EXPECT_EQ(*refused->error(), ExitReason::error("max_children: max_children reached (1)"));
}

TEST(DynamicSupervisor, UnderASupervisorItIsStoppedWithItsChildrenInOrder) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid root = runtime.spawn<Supervisor>(
      SpawnOptions{}, SupervisorFlags{},
      std::vector<ChildSpec>{recorded("first", self.self()),
                             ChildSpec::supervisor<DynamicSupervisor>("docs", options())}).pid();
  ASSERT_EQ(next_events(self, 1), (Strings{"started first"}));
  const Pid docs = children_of(runtime, root)[1].pid;
  (void)start(runtime, docs, recorded("doc", self.self()));
  ASSERT_EQ(next_events(self, 1), (Strings{"started doc"}));
  self.monitor(root);

  runtime.exit(root, ExitReason::shutdown());
  EXPECT_EQ(next_events(self, 2), (Strings{"stopped doc (shutdown)", "stopped first (shutdown)"}));
  ASSERT_TRUE(self.receive<Down>(kWait));
}

}  // namespace
}  // namespace otter::core
