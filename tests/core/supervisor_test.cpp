// Supervisor: child specs, start order, the three strategies, restart types, intensity and
// escalation, ordered shutdown, shutdown timeouts, start failures, and the calls — also
// while the supervisor is busy stopping a child. Children report their starts and stops
// to a ScopedProcess (supervision_servers.hpp); nothing sleeps.
#include "core/supervisor.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "supervision_servers.hpp"

namespace otter::core {
namespace {
using namespace testing;
using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

SupervisorFlags flags(Strategy strategy, int max_restarts = 10) {
  return SupervisorFlags{.strategy = strategy, .max_restarts = max_restarts,
                         .max_seconds = std::chrono::seconds(60)};
}

std::vector<ChildInfo> children_of(Runtime& runtime, Pid supervisor) {
  CallOutcome<std::vector<ChildInfo>> children = which_children(runtime, supervisor, kWait);
  EXPECT_TRUE(children.ok()) << children.failure().to_string();
  return children.ok() ? *children : std::vector<ChildInfo>{};
}

Pid pid_of(Runtime& runtime, Pid supervisor, const std::string& id) {
  for (const ChildInfo& child : children_of(runtime, supervisor)) {
    if (child.id == id) return child.pid;
  }
  ADD_FAILURE() << "no child " << id;
  return {};
}

// Nothing more was reported: checked after a round trip to the supervisor, so everything
// it did before answering has been sent.
void expect_no_more_events(Runtime& runtime, ScopedProcess& self, Pid supervisor) {
  (void)children_of(runtime, supervisor);
  std::optional<Event> extra = self.receive<Event>(0ms);
  EXPECT_FALSE(extra) << "unexpected event: " << extra->to_string();
}

// --- child specs ------------------------------------------------------------------------

TEST(ChildSpec, BuildersSetTheTypeAndOtpsDefaultShutdown) {
  const ChildSpec worker = ChildSpec::worker<Counter>("counter", 3);
  EXPECT_EQ(worker.id, "counter");
  EXPECT_EQ(worker.type, ChildType::worker);
  EXPECT_EQ(worker.restart, Restart::permanent);
  EXPECT_EQ(worker.effective_shutdown(), Shutdown::after(5000ms));

  const ChildSpec sup = ChildSpec::supervisor<Supervisor>("sup", SupervisorFlags{},
                                                          std::vector<ChildSpec>{});
  EXPECT_EQ(sup.type, ChildType::supervisor);
  EXPECT_EQ(sup.effective_shutdown(), Shutdown::infinity());

  const ChildSpec tuned = ChildSpec::worker<Counter>("c")
                              .with_restart(Restart::transient)
                              .with_shutdown(Shutdown::brutal_kill());
  EXPECT_EQ(tuned.restart, Restart::transient);
  EXPECT_EQ(tuned.effective_shutdown(), Shutdown::brutal_kill());
}

TEST(ChildSpec, ValidationNamesTheSpecAndTheProblem) {
  std::vector<ChildSpec> specs{ChildSpec::worker<Counter>("a"), ChildSpec::worker<Counter>("")};
  std::optional<ChildSpecError> error = validate(specs);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, ChildSpecError::Code::empty_id);
  EXPECT_EQ(error->message, "child spec #1: the id is empty");

  specs = {ChildSpec::worker<Counter>("a"), ChildSpec::worker<Counter>("b"),
           ChildSpec::worker<Counter>("a")};
  error = validate(specs);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, ChildSpecError::Code::duplicate_id);
  EXPECT_EQ(error->message, "child spec #2 ('a'): the id 'a' is already used by child spec #0");

  specs = {ChildSpec{.id = "no-start"}};
  error = validate(specs);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, ChildSpecError::Code::missing_start);
  EXPECT_EQ(error->message, "child spec #0 ('no-start'): no start function");

  error = validate(ChildSpec::worker<Counter>("slow").with_shutdown(Shutdown::after(-1ms)));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, ChildSpecError::Code::negative_shutdown);
  EXPECT_EQ(error->message, "child spec 'slow': the shutdown timeout is negative (-1 ms)");

  EXPECT_FALSE(validate(ChildSpec{.start = [](Runtime&) { return StartResult::ignored(); }},
                        /*require_id=*/false));
}

TEST(Supervisor, RefusesToStartWithAnInvalidSpecOrFlagsAndStartsNothing) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  StartResult started = runtime.spawn<Supervisor>(
      SpawnOptions{}, SupervisorFlags{},
      std::vector<ChildSpec>{recorded("a", self.self()), recorded("a", self.self())});
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(*started.error(),
            ExitReason::error("child spec #1 ('a'): the id 'a' is already used by child spec #0"));

  started = runtime.spawn<Supervisor>(SpawnOptions{}, SupervisorFlags{.max_restarts = -1},
                                      std::vector<ChildSpec>{recorded("a", self.self())});
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(*started.error(),
            ExitReason::error("invalid supervisor flags: max_restarts must be >= 0 (got -1)"));
  EXPECT_FALSE(self.receive<Event>(0ms));
}

// --- restart intensity ------------------------------------------------------------------

TEST(RestartIntensity, AllowsMaxRestartsWithinTheWindowAndForgetsOlderOnes) {
  using Clock = detail::RestartIntensity::Clock;
  detail::RestartIntensity intensity(2, 5s);
  const Clock::time_point t0{};
  EXPECT_TRUE(intensity.allow_restart(t0));
  EXPECT_TRUE(intensity.allow_restart(t0 + 1s));
  EXPECT_FALSE(intensity.allow_restart(t0 + 2s));  // third within 5 s

  detail::RestartIntensity spaced(2, 5s);
  EXPECT_TRUE(spaced.allow_restart(t0));
  EXPECT_TRUE(spaced.allow_restart(t0 + 4s));
  EXPECT_TRUE(spaced.allow_restart(t0 + 6s));  // t0 is out of the window, t0 + 4s is not
  EXPECT_EQ(spaced.recent_restarts(), 2u);

  detail::RestartIntensity none(0, 5s);
  EXPECT_FALSE(none.allow_restart(t0));

  // The largest limit is a valid "never give up" (rest_api_fuzz found max_restarts + 1
  // overflowing an int there; UBSan in the ASan build reports it).
  detail::RestartIntensity unlimited(std::numeric_limits<int>::max(), 5s);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(unlimited.allow_restart(t0 + std::chrono::milliseconds(i)));
  EXPECT_EQ(unlimited.recent_restarts(), 3u);
}

// --- start order and strategies ---------------------------------------------------------

TEST(Supervisor, StartsChildrenInOrderAndReportsThem) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid recorder = self.self();
  StartResult sup = runtime.spawn<Supervisor>(
      SpawnOptions{}, flags(Strategy::one_for_one),
      std::vector<ChildSpec>{recorded("a", recorder), recorded("b", recorder),
                             ChildSpec::supervisor<Supervisor>("inner", SupervisorFlags{},
                                                               std::vector<ChildSpec>{})});
  ASSERT_TRUE(sup.ok());
  EXPECT_EQ(next_events(self, 2), (Strings{"started a", "started b"}));

  const std::vector<ChildInfo> children = children_of(runtime, sup.pid());
  ASSERT_EQ(children.size(), 3u);
  EXPECT_EQ(children[0].id, "a");
  EXPECT_EQ(children[1].id, "b");
  EXPECT_EQ(children[2].id, "inner");
  EXPECT_EQ(children[2].type, ChildType::supervisor);
  for (const ChildInfo& child : children) {
    EXPECT_EQ(child.state, ChildState::running);
    EXPECT_TRUE(runtime.is_alive(child.pid));
  }
  CallOutcome<ChildCounts> counts = count_children(runtime, sup.pid(), kWait);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(*counts, (ChildCounts{.specs = 3, .active = 3, .supervisors = 1, .workers = 2}));
}

TEST(Supervisor, OneForOneRestartsOnlyTheChildThatCrashed) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid recorder = self.self();
  const Pid sup = runtime.spawn<Supervisor>(
      SpawnOptions{}, flags(Strategy::one_for_one),
      std::vector<ChildSpec>{recorded("a", recorder), recorded("b", recorder),
                             recorded("c", recorder)}).pid();
  ASSERT_EQ(next_events(self, 3), (Strings{"started a", "started b", "started c"}));
  const std::vector<ChildInfo> before = children_of(runtime, sup);

  self.cast(before[1].pid, Crash{"boom"});
  EXPECT_EQ(next_events(self, 2), (Strings{"stopped b (error: boom)", "started b"}));
  expect_no_more_events(runtime, self, sup);

  const std::vector<ChildInfo> after = children_of(runtime, sup);
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[0].pid, before[0].pid);
  EXPECT_NE(after[1].pid, before[1].pid);
  EXPECT_TRUE(runtime.is_alive(after[1].pid));
  EXPECT_EQ(after[2].pid, before[2].pid);
}

TEST(Supervisor, OneForAllStopsTheOthersInReverseAndRestartsAllInOrder) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid recorder = self.self();
  const Pid sup = runtime.spawn<Supervisor>(
      SpawnOptions{}, flags(Strategy::one_for_all),
      std::vector<ChildSpec>{recorded("a", recorder), recorded("b", recorder),
                             recorded("c", recorder)}).pid();
  ASSERT_EQ(next_events(self, 3), (Strings{"started a", "started b", "started c"}));
  const std::vector<ChildInfo> before = children_of(runtime, sup);

  self.cast(before[1].pid, Crash{"boom"});
  EXPECT_EQ(next_events(self, 6),
            (Strings{"stopped b (error: boom)", "stopped c (shutdown)", "stopped a (shutdown)",
                     "started a", "started b", "started c"}));
  expect_no_more_events(runtime, self, sup);
  const std::vector<ChildInfo> after = children_of(runtime, sup);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NE(after[i].pid, before[i].pid) << after[i].id;
    EXPECT_TRUE(runtime.is_alive(after[i].pid)) << after[i].id;
  }
}

TEST(Supervisor, RestForOneRestartsTheChildAndThoseStartedAfterIt) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid recorder = self.self();
  const Pid sup = runtime.spawn<Supervisor>(
      SpawnOptions{}, flags(Strategy::rest_for_one),
      std::vector<ChildSpec>{recorded("a", recorder), recorded("b", recorder),
                             recorded("c", recorder), recorded("d", recorder)}).pid();
  ASSERT_EQ(next_events(self, 4), (Strings{"started a", "started b", "started c", "started d"}));
  const std::vector<ChildInfo> before = children_of(runtime, sup);

  self.cast(before[1].pid, Crash{"boom"});
  EXPECT_EQ(next_events(self, 6),
            (Strings{"stopped b (error: boom)", "stopped d (shutdown)", "stopped c (shutdown)",
                     "started b", "started c", "started d"}));
  expect_no_more_events(runtime, self, sup);
  const std::vector<ChildInfo> after = children_of(runtime, sup);
  EXPECT_EQ(after[0].pid, before[0].pid);  // started before b: untouched
  for (std::size_t i = 1; i < 4; ++i) EXPECT_NE(after[i].pid, before[i].pid) << after[i].id;
}

TEST(Supervisor, OneForAllForgetsATemporarySiblingItStopped) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid recorder = self.self();
  const Pid sup = runtime.spawn<Supervisor>(
      SpawnOptions{}, flags(Strategy::one_for_all),
      std::vector<ChildSpec>{recorded("a", recorder),
                             recorded("temp", recorder).with_restart(Restart::temporary)}).pid();
  ASSERT_EQ(next_events(self, 2), (Strings{"started a", "started temp"}));

  self.cast(pid_of(runtime, sup, "a"), Crash{"boom"});
  EXPECT_EQ(next_events(self, 3),
            (Strings{"stopped a (error: boom)", "stopped temp (shutdown)", "started a"}));
  expect_no_more_events(runtime, self, sup);
  const std::vector<ChildInfo> after = children_of(runtime, sup);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, "a");
}

// --- restart types ----------------------------------------------------------------------

TEST(Supervisor, RestartTypesDecideWhichExitsAreRestarted) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid recorder = self.self();
  const Pid sup = runtime.spawn<Supervisor>(
      SpawnOptions{}, flags(Strategy::one_for_one),
      std::vector<ChildSpec>{
          recorded("perm", recorder),
          recorded("trans", recorder).with_restart(Restart::transient),
          recorded("temp", recorder).with_restart(Restart::temporary)}).pid();
  ASSERT_EQ(next_events(self, 3), (Strings{"started perm", "started trans", "started temp"}));

  // permanent: even a normal exit is restarted.
  self.cast(pid_of(runtime, sup, "perm"), StopWith{ExitReason::normal()});
  EXPECT_EQ(next_events(self, 2), (Strings{"stopped perm (normal)", "started perm"}));

  // transient: a crash is restarted, a normal exit (or shutdown) is not.
  self.cast(pid_of(runtime, sup, "trans"), Crash{"boom"});
  EXPECT_EQ(next_events(self, 2), (Strings{"stopped trans (error: boom)", "started trans"}));
  // (An exit that is not restarted leaves no event from the supervisor: the Down, which
  // comes after the exit signal reached the supervisor, says it has been handled.)
  self.monitor(pid_of(runtime, sup, "trans"));
  self.cast(pid_of(runtime, sup, "trans"), StopWith{ExitReason::shutdown()});
  EXPECT_EQ(next_events(self, 1), (Strings{"stopped trans (shutdown)"}));
  ASSERT_TRUE(self.receive<Down>(kWait));

  // temporary: a crash is not restarted and the child is forgotten.
  self.monitor(pid_of(runtime, sup, "temp"));
  self.cast(pid_of(runtime, sup, "temp"), Crash{"boom"});
  EXPECT_EQ(next_events(self, 1), (Strings{"stopped temp (error: boom)"}));
  ASSERT_TRUE(self.receive<Down>(kWait));
  expect_no_more_events(runtime, self, sup);

  const std::vector<ChildInfo> children = children_of(runtime, sup);
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(children[0].id, "perm");
  EXPECT_EQ(children[0].state, ChildState::running);
  EXPECT_EQ(children[1].id, "trans");
  EXPECT_EQ(children[1].state, ChildState::stopped);
  EXPECT_TRUE(children[1].pid.is_null());
}

// --- intensity and escalation -----------------------------------------------------------

TEST(Supervisor, TooManyRestartsStopTheChildrenAndExitWithShutdown) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid recorder = self.self();
  const Pid sup = runtime.spawn<Supervisor>(
      SpawnOptions{}, flags(Strategy::one_for_one, /*max_restarts=*/1),
      std::vector<ChildSpec>{recorded("a", recorder), recorded("b", recorder)}).pid();
  ASSERT_EQ(next_events(self, 2), (Strings{"started a", "started b"}));
  self.monitor(sup);

  self.cast(pid_of(runtime, sup, "b"), Crash{"first"});
  EXPECT_EQ(next_events(self, 2), (Strings{"stopped b (error: first)", "started b"}));
  self.cast(pid_of(runtime, sup, "b"), Crash{"second"});
  // The second restart within the window is one too many: a is stopped, then sup exits.
  EXPECT_EQ(next_events(self, 2), (Strings{"stopped b (error: second)", "stopped a (shutdown)"}));
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->pid, sup);
  EXPECT_EQ(down->reason, ExitReason::shutdown());
  EXPECT_EQ(runtime.process_count(), 1u);  // only `self`: the children went first
}

TEST(Supervisor, AnInnerSupervisorThatGivesUpIsRestartedByItsParent) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid recorder = self.self();
  std::vector<ChildSpec> inner_children{recorded("w", recorder)};
  const Pid outer = runtime.spawn<Supervisor>(
      SpawnOptions{}, flags(Strategy::one_for_one),
      std::vector<ChildSpec>{recorded("sibling", recorder),
                             ChildSpec::supervisor<Supervisor>(
                                 "inner", flags(Strategy::one_for_one, /*max_restarts=*/1),
                                 inner_children)}).pid();
  ASSERT_EQ(next_events(self, 2), (Strings{"started sibling", "started w"}));
  const Pid sibling = pid_of(runtime, outer, "sibling");
  const Pid inner = pid_of(runtime, outer, "inner");
  self.monitor(inner);

  self.cast(pid_of(runtime, inner, "w"), Crash{"one"});
  EXPECT_EQ(next_events(self, 2), (Strings{"stopped w (error: one)", "started w"}));
  self.cast(pid_of(runtime, inner, "w"), Crash{"two"});

  // inner gives up and exits with shutdown; outer starts a new inner, which starts w.
  EXPECT_EQ(next_events(self, 2), (Strings{"stopped w (error: two)", "started w"}));
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->pid, inner);
  EXPECT_EQ(down->reason, ExitReason::shutdown());

  const Pid new_inner = pid_of(runtime, outer, "inner");
  EXPECT_NE(new_inner, inner);
  EXPECT_TRUE(runtime.is_alive(new_inner));
  EXPECT_EQ(pid_of(runtime, outer, "sibling"), sibling);  // one_for_one: untouched
  ASSERT_EQ(children_of(runtime, new_inner).size(), 1u);
  expect_no_more_events(runtime, self, outer);
}

TEST(Supervisor, AChildThatCanNeverRestartEndsInEscalation) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid recorder = self.self();
  // Starts once, then fails every restart: each failed attempt counts towards intensity.
  auto attempts = std::make_shared<std::atomic<int>>(0);
  ChildSpec flaky{.id = "flaky", .start = [attempts, recorder](Runtime& rt) {
    if (attempts->fetch_add(1) == 0) {
      return rt.spawn<Recorded>(SpawnOptions{.link = true}, std::string("flaky"), recorder);
    }
    return StartResult::failed(ExitReason::error("cannot start again"));
  }};
  const Pid sup = runtime.spawn<Supervisor>(SpawnOptions{}, flags(Strategy::one_for_one, 3),
                                            std::vector<ChildSpec>{flaky}).pid();
  ASSERT_EQ(next_events(self, 1), (Strings{"started flaky"}));
  self.monitor(sup);
  self.cast(pid_of(runtime, sup, "flaky"), Crash{"boom"});
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, ExitReason::shutdown());
  EXPECT_EQ(attempts->load(), 1 + 3);  // the first start, then three failed restarts
}

TEST(Supervisor, AFailedRestartInOneForAllIsRetriedForTheWholeGroup) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid recorder = self.self();
  // c starts the first time, fails the second, starts the third.
  auto starts = std::make_shared<std::atomic<int>>(0);
  ChildSpec c{.id = "c", .start = [starts, recorder](Runtime& rt) {
    if (starts->fetch_add(1) == 1) return StartResult::failed(ExitReason::error("not yet"));
    return rt.spawn<Recorded>(SpawnOptions{.link = true}, std::string("c"), recorder);
  }};
  const Pid sup = runtime.spawn<Supervisor>(
      SpawnOptions{}, flags(Strategy::one_for_all),
      std::vector<ChildSpec>{recorded("a", recorder), recorded("b", recorder), c}).pid();
  ASSERT_EQ(next_events(self, 3), (Strings{"started a", "started b", "started c"}));

  self.cast(pid_of(runtime, sup, "a"), Crash{"boom"});
  // The restart stops at c; the retry restarts the whole group again, in order.
  EXPECT_EQ(next_events(self, 10),
            (Strings{"stopped a (error: boom)", "stopped c (shutdown)", "stopped b (shutdown)",
                     "started a", "started b", "stopped b (shutdown)", "stopped a (shutdown)",
                     "started a", "started b", "started c"}));
  expect_no_more_events(runtime, self, sup);
  EXPECT_EQ(starts->load(), 3);
  for (const ChildInfo& child : children_of(runtime, sup)) {
    EXPECT_EQ(child.state, ChildState::running) << child.id;
  }
}

// --- shutdown ---------------------------------------------------------------------------

TEST(Supervisor, ShutdownStopsChildrenInReverseStartOrderThenExits) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid recorder = self.self();
  std::vector<ChildSpec> inner{recorded("x", recorder), recorded("y", recorder)};
  const Pid sup = runtime.spawn<Supervisor>(
      SpawnOptions{}, flags(Strategy::one_for_one),
      std::vector<ChildSpec>{recorded("a", recorder),
                             ChildSpec::supervisor<Supervisor>("inner", flags(Strategy::one_for_one),
                                                               inner),
                             recorded("b", recorder)}).pid();
  ASSERT_EQ(next_events(self, 4), (Strings{"started a", "started x", "started y", "started b"}));
  self.monitor(sup);

  runtime.exit(sup, ExitReason::shutdown());  // from outside any process, as the runtime does
  EXPECT_EQ(next_events(self, 4), (Strings{"stopped b (shutdown)", "stopped y (shutdown)",
                                           "stopped x (shutdown)", "stopped a (shutdown)"}));
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, ExitReason::shutdown());
}

// A process that starts a supervisor as its linked child and stops on StopWith.
class SupervisorOwner : public GenServer {
 public:
  SupervisorOwner(Pid recorder, Pid report_to) : recorder_(recorder), report_to_(report_to) {}

 protected:
  InitResult init() override {
    StartResult sup = runtime().spawn<Supervisor>(
        SpawnOptions{.link = true}, SupervisorFlags{},
        std::vector<ChildSpec>{recorded("a", recorder_), recorded("b", recorder_)});
    if (!sup.ok()) return InitResult::stop(*sup.error());
    send(report_to_, sup.pid());
    return InitResult::ok();
  }
  Result handle_cast(Message& message) override {
    if (const auto* stop_with = match<StopWith>(message)) return Result::stop(stop_with->reason);
    return Result::noreply();
  }

 private:
  Pid recorder_;
  Pid report_to_;
};

TEST(Supervisor, StopsWhenItsParentExitsButIgnoresExitSignalsFromOthers) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid owner = runtime.spawn<SupervisorOwner>(SpawnOptions{}, self.self(), self.self()).pid();
  std::optional<Pid> sup = self.receive<Pid>(kWait);
  ASSERT_TRUE(sup);
  ASSERT_EQ(next_events(self, 2), (Strings{"started a", "started b"}));
  self.monitor(*sup);

  // Not its parent, not its child, not the runtime: ignored, as OTP does.
  self.exit(*sup, ExitReason::shutdown());
  expect_no_more_events(runtime, self, *sup);
  EXPECT_TRUE(runtime.is_alive(*sup));

  self.cast(owner, StopWith{ExitReason::shutdown()});
  EXPECT_EQ(next_events(self, 2), (Strings{"stopped b (shutdown)", "stopped a (shutdown)"}));
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->pid, *sup);
  EXPECT_EQ(down->reason, ExitReason::shutdown());
}

TEST(Supervisor, BrutalKillKillsTheChildWithoutAskingIt) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid recorder = self.self();
  const Pid sup = runtime.spawn<Supervisor>(
      SpawnOptions{}, flags(Strategy::one_for_one),
      std::vector<ChildSpec>{recorded("a", recorder).with_shutdown(Shutdown::brutal_kill())}).pid();
  ASSERT_EQ(next_events(self, 1), (Strings{"started a"}));
  const Pid a = pid_of(runtime, sup, "a");
  self.monitor(a);

  SupervisorResult result = Supervisor::terminate_child(runtime, sup, "a", kWait);
  ASSERT_TRUE(result.ok()) << result.message();
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, ExitReason::killed());
  // Killed: its terminate never ran, so it reported nothing.
  expect_no_more_events(runtime, self, sup);
  EXPECT_EQ(children_of(runtime, sup)[0].state, ChildState::stopped);
}

TEST(Supervisor, AChildThatIgnoresShutdownIsKilledAfterItsTimeoutAndTheOrderHolds) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid recorder = self.self();
  const Pid sup = runtime.spawn<Supervisor>(
      SpawnOptions{}, flags(Strategy::one_for_one),
      std::vector<ChildSpec>{recorded("a", recorder),
                             stubborn("stubborn", recorder, Shutdown::after(50ms)),
                             recorded("c", recorder)}).pid();
  ASSERT_EQ(next_events(self, 3), (Strings{"started a", "started stubborn", "started c"}));
  const Pid stubborn_pid = pid_of(runtime, sup, "stubborn");
  self.monitor(stubborn_pid);
  self.monitor(sup);

  runtime.exit(sup, ExitReason::shutdown());
  EXPECT_EQ(next_events(self, 2), (Strings{"stopped c (shutdown)", "asked_to_stop stubborn"}));
  // a waits until stubborn is gone: killed when its 50 ms are up.
  std::optional<Down> killed = self.receive<Down>(kWait);
  ASSERT_TRUE(killed);
  EXPECT_EQ(killed->pid, stubborn_pid);
  EXPECT_EQ(killed->reason, ExitReason::killed());
  EXPECT_EQ(next_events(self, 1), (Strings{"stopped a (shutdown)"}));
  std::optional<Down> sup_down = self.receive<Down>(kWait);
  ASSERT_TRUE(sup_down);
  EXPECT_EQ(sup_down->pid, sup);
}

// --- start failures ---------------------------------------------------------------------

TEST(Supervisor, AChildThatFailsToStartFailsTheSupervisorAndStopsTheOthersInReverse) {
  Runtime runtime({.threads = 2});
  {
    ScopedProcess self(runtime);
    const Pid recorder = self.self();
    StartResult sup = runtime.spawn<Supervisor>(
        SpawnOptions{}, flags(Strategy::one_for_one),
        std::vector<ChildSpec>{recorded("a", recorder), recorded("b", recorder),
                               ChildSpec::worker<FailsToStart>("db", std::string("no database")),
                               recorded("never", recorder)});
    ASSERT_FALSE(sup.ok());
    EXPECT_EQ(*sup.error(), ExitReason::error("child 'db' failed to start: error: no database"));
    EXPECT_EQ(next_events(self, 4), (Strings{"started a", "started b", "stopped b (shutdown)",
                                             "stopped a (shutdown)"}));
  }
  // Nothing is left behind: not the children, not the process that stopped them.
  EXPECT_TRUE(runtime.wait_until_empty(kWait));
}

// --- calls ------------------------------------------------------------------------------

TEST(Supervisor, TerminateRestartDeleteAndStartChildFollowOtp) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid recorder = self.self();
  const Pid sup = runtime.spawn<Supervisor>(SpawnOptions{}, flags(Strategy::one_for_one),
                                            std::vector<ChildSpec>{recorded("a", recorder)}).pid();
  ASSERT_EQ(next_events(self, 1), (Strings{"started a"}));

  StartResult added = Supervisor::start_child(runtime, sup, recorded("b", recorder));
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(next_events(self, 1), (Strings{"started b"}));
  StartResult duplicate = Supervisor::start_child(runtime, sup, recorded("b", recorder));
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(*duplicate.error(),
            ExitReason::error("already_present: a child with id 'b' is already present "
                              "(running as " + added.pid().to_string() + ")"));
  StartResult invalid = Supervisor::start_child(runtime, sup, ChildSpec{.id = "x"});
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(*invalid.error(),
            ExitReason::error("invalid_spec: child spec 'x': no start function"));
  StartResult failing = Supervisor::start_child(
      runtime, sup, ChildSpec::worker<FailsToStart>("db", std::string("no database")));
  ASSERT_FALSE(failing.ok());
  EXPECT_EQ(*failing.error(), ExitReason::error("no database"));

  SupervisorResult refused = Supervisor::delete_child(runtime, sup, "b");
  EXPECT_EQ(refused.error(), SupervisorError::running);
  EXPECT_EQ(Supervisor::restart_child(runtime, sup, "b").error(),
            ExitReason::error("running: child 'b' is running as " + added.pid().to_string()));

  ASSERT_TRUE(Supervisor::terminate_child(runtime, sup, "b").ok());
  EXPECT_EQ(next_events(self, 1), (Strings{"stopped b (shutdown)"}));
  CallOutcome<ChildCounts> counts = count_children(runtime, sup, kWait);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(*counts, (ChildCounts{.specs = 2, .active = 1, .supervisors = 0, .workers = 2}));

  StartResult restarted = Supervisor::restart_child(runtime, sup, "b");
  ASSERT_TRUE(restarted.ok());
  EXPECT_NE(restarted.pid(), added.pid());
  EXPECT_EQ(next_events(self, 1), (Strings{"started b"}));

  ASSERT_TRUE(Supervisor::terminate_child(runtime, sup, "b").ok());
  EXPECT_EQ(next_events(self, 1), (Strings{"stopped b (shutdown)"}));
  ASSERT_TRUE(Supervisor::delete_child(runtime, sup, "b").ok());
  EXPECT_EQ(children_of(runtime, sup).size(), 1u);

  EXPECT_EQ(Supervisor::terminate_child(runtime, sup, "b").error(), SupervisorError::not_found);
  EXPECT_EQ(Supervisor::delete_child(runtime, sup, "zzz").message(), "no child with id 'zzz'");
}

TEST(Supervisor, AnswersQueriesWhileStoppingAChildAndRunsOtherRequestsAfterwards) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid recorder = self.self();
  const Pid sup = runtime.spawn<Supervisor>(
      SpawnOptions{}, flags(Strategy::one_for_one),
      std::vector<ChildSpec>{recorded("a", recorder),
                             stubborn("stubborn", recorder, Shutdown::infinity())}).pid();
  ASSERT_EQ(next_events(self, 2), (Strings{"started a", "started stubborn"}));
  const Pid stubborn_pid = pid_of(runtime, sup, "stubborn");

  // Two requests from inside processes: terminate the stubborn child, then delete it.
  ASSERT_TRUE(runtime.spawn<Caller<SupervisorResult>>(
      SpawnOptions{}, sup, Message{Supervisor::TerminateChild{"stubborn"}}, self.self()).ok());
  ASSERT_EQ(next_events(self, 1), (Strings{"asked_to_stop stubborn"}));
  ASSERT_TRUE(runtime.spawn<Caller<SupervisorResult>>(
      SpawnOptions{}, sup, Message{Supervisor::DeleteChild{"stubborn"}}, self.self()).ok());

  // The supervisor is waiting for stubborn: queries are still answered, at once.
  std::vector<ChildInfo> children = children_of(runtime, sup);
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(children[1].pid, stubborn_pid);
  EXPECT_EQ(children[1].state, ChildState::running);
  EXPECT_FALSE(self.receive<CallOutcome<SupervisorResult>>(0ms));  // neither answered yet

  self.cast(stubborn_pid, Release{});
  EXPECT_EQ(next_events(self, 1), (Strings{"stopped stubborn (shutdown)"}));
  // Answered in order: the delete ran after the terminate, so it found the child stopped.
  for (int i = 0; i < 2; ++i) {
    std::optional<CallOutcome<SupervisorResult>> answer =
        self.receive<CallOutcome<SupervisorResult>>(kWait);
    ASSERT_TRUE(answer);
    ASSERT_TRUE(answer->ok()) << answer->failure().to_string();
    EXPECT_TRUE(answer->value().ok()) << answer->value().message();
  }
  children = children_of(runtime, sup);
  ASSERT_EQ(children.size(), 1u);
  EXPECT_EQ(children[0].id, "a");
}

TEST(Supervisor, RequestsWaitingForAStopAreRefusedWhenShutdownBegins) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid recorder = self.self();
  const Pid sup = runtime.spawn<Supervisor>(
      SpawnOptions{}, flags(Strategy::one_for_one),
      std::vector<ChildSpec>{recorded("a", recorder),
                             stubborn("stubborn", recorder, Shutdown::infinity())}).pid();
  ASSERT_EQ(next_events(self, 2), (Strings{"started a", "started stubborn"}));
  const Pid stubborn_pid = pid_of(runtime, sup, "stubborn");
  self.monitor(sup);

  ASSERT_TRUE(runtime.spawn<Caller<StartResult>>(
      SpawnOptions{}, sup, Message{Supervisor::RestartChild{"a"}}, self.self()).ok());
  ASSERT_TRUE(runtime.spawn<Caller<SupervisorResult>>(
      SpawnOptions{}, sup, Message{Supervisor::TerminateChild{"stubborn"}}, self.self()).ok());
  ASSERT_EQ(next_events(self, 1), (Strings{"asked_to_stop stubborn"}));
  std::optional<CallOutcome<StartResult>> restart = self.receive<CallOutcome<StartResult>>(kWait);
  ASSERT_TRUE(restart && restart->ok());
  EXPECT_EQ(restart->value().error(),
            ExitReason::error("running: child 'a' is running as " + pid_of(runtime, sup, "a").to_string()));
  ASSERT_TRUE(runtime.spawn<Caller<SupervisorResult>>(
      SpawnOptions{}, sup, Message{Supervisor::DeleteChild{"a"}}, self.self()).ok());

  runtime.exit(sup, ExitReason::shutdown());
  // The terminate in flight and the queued delete are both refused...
  for (int i = 0; i < 2; ++i) {
    std::optional<CallOutcome<SupervisorResult>> answer =
        self.receive<CallOutcome<SupervisorResult>>(kWait);
    ASSERT_TRUE(answer && answer->ok());
    EXPECT_EQ(answer->value().error(), SupervisorError::shutting_down);
  }
  // ...and once stubborn is gone, a is stopped and the supervisor exits.
  self.cast(stubborn_pid, Release{});
  EXPECT_EQ(next_events(self, 2),
            (Strings{"stopped stubborn (shutdown)", "stopped a (shutdown)"}));
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, ExitReason::shutdown());
}

TEST(Supervisor, StartChildWorksFromInsideAProcess) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  const Pid sup = runtime.spawn<Supervisor>(SpawnOptions{}, flags(Strategy::one_for_one),
                                            std::vector<ChildSpec>{}).pid();
  ASSERT_TRUE(runtime.spawn<Caller<StartResult>>(
      SpawnOptions{}, sup, Message{Supervisor::StartChild{recorded("late", self.self())}},
      self.self()).ok());
  std::optional<CallOutcome<StartResult>> answer = self.receive<CallOutcome<StartResult>>(kWait);
  ASSERT_TRUE(answer && answer->ok());
  ASSERT_TRUE(answer->value().ok());
  EXPECT_EQ(next_events(self, 1), (Strings{"started late"}));
  EXPECT_EQ(pid_of(runtime, sup, "late"), answer->value().pid());
}

}  // namespace
}  // namespace otter::core
