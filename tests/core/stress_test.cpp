// Stress: many processes, many senders, and spawn/exit/monitor churn on every pool thread
// at once. Built to run under the sanitizers: `leak` (ASan/LSan: nothing leaks, every
// process object is destroyed) and `concurrency` (TSan: no data race in the runtime).
//
// Randomised tests print their seed on failure; OTTER_SEED overrides the default.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/gen_server.hpp"
#include "core/scoped_process.hpp"
#include "test_servers.hpp"

namespace otter::core {
namespace {
using namespace testing;
using namespace std::chrono_literals;

// Generous: the whole test is in trouble if a stress run takes this long.
constexpr Duration kStressWait = 120s;

std::uint64_t test_seed() {
  if (const char* env = std::getenv("OTTER_SEED")) return std::strtoull(env, nullptr, 10);
  return 20261121;
}

// Counts live instances, so a test can check that every process object was destroyed.
class InstanceCount {
 public:
  InstanceCount() noexcept { live_.fetch_add(1, std::memory_order_relaxed); }
  InstanceCount(const InstanceCount&) = delete;
  InstanceCount& operator=(const InstanceCount&) = delete;
  ~InstanceCount() { live_.fetch_sub(1, std::memory_order_relaxed); }
  [[nodiscard]] static long live() noexcept { return live_.load(std::memory_order_acquire); }

 private:
  static inline std::atomic<long> live_{0};
};

// Tens of thousands of killed processes would each log a warning: keep the output readable.
class QuietLogs {
 public:
  QuietLogs() : saved_(spdlog::get_level()) { spdlog::set_level(spdlog::level::err); }
  QuietLogs(const QuietLogs&) = delete;
  QuietLogs& operator=(const QuietLogs&) = delete;
  ~QuietLogs() { spdlog::set_level(saved_); }

 private:
  spdlog::level::level_enum saved_;
};

struct StopNormally {};

// A server that counts, stops on request and leaves a trace of every instance.
class Tracked : public Counter {
 protected:
  Result handle_cast(Message& message) override {
    if (match<StopNormally>(message)) return Result::stop(ExitReason::normal());
    return Counter::handle_cast(message);
  }

 private:
  InstanceCount count_;
};

// --- 100 000 processes, spawned and stopped -----------------------------------------------

TEST(Stress, AHundredThousandProcessesSpawnAndStopWithoutLeaking) {
  constexpr int kProcesses = 100'000;
  const QuietLogs quiet;
  {
    Runtime runtime({.threads = 2});
    for (int round = 0; round < 2; ++round) {  // the second round reuses the freed slots
      std::vector<Pid> pids;
      pids.reserve(kProcesses);
      for (int i = 0; i < kProcesses; ++i) {
        StartResult started = runtime.spawn<Tracked>({});
        ASSERT_TRUE(started.ok()) << "spawn " << i << " of round " << round;
        pids.push_back(started.pid());
      }
      ASSERT_EQ(runtime.process_count(), static_cast<std::size_t>(kProcesses));
      // Every process gets a message, then stops one of three ways.
      for (int i = 0; i < kProcesses; ++i) {
        const Pid pid = pids[static_cast<std::size_t>(i)];
        runtime.cast(pid, Add{i});
        switch (i % 3) {
          case 0: runtime.cast(pid, StopNormally{}); break;
          case 1: runtime.exit(pid, ExitReason::shutdown()); break;
          default: runtime.exit(pid, ExitReason::kill()); break;
        }
      }
      ASSERT_TRUE(runtime.wait_until_empty(kStressWait)) << runtime.process_count() << " left";
      EXPECT_EQ(runtime.process_count(), 0u);
    }
  }
  // The runtime is gone: no scheduled run, table slot or mailbox may still hold a process.
  EXPECT_EQ(InstanceCount::live(), 0);
}

// --- many senders, one receiver ------------------------------------------------------------

struct Numbered {
  int sender;
  int sequence;
};
struct Totals {
  long received = 0;
  long out_of_order = 0;
  std::string first_problem;
};

// Checks that each sender's messages arrive in the order sent; reports when all are in.
class OrderChecker : public GenServer {
 public:
  OrderChecker(int senders, int per_sender, Pid report_to)
      : next_(static_cast<std::size_t>(senders), 0),
        expected_(static_cast<long>(senders) * per_sender),
        report_to_(report_to) {}

 protected:
  Result handle_info(Message& message) override {
    const auto* numbered = match<Numbered>(message);
    if (numbered == nullptr) return Result::noreply();
    int& next = next_.at(static_cast<std::size_t>(numbered->sender));
    if (numbered->sequence != next && totals_.out_of_order++ == 0) {
      totals_.first_problem = "sender " + std::to_string(numbered->sender) + " sent " +
                              std::to_string(numbered->sequence) + " but " +
                              std::to_string(next) + " was due";
    }
    next = numbered->sequence + 1;
    if (++totals_.received == expected_) send(report_to_, totals_);
    return Result::noreply();
  }

 private:
  std::vector<int> next_;
  long expected_;
  Pid report_to_;
  Totals totals_;
};

// Sends its numbered messages in bursts, yielding between bursts so senders interleave.
class Burster : public GenServer {
 public:
  Burster(int id, int count, Pid to) : id_(id), count_(count), to_(to) {}

 protected:
  InitResult init() override { return InitResult::ok_continue(0); }
  Result handle_continue(Message& /*burst*/) override {
    constexpr int kBurst = 50;
    for (int i = 0; i < kBurst && sent_ < count_; ++i) send(to_, Numbered{id_, sent_++});
    if (sent_ == count_) return Result::stop(ExitReason::normal());
    // A cast to ourselves goes to the back of the mailbox: others get the thread meanwhile.
    cast(self(), 0);
    return Result::noreply();
  }
  Result handle_cast(Message& message) override {
    return Result::noreply().then_continue(std::move(message));
  }

 private:
  int id_;
  int count_;
  Pid to_;
  int sent_ = 0;
};

TEST(Concurrency, ManySendersToOneReceiverKeepEachSendersOrder) {
  constexpr int kProcessSenders = 16;
  constexpr int kThreadSenders = 4;  // outside any process, through Runtime::send
  constexpr int kPerSender = 5000;
  Runtime runtime({.threads = 4});
  ScopedProcess self(runtime);
  const Pid receiver =
      runtime.spawn<OrderChecker>({}, kProcessSenders + kThreadSenders, kPerSender, self.self())
          .pid();

  std::vector<std::jthread> threads;
  for (int t = 0; t < kThreadSenders; ++t) {
    threads.emplace_back([&runtime, receiver, id = kProcessSenders + t] {
      for (int i = 0; i < kPerSender; ++i) runtime.send(receiver, Numbered{id, i});
    });
  }
  for (int s = 0; s < kProcessSenders; ++s) {
    ASSERT_TRUE(runtime.spawn<Burster>({}, s, kPerSender, receiver).ok());
  }
  for (std::jthread& thread : threads) thread.join();

  std::optional<Totals> totals = self.receive<Totals>(kStressWait);
  ASSERT_TRUE(totals) << "the receiver did not get every message";
  EXPECT_EQ(totals->received, static_cast<long>(kProcessSenders + kThreadSenders) * kPerSender);
  EXPECT_EQ(totals->out_of_order, 0) << totals->first_problem;
}

// --- timers armed and cancelled from many threads --------------------------------------

struct Fired {
  int thread;
  int index;
};
struct AllArmed {};

TEST(Concurrency, TimersCancelledConcurrentlyWithFiringFireExactlyOnceOrNever) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (set OTTER_SEED to rerun)");
  constexpr int kThreads = 4;
  constexpr int kTimersPerThread = 2000;
  Runtime runtime({.threads = 4});
  ScopedProcess self(runtime);
  // cancelled[t][i]: cancel_timer returned true, so the timer must never fire.
  std::vector<std::vector<char>> cancelled(kThreads, std::vector<char>(kTimersPerThread, 0));
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937_64 random(seed + static_cast<std::uint64_t>(t));
        std::vector<char>& mine = cancelled[static_cast<std::size_t>(t)];
        std::vector<TimerRef> timers;
        for (int i = 0; i < kTimersPerThread; ++i) {
          const auto delay = std::chrono::microseconds{random() % 20'000};
          timers.push_back(runtime.send_after(self.self(), delay, Fired{t, i}));
          // Cancel some at once, some a little later (racing their expiry), some never.
          if (random() % 3 == 0 && Runtime::cancel_timer(timers.back())) {
            mine[static_cast<std::size_t>(i)] = 1;
          }
          if (i >= 50 && random() % 3 == 0) {
            const auto late = static_cast<std::size_t>(i - 50);
            if (Runtime::cancel_timer(timers[late])) mine[late] = 1;
          }
        }
      });
    }
  }
  // Armed after every other timer and later than any of them: when it arrives, each
  // timer has either fired or been cancelled.
  (void)runtime.send_after(self.self(), std::chrono::milliseconds{60}, AllArmed{});
  std::vector<std::vector<int>> fired(kThreads, std::vector<int>(kTimersPerThread, 0));
  for (;;) {
    std::optional<Message> message = self.receive(kStressWait);
    ASSERT_TRUE(message) << "the sentinel timer never fired";
    if (match<AllArmed>(*message)) break;
    const auto* f = match<Fired>(*message);
    ASSERT_NE(f, nullptr);
    ++fired[static_cast<std::size_t>(f->thread)][static_cast<std::size_t>(f->index)];
  }
  int wrong = 0;
  for (std::size_t t = 0; t < kThreads; ++t) {
    for (std::size_t i = 0; i < kTimersPerThread; ++i) {
      const int expected = cancelled[t][i] ? 0 : 1;
      if (fired[t][i] != expected && wrong++ < 10) {
        ADD_FAILURE() << "timer " << t << "/" << i << " fired " << fired[t][i]
                      << " times; cancel_timer returned " << (cancelled[t][i] ? "true" : "false");
      }
    }
  }
  EXPECT_EQ(wrong, 0);
}

// --- spawn / exit / monitor churn ------------------------------------------------------------

// How a churn child ends, and the reason its monitors must report.
enum class Ending : unsigned char { stop_normal, crash, shutdown, kill, count };

ExitReason reason_for(Ending ending) {
  switch (ending) {
    case Ending::stop_normal: return ExitReason::normal();
    case Ending::crash: return ExitReason::error("churn crash");
    case Ending::shutdown: return ExitReason::shutdown();
    case Ending::kill: return ExitReason::killed();
    case Ending::count: break;
  }
  return ExitReason::error("bad ending");
}

struct ChurnChild : Tracked {};

struct Watch {  // from a peer driver: monitor this child too
  Pid child;
  Ending ending;
};
struct NextRound {};
struct ChurnReport {
  int driver;
  std::vector<std::string> problems;
};

// Spawns children (some linked), monitors them, hands each to the next driver to monitor
// as well, ends them in one of four ways, and checks every Down and ExitSignal it gets.
class ChurnDriver : public GenServer {
 public:
  ChurnDriver(int id, int rounds, std::uint64_t seed, Pid report_to)
      : id_(id), rounds_(rounds), random_(seed + static_cast<std::uint64_t>(id)),
        report_to_(report_to) {}

 protected:
  InitResult init() override {
    trap_exit(true);
    return InitResult::ok();
  }

  Result handle_cast(Message& message) override {
    if (const auto* peer = match<Pid>(message)) {
      peer_ = *peer;
      cast(self(), NextRound{});
    } else if (match<NextRound>(message)) {
      run_round();
      if (++rounds_done_ < rounds_) cast(self(), NextRound{});
      maybe_report();
    } else if (const auto* watch = match<Watch>(message)) {
      ++watches_received_;
      expected_.emplace(monitor(watch->child).id, Expected{watch->ending, true});
      maybe_report();
    }
    return Result::noreply();
  }

  Result handle_info(Message& message) override {
    if (const auto* down = match<Down>(message)) {
      const auto it = expected_.find(down->ref.id);
      if (it == expected_.end()) {
        problem("a Down for an unknown or already-seen monitor from " + down->pid.to_string());
      } else {
        const ExitReason want = reason_for(it->second.ending);
        const bool ok = down->reason == want ||
                        (it->second.may_be_noproc && down->reason == ExitReason::noproc());
        if (!ok) {
          problem("Down for " + down->pid.to_string() + " said " + down->reason.to_string() +
                  ", expected " + want.to_string());
        }
        expected_.erase(it);
      }
    } else if (const auto* signal = match<ExitSignal>(message)) {
      const auto it = linked_.find(signal->from);
      if (it == linked_.end()) {
        problem("an ExitSignal from " + signal->from.to_string() + ", not a linked child");
      } else {
        if (signal->reason != reason_for(it->second)) {
          problem("ExitSignal from " + signal->from.to_string() + " said " +
                  signal->reason.to_string() + ", expected " +
                  reason_for(it->second).to_string());
        }
        linked_.erase(it);
      }
    }
    maybe_report();
    return Result::noreply();
  }

 private:
  struct Expected {
    Ending ending;
    bool may_be_noproc;  // a peer's monitor may come after the child is gone
  };

  void run_round() {
    const bool link_it = random_() % 2 == 0;
    StartResult started = runtime().spawn<ChurnChild>(SpawnOptions{.link = link_it});
    if (!started.ok()) {
      problem("spawn failed");
      return;
    }
    const Pid child = started.pid();
    const auto ending = static_cast<Ending>(random_() % static_cast<unsigned>(Ending::count));
    expected_.emplace(monitor(child).id, Expected{ending, false});
    if (link_it) linked_.emplace(child, ending);
    cast(peer_, Watch{child, ending});
    for (unsigned i = random_() % 4; i > 0; --i) cast(child, Add{1});
    switch (ending) {
      case Ending::stop_normal: cast(child, StopNormally{}); break;
      case Ending::crash: cast(child, Crash{"churn crash"}); break;
      case Ending::shutdown: exit(child, ExitReason::shutdown()); break;
      case Ending::kill: exit(child, ExitReason::kill()); break;
      case Ending::count: break;
    }
  }

  void problem(std::string what) {
    if (problems_.size() < 10) problems_.push_back("driver " + std::to_string(id_) + ": " + what);
  }

  void maybe_report() {
    if (reported_ || rounds_done_ < rounds_ || watches_received_ < rounds_) return;
    if (!expected_.empty() || !linked_.empty()) return;
    reported_ = true;
    send(report_to_, ChurnReport{id_, problems_});
  }

  int id_;
  int rounds_;
  std::mt19937_64 random_;
  Pid report_to_;
  Pid peer_;
  int rounds_done_ = 0;
  int watches_received_ = 0;
  bool reported_ = false;
  std::unordered_map<std::uint64_t, Expected> expected_;  // monitor ref -> how it ends
  std::unordered_map<Pid, Ending> linked_;
  std::vector<std::string> problems_;
};

// From a plain thread: spawn, monitor, end, await the Down, in a loop.
std::vector<std::string> churn_from_outside(Runtime& runtime, std::uint64_t seed, int rounds) {
  std::vector<std::string> problems;
  std::mt19937_64 random(seed);
  ScopedProcess self(runtime);
  for (int i = 0; i < rounds; ++i) {
    StartResult started = runtime.spawn<ChurnChild>({});
    if (!started.ok()) {
      problems.push_back("outside spawn failed");
      continue;
    }
    const Pid child = started.pid();
    const MonitorRef ref = self.monitor(child);
    const auto ending = static_cast<Ending>(random() % static_cast<unsigned>(Ending::count));
    switch (ending) {
      case Ending::stop_normal: self.cast(child, StopNormally{}); break;
      case Ending::crash: self.cast(child, Crash{"churn crash"}); break;
      case Ending::shutdown: runtime.exit(child, ExitReason::shutdown()); break;
      case Ending::kill: runtime.exit(child, ExitReason::kill()); break;
      case Ending::count: break;
    }
    // Racing the ending: a call may be answered, fail with callee_exited or noproc.
    CallOutcome<int> value = self.call<int>(child, Get{}, kStressWait);
    if (!value.ok() && value.error() == CallError::timeout) problems.push_back("a call hung");
    std::optional<Down> down = self.receive<Down>(kStressWait);
    if (!down || down->ref != ref || down->reason != reason_for(ending)) {
      problems.push_back("outside: wrong or missing Down for " + child.to_string());
    }
  }
  return problems;
}

TEST(Concurrency, SpawnExitAndMonitorChurnKeepsEveryPromise) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (set OTTER_SEED to rerun)");
  constexpr int kDrivers = 8;
  constexpr int kRounds = 400;
  constexpr int kOutsideThreads = 2;
  constexpr int kOutsideRounds = 200;
  const QuietLogs quiet;
  {
    Runtime runtime({.threads = 4});
    ScopedProcess self(runtime);
    std::vector<Pid> drivers;
    for (int d = 0; d < kDrivers; ++d) {
      StartResult started = runtime.spawn<ChurnDriver>({}, d, kRounds, seed, self.self());
      ASSERT_TRUE(started.ok());
      drivers.push_back(started.pid());
    }
    std::vector<std::vector<std::string>> outside_problems(kOutsideThreads);
    std::vector<std::jthread> outside;  // joined even when an assertion returns early
    for (int t = 0; t < kOutsideThreads; ++t) {
      outside.emplace_back([&, t] {
        outside_problems[static_cast<std::size_t>(t)] =
            churn_from_outside(runtime, seed * 31 + static_cast<std::uint64_t>(t), kOutsideRounds);
      });
    }
    // Telling each driver its peer starts its rounds.
    for (int d = 0; d < kDrivers; ++d) {
      self.cast(drivers[static_cast<std::size_t>(d)],
                drivers[static_cast<std::size_t>((d + 1) % kDrivers)]);
    }
    for (int d = 0; d < kDrivers; ++d) {
      std::optional<ChurnReport> report = self.receive<ChurnReport>(kStressWait);
      ASSERT_TRUE(report) << "a driver never saw all its Downs and exit signals";
      for (const std::string& problem : report->problems) ADD_FAILURE() << problem;
    }
    for (std::jthread& thread : outside) thread.join();
    for (const auto& problems : outside_problems) {
      for (const std::string& problem : problems) ADD_FAILURE() << problem;
    }

    for (const Pid driver : drivers) runtime.exit(driver, ExitReason::kill());
    for (const Pid driver : drivers) {
      const MonitorRef ref = self.monitor(driver);
      std::optional<Down> down = self.receive<Down>(kStressWait);
      ASSERT_TRUE(down);
      EXPECT_EQ(down->ref, ref);
    }
    EXPECT_EQ(runtime.process_count(), 1u) << "only the scoped process should be left";
  }
  EXPECT_EQ(InstanceCount::live(), 0);
}

}  // namespace
}  // namespace otter::core
