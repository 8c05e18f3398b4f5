// Tasks: async/await/yield/shutdown, linked and unlinked crashes, GenServer continuations,
// the blocking pool, async_stream's bound and order, supervisor shutdown.
#include "core/task_supervisor.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "test_servers.hpp"

namespace otter::core {
namespace {
using namespace testing;

// Builds spdlog's default logger before any thread logs: libspdlog isn't instrumented, so
// TSan can't see the guard of its lazy construction when two pool threads log first.
const std::shared_ptr<spdlog::logger> kLoggerReady = spdlog::default_logger();

// Holds task functions (on the blocking threads) until the test opens it.
class Gate {
 public:
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    opened_.notify_all();
  }
  bool wait() {
    std::unique_lock lock(mutex_);
    return opened_.wait_for(lock, kWait, [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

// Blocks until `stop` is requested (or kWait passes); returns whether it was.
bool wait_for_stop(const std::stop_token& stop) {
  std::mutex mutex;
  std::condition_variable_any never;
  std::unique_lock lock(mutex);
  never.wait_for(lock, stop, kWait, [] { return false; });
  return stop.stop_requested();
}

// What a stoppable function tells the test: "started", then "stopped" (or "never stopped").
struct FnEvent {
  std::string what;
};

// A function that reports it started, waits for its stop request, reports whether it saw it.
// Tests wait for "started" before stopping the task: a task stopped before its function
// started never runs it.
auto stoppable(Runtime& runtime, Pid report_to) {
  return [&runtime, report_to](std::stop_token stop) {
    runtime.send(report_to, FnEvent{"started"});
    const bool stopped = wait_for_stop(stop);
    runtime.send(report_to, FnEvent{stopped ? "stopped" : "never stopped"});
    return stopped;
  };
}

std::string next_event(ScopedProcess& self) {
  std::optional<FnEvent> event = self.receive<FnEvent>(kWait);
  return event ? event->what : "no event";
}

TEST(Task, AsyncRunsTheFunctionOnABlockingThreadAndAwaitReturnsItsValue) {
  Runtime runtime({.threads = 2});
  TaskSupervisor tasks(runtime);
  ScopedProcess self(runtime);
  Task<bool> task = tasks.async(self.self(), [] { return Process::current() == nullptr; });
  CallOutcome<bool> outside_processes = task.await(kWait);
  ASSERT_TRUE(outside_processes.ok()) << outside_processes.failure().to_string();
  EXPECT_TRUE(*outside_processes);
  EXPECT_THROW((void)task.await(kWait), std::logic_error);  // the value was taken

  // No owner, no value: a void function gives monostate.
  bool ran = false;
  Task<std::monostate> chore = tasks.async_nolink(Pid{}, [&ran] { ran = true; });
  EXPECT_TRUE(chore.await(kWait).ok());
  EXPECT_TRUE(ran);
}

TEST(Task, BlockingTasksDoNotStarveProcesses) {
  Runtime runtime({.threads = 1});  // one process thread: a task run on it would block it
  TaskSupervisor tasks(runtime, {.threads = 2});
  ScopedProcess self(runtime);
  const Pid counter = runtime.spawn<Counter>({}, 3).pid();
  Gate gate;
  Task<int> first = tasks.async(self.self(), [&gate] { return gate.wait() ? 1 : -1; });
  Task<int> second = tasks.async(self.self(), [&gate] { return gate.wait() ? 2 : -1; });
  CallOutcome<int> value = self.call<int>(counter, Get{}, kWait);  // while both block
  ASSERT_TRUE(value.ok()) << value.failure().to_string();
  EXPECT_EQ(*value, 3);
  gate.open();
  EXPECT_EQ(first.await(kWait).value(), 1);
  EXPECT_EQ(second.await(kWait).value(), 2);
}

TEST(Task, AwaitTimesOutShutsTheTaskDownAndLeavesTheLinkedOwnerAlive) {
  Runtime runtime({.threads = 2});
  TaskSupervisor tasks(runtime);
  ScopedProcess self(runtime);
  Task<bool> task = tasks.async(self.self(), stoppable(runtime, self.self()));
  self.monitor(task.pid());
  ASSERT_EQ(next_event(self), "started");
  CallOutcome<bool> outcome = task.await(std::chrono::milliseconds{30});
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error(), CallError::timeout);

  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, ExitReason::shutdown());
  EXPECT_EQ(next_event(self), "stopped");
  EXPECT_TRUE(runtime.is_alive(self.self()));  // unlinked before the shutdown
  CallOutcome<bool> after = task.await(kWait);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.failure().reason, ExitReason::shutdown());
}

TEST(Task, YieldReturnsNothingWhileTheTaskRunsAndItsValueLater) {
  Runtime runtime({.threads = 2});
  TaskSupervisor tasks(runtime);
  ScopedProcess self(runtime);
  Gate gate;
  Task<int> task = tasks.async(self.self(), [&gate] { return gate.wait() ? 5 : -1; });
  EXPECT_FALSE(task.yield(std::chrono::milliseconds{20}).has_value());
  EXPECT_TRUE(runtime.is_alive(task.pid()));  // yield leaves it running
  gate.open();
  std::optional<CallOutcome<int>> value = task.yield(kWait);
  ASSERT_TRUE(value);
  ASSERT_TRUE(value->ok());
  EXPECT_EQ(**value, 5);
}

TEST(Task, ShutdownReturnsTheValueOfAFinishedTaskAndStopsARunningOne) {
  Runtime runtime({.threads = 2});
  TaskSupervisor tasks(runtime);
  ScopedProcess self(runtime);

  Task<int> finished = tasks.async(self.self(), [] { return 7; });
  self.monitor(finished.pid());
  ASSERT_TRUE(self.receive<Down>(kWait));  // it has ended (normal, or noproc if before)
  std::optional<CallOutcome<int>> value = finished.shutdown();
  ASSERT_TRUE(value);
  ASSERT_TRUE(value->ok());
  EXPECT_EQ(**value, 7);

  Task<bool> running = tasks.async(self.self(), stoppable(runtime, self.self()));
  self.monitor(running.pid());
  ASSERT_EQ(next_event(self), "started");
  EXPECT_FALSE(running.shutdown().has_value());
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, ExitReason::shutdown());
  EXPECT_EQ(next_event(self), "stopped");
  EXPECT_TRUE(runtime.is_alive(self.self()));
}

TEST(Task, AFunctionWhoseTaskWasShutDownBeforeItStartedNeverRuns) {
  Runtime runtime({.threads = 2});
  TaskSupervisor tasks(runtime, {.threads = 1});
  ScopedProcess self(runtime);
  Gate gate;
  Task<int> busy = tasks.async(self.self(), [&gate] { return gate.wait() ? 1 : -1; });
  std::atomic<bool> ran{false};
  Task<int> queued = tasks.async(self.self(), [&ran] {  // waits behind `busy` for the thread
    ran = true;
    return 2;
  });
  self.monitor(queued.pid());
  EXPECT_FALSE(queued.shutdown().has_value());
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, ExitReason::shutdown());
  gate.open();
  EXPECT_EQ(busy.await(kWait).value(), 1);
  tasks.shutdown();  // every job the pool had has been run or skipped
  EXPECT_FALSE(ran.load());
}

// Starts a task in init; `link` picks async or async_nolink. Awaits it with a
// continuation and reports the outcome as a string. Answers Get with 1 (to show it lives).
class TaskOwner : public GenServer {
 public:
  using Function = std::function<int(std::stop_token)>;
  TaskOwner(TaskSupervisor& tasks, bool link, Function fn, Duration timeout, Pid report_to)
      : tasks_(tasks), link_(link), fn_(std::move(fn)), timeout_(timeout), report_to_(report_to) {}

 protected:
  InitResult init() override {
    Task<int> task = link_ ? tasks_.async(self(), fn_) : tasks_.async_nolink(self(), fn_);
    send(report_to_, task.pid());
    task.await(*this, timeout_, [this](CallOutcome<int> outcome) {
      send(report_to_, outcome.ok() ? "value " + std::to_string(*outcome)
                                    : outcome.failure().to_string());
    });
    return InitResult::ok();
  }
  CallResult handle_call(Message& request, const From& from) override {
    if (match<Get>(request)) return CallResult::reply(1);
    return GenServer::handle_call(request, from);
  }

 private:
  TaskSupervisor& tasks_;
  bool link_;
  Function fn_;
  Duration timeout_;
  Pid report_to_;
};

TEST(Task, ALinkedTaskThatThrowsTakesItsOwnerDownWithTheSameReason) {
  Runtime runtime({.threads = 2});
  TaskSupervisor tasks(runtime);
  ScopedProcess self(runtime);
  Gate gate;  // the task throws only once the test watches the owner
  const StartResult owner = runtime.spawn<TaskOwner>(
      {}, tasks, true,
      [&gate](std::stop_token) -> int {
        gate.wait();
        throw std::runtime_error("boom");
      },
      kWait, self.self());
  ASSERT_TRUE(owner.ok());
  self.monitor(owner.pid());
  gate.open();
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, ExitReason::error("boom"));
}

TEST(Task, ACrashingNolinkTaskLeavesItsOwnerAliveAndReportsTheReason) {
  Runtime runtime({.threads = 2});
  TaskSupervisor tasks(runtime);
  ScopedProcess self(runtime);
  // From a GenServer, through the continuation.
  const StartResult owner = runtime.spawn<TaskOwner>(
      {}, tasks, false, [](std::stop_token) -> int { throw std::runtime_error("disk on fire"); },
      kWait, self.self());
  ASSERT_TRUE(owner.ok());
  EXPECT_EQ(self.receive<std::string>(kWait), "callee_exited (error: disk on fire)");
  CallOutcome<int> alive = self.call<int>(owner.pid(), Get{}, kWait);
  EXPECT_TRUE(alive.ok());

  // From a scoped process, blocking.
  Task<int> task = tasks.async_nolink(self.self(), []() -> int { throw std::runtime_error("eio"); });
  CallOutcome<int> outcome = task.await(kWait);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error(), CallError::callee_exited);
  EXPECT_EQ(outcome.failure().reason, ExitReason::error("eio"));
  EXPECT_TRUE(runtime.is_alive(self.self()));
}

TEST(Task, AGenServerAwaitsATaskWithoutBlockingItsThread) {
  Runtime runtime({.threads = 1});  // a blocked handler would stall everything
  TaskSupervisor tasks(runtime);
  ScopedProcess self(runtime);
  Gate gate;
  const StartResult owner = runtime.spawn<TaskOwner>(
      {}, tasks, true, [&gate](std::stop_token) { return gate.wait() ? 9 : -1; }, kWait,
      self.self());
  ASSERT_TRUE(owner.ok());
  CallOutcome<int> answered = self.call<int>(owner.pid(), Get{}, kWait);  // while awaiting
  EXPECT_TRUE(answered.ok());
  gate.open();
  EXPECT_EQ(self.receive<std::string>(kWait), "value 9");
}

TEST(Task, AGenServerAwaitThatTimesOutGetsTimeoutAndTheTaskIsStopped) {
  Runtime runtime({.threads = 2});
  TaskSupervisor tasks(runtime);
  ScopedProcess self(runtime);
  const StartResult owner = runtime.spawn<TaskOwner>(
      {}, tasks, true,
      [&runtime, me = self.self()](std::stop_token stop) {
        return stoppable(runtime, me)(std::move(stop)) ? 1 : 0;
      },
      std::chrono::milliseconds{30}, self.self());
  ASSERT_TRUE(owner.ok());
  std::optional<Pid> task = self.receive<Pid>(kWait);
  ASSERT_TRUE(task);
  self.monitor(*task);
  EXPECT_EQ(self.receive<std::string>(kWait), "timeout");
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->pid, *task);
  EXPECT_TRUE(runtime.is_alive(owner.pid()));
}

// Yields twice from a GenServer: nothing the first time, the value the second.
class Yielder : public GenServer {
 public:
  Yielder(TaskSupervisor& tasks, Gate& gate, Pid report_to)
      : tasks_(tasks), gate_(gate), report_to_(report_to) {}

 protected:
  InitResult init() override {
    task_.emplace(tasks_.async(self(), [&gate = gate_] { return gate.wait() ? 11 : -1; }));
    task_->yield(*this, std::chrono::milliseconds{20}, [this](std::optional<CallOutcome<int>> r) {
      send(report_to_, std::string{r ? "early" : "nothing yet"});
      gate_.open();
      task_->yield(*this, kWait, [this](std::optional<CallOutcome<int>> again) {
        send(report_to_, again && again->ok() ? **again : -1);
      });
    });
    return InitResult::ok();
  }

 private:
  TaskSupervisor& tasks_;
  Gate& gate_;
  Pid report_to_;
  std::optional<Task<int>> task_;
};

TEST(Task, AGenServerCanYieldAndTryAgain) {
  Runtime runtime({.threads = 2});
  TaskSupervisor tasks(runtime);
  ScopedProcess self(runtime);
  Gate gate;
  ASSERT_TRUE(runtime.spawn<Yielder>({}, tasks, gate, self.self()).ok());
  EXPECT_EQ(self.receive<std::string>(kWait), "nothing yet");
  EXPECT_EQ(self.receive<int>(kWait), 11);
}

struct BlockingAwaitInInit : GenServer {
  TaskSupervisor& tasks;
  explicit BlockingAwaitInInit(TaskSupervisor& t) : tasks(t) {}
  InitResult init() override {
    Task<int> task = tasks.async_nolink(self(), [] { return 1; });
    (void)task.await(kWait);  // not allowed here: it would block a pool thread
    return InitResult::ok();
  }
};

TEST(Task, ABlockingAwaitInsideAProcessIsRefused) {
  Runtime runtime({.threads = 2});
  TaskSupervisor tasks(runtime);
  const StartResult started = runtime.spawn<BlockingAwaitInInit>({}, tasks);
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error()->detail().find("not from inside a process"), std::string_view::npos)
      << *started.error();
}

TEST(Task, TasksAreShutDownWhenTheirOwnerExits) {
  Runtime runtime({.threads = 2});
  TaskSupervisor tasks(runtime);
  ScopedProcess self(runtime);
  for (const bool link : {false, true}) {
    SCOPED_TRACE(link ? "async" : "async_nolink");
    const StartResult owner = runtime.spawn<TaskOwner>(
        {}, tasks, link,
        [&runtime, me = self.self()](std::stop_token stop) {
          return stoppable(runtime, me)(std::move(stop)) ? 1 : 0;
        },
        kWait, self.self());
    ASSERT_TRUE(owner.ok());
    std::optional<Pid> task = self.receive<Pid>(kWait);
    ASSERT_TRUE(task);
    self.monitor(*task);
    ASSERT_EQ(next_event(self), "started");
    runtime.exit(owner.pid(), ExitReason::shutdown());
    std::optional<Down> down = self.receive<Down>(kWait);
    ASSERT_TRUE(down);
    EXPECT_EQ(down->reason, ExitReason::shutdown());
    EXPECT_EQ(next_event(self), "stopped");
  }
  EXPECT_EQ(tasks.task_count(), 0u);
}

TEST(Task, ShuttingTheSupervisorDownStopsItsTasksAndRefusesNewOnes) {
  Runtime runtime({.threads = 2});
  ScopedProcess self(runtime);
  auto tasks = std::make_unique<TaskSupervisor>(runtime, TaskSupervisorOptions{.threads = 2});
  Task<bool> running = tasks->async(self.self(), stoppable(runtime, self.self()));
  self.monitor(running.pid());
  EXPECT_EQ(tasks->task_count(), 1u);
  ASSERT_EQ(next_event(self), "started");
  tasks->shutdown();
  EXPECT_EQ(tasks->task_count(), 0u);
  std::optional<Down> down = self.receive<Down>(kWait);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, ExitReason::shutdown());
  EXPECT_EQ(next_event(self), "stopped");
  EXPECT_TRUE(runtime.is_alive(self.self()));  // the linked owner was unlinked first
  CallOutcome<bool> outcome = running.await(kWait);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure().reason, ExitReason::shutdown());

  Task<int> late = tasks->async_nolink(self.self(), [] { return 1; });
  EXPECT_TRUE(late.pid().is_null());
  CallOutcome<int> refused = late.await(kWait);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.failure().reason, ExitReason::shutdown());
}

TEST(TaskConcurrency, AsyncStreamKeepsInputOrderAndNeverExceedsMaxConcurrency) {
  constexpr int kItems = 40;
  constexpr int kMax = 3;
  Runtime runtime({.threads = 2});
  // More blocking threads than kMax: a stream that overran its bound could show it.
  TaskSupervisor tasks(runtime, {.threads = kMax + 3});
  struct Meter {
    std::mutex mutex;
    std::condition_variable changed;
    int in_flight = 0;
    int max_in_flight = 0;
    int started = 0;
  } meter;
  std::vector<int> inputs(kItems);
  for (int i = 0; i < kItems; ++i) inputs[i] = i;

  // Each item waits until kMax items are in flight (or every item has started), so the
  // stream is pushed to its bound, then lingers a moment: an item started past the bound
  // would be caught in flight with them. (The linger only widens that window; a correct
  // stream passes whatever the timing.) Completions then happen in whatever order.
  auto measure = [&meter](const int& x) {
    std::unique_lock lock(meter.mutex);
    ++meter.started;
    meter.max_in_flight = std::max(meter.max_in_flight, ++meter.in_flight);
    meter.changed.notify_all();
    meter.changed.wait_for(lock, kWait,
                           [&] { return meter.in_flight >= kMax || meter.started == kItems; });
    meter.changed.wait_for(lock, std::chrono::milliseconds{5},
                           [&] { return meter.in_flight > kMax; });
    --meter.in_flight;
    return x * 10;
  };
  ScopedProcess self(runtime);
  auto stream = tasks.async_stream(self.self(), inputs, measure, {.max_concurrency = kMax});
  auto results = stream.await(kWait);
  ASSERT_TRUE(results.ok()) << results.failure().to_string();
  ASSERT_EQ(results->size(), static_cast<std::size_t>(kItems));
  for (int i = 0; i < kItems; ++i) {
    ASSERT_TRUE((*results)[i].ok()) << "item " << i << ": " << (*results)[i].failure().to_string();
    EXPECT_EQ(*(*results)[i], i * 10) << "item " << i;
  }
  EXPECT_EQ(meter.max_in_flight, kMax);
}

TEST(TaskConcurrency, AsyncStreamReportsTimeoutsAndFailuresPerItem) {
  Runtime runtime({.threads = 2});
  TaskSupervisor tasks(runtime, {.threads = 2});
  ScopedProcess self(runtime);
  std::atomic<bool> stuck_item_stopped{false};
  auto fn = [&stuck_item_stopped](const int& x, std::stop_token stop) {
    if (x == 2) throw std::runtime_error("bad item");
    if (x == 4) {
      stuck_item_stopped = wait_for_stop(stop);
      return -1;
    }
    return x;
  };
  auto stream = tasks.async_stream(self.self(), std::vector<int>{0, 1, 2, 3, 4, 5}, fn,
                                   {.max_concurrency = 2, .timeout = std::chrono::milliseconds{300}});
  auto results = stream.await(kWait);
  ASSERT_TRUE(results.ok()) << results.failure().to_string();
  ASSERT_EQ(results->size(), 6u);
  for (const int ok_item : {0, 1, 3, 5}) {
    ASSERT_TRUE((*results)[ok_item].ok()) << "item " << ok_item;
    EXPECT_EQ(*(*results)[ok_item], ok_item);
  }
  ASSERT_FALSE((*results)[2].ok());
  EXPECT_EQ((*results)[2].failure().reason, ExitReason::error("bad item"));
  ASSERT_FALSE((*results)[4].ok());
  EXPECT_EQ((*results)[4].error(), CallError::timeout);
  tasks.shutdown();  // waits for the functions still running
  EXPECT_TRUE(stuck_item_stopped.load());
}

TEST(TaskConcurrency, AnEmptyStreamCompletesAtOnce) {
  Runtime runtime({.threads = 1});
  TaskSupervisor tasks(runtime);
  auto stream = tasks.async_stream(Pid{}, std::vector<int>{}, [](const int& x) { return x; });
  auto results = stream.await(kWait);
  ASSERT_TRUE(results.ok());
  EXPECT_TRUE(results->empty());
}

// Many threads start, await, yield and shut down tasks at once.
TEST(TaskConcurrency, ManyThreadsStartAndAwaitTasksAtOnce) {
  constexpr int kThreads = 6;
  constexpr int kTasksPerThread = 60;
  Runtime runtime({.threads = 2});
  TaskSupervisor tasks(runtime, {.threads = 3});
  std::vector<std::string> failures(kThreads);
  auto worker = [&](int t) {
    ScopedProcess self(runtime);
    for (int i = 0; i < kTasksPerThread; ++i) {
      const int expected = t * 1000 + i;
      Task<int> task = i % 2 == 0 ? tasks.async(self.self(), [expected] { return expected; })
                                  : tasks.async_nolink(self.self(), [expected] { return expected; });
      if (i % 5 == 0) {
        // Shut down right away: either it had finished (its value) or it is stopped.
        std::optional<CallOutcome<int>> early = task.shutdown();
        if (early && early->ok() && **early != expected) failures[t] = "wrong early value";
        continue;
      }
      CallOutcome<int> value = task.await(kWait);
      if (!value.ok() || *value != expected) {
        failures[t] = "task " + std::to_string(i) + ": " +
                      (value.ok() ? std::to_string(*value) : value.failure().to_string());
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], "") << "thread " << t;
  tasks.shutdown();
  EXPECT_EQ(tasks.task_count(), 0u);
}

}  // namespace
}  // namespace otter::core
