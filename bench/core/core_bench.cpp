// core_bench: how fast Otter's process runtime moves messages, answers calls, spawns
// processes, and how little an idle process costs. Prints one JSON object on stdout;
// caf_bench.cpp runs the same workloads on the C++ Actor Framework for comparison.
//
//   ping_pong     two processes bounce one counter back and forth: messages/s
//   fan_out       one process sends to 100 receivers, round-robin: messages/s
//   call_latency  one GenServer calls another (asynchronous call, one at a time): p50/p99
//   spawn_exit    a process spawns processes that exit in their first turn: processes/s
//   idle_memory   100 000 idle GenServers: RSS delta / N
//
// Every workload runs in a fresh Runtime with one scheduler thread per core. Throughput
// workloads run --repetitions times; the median is the headline. Run a release build:
// scripts/bench.sh core_bench caf_bench.
#include <boost/json.hpp>

#include <cstdint>
#include <iostream>
#include <optional>
#include <utility>
#include <vector>

#include "bench/core/harness.hpp"
#include "core/gen_server.hpp"
#include "core/scoped_process.hpp"

namespace otter::bench {
namespace {

using core::CallOutcome;
using core::Duration;
using core::ExitReason;
using core::From;
using core::GenServer;
using core::Message;
using core::Pid;
using core::Runtime;
using core::ScopedProcess;
using core::match;
using namespace std::chrono_literals;

constexpr Duration kLongWait = 300s;  // only reached if the runtime hangs

core::RuntimeOptions runtime_options(const Options& options) {
  return core::RuntimeOptions{.threads = options.threads, .node = 1, .shutdown_grace = 5000ms};
}

std::runtime_error hung(const char* workload) {
  return std::runtime_error(std::string{workload} + ": no completion within the time limit");
}

// --- ping_pong -----------------------------------------------------------------------------

struct Serve {
  Pid peer;
  Pid report_to;
};
struct Finished {};

class Player : public GenServer {
 protected:
  Result handle_cast(Message& message) override {
    if (const auto* serve = match<Serve>(message)) {
      peer_ = serve->peer;
      report_to_ = serve->report_to;
    }
    return Result::noreply();
  }
  Result handle_info(Message& message) override {
    if (const auto* ball = match<std::int64_t>(message)) {
      if (*ball == 0) {
        send(report_to_, Finished{});
      } else {
        send(peer_, *ball - 1);
      }
    }
    return Result::noreply();
  }

 private:
  Pid peer_;
  Pid report_to_;
};

Run ping_pong_once(const Options& options, std::int64_t messages) {
  Runtime runtime(runtime_options(options));
  ScopedProcess self(runtime);
  const Pid a = runtime.spawn<Player>({}).pid();
  const Pid b = runtime.spawn<Player>({}).pid();
  self.cast(a, Serve{b, self.self()});
  self.cast(b, Serve{a, self.self()});
  const Stopwatch clock;
  self.send(a, messages);
  if (!self.receive<Finished>(kLongWait)) throw hung("ping_pong");
  return Run::measure(static_cast<double>(messages), clock);
}

// --- fan_out -------------------------------------------------------------------------------

struct ReceiverDone {};

class Receiver : public GenServer {
 public:
  Receiver(std::int64_t expected, Pid report_to) : expected_(expected), report_to_(report_to) {}

 protected:
  Result handle_info(Message& message) override {
    if (match<std::int64_t>(message) && ++received_ == expected_) send(report_to_, ReceiverDone{});
    return Result::noreply();
  }

 private:
  std::int64_t expected_;
  Pid report_to_;
  std::int64_t received_ = 0;
};

struct Go {};

class FanOutSender : public GenServer {
 public:
  FanOutSender(std::vector<Pid> receivers, std::int64_t rounds)
      : receivers_(std::move(receivers)), rounds_(rounds) {}

 protected:
  Result handle_cast(Message& message) override {
    if (!match<Go>(message)) return Result::noreply();
    // A few rounds per turn, then a cast to ourselves: the sender yields its thread the way
    // a real producer would instead of monopolising it.
    constexpr std::int64_t kRoundsPerTurn = 10;
    for (std::int64_t i = 0; i < kRoundsPerTurn && sent_rounds_ < rounds_; ++i, ++sent_rounds_) {
      for (const Pid receiver : receivers_) send(receiver, sent_rounds_);
    }
    if (sent_rounds_ < rounds_) cast(self(), Go{});
    return Result::noreply();
  }

 private:
  std::vector<Pid> receivers_;
  std::int64_t rounds_;
  std::int64_t sent_rounds_ = 0;
};

Run fan_out_once(const Options& options, int receivers, std::int64_t per_receiver) {
  Runtime runtime(runtime_options(options));
  ScopedProcess self(runtime);
  std::vector<Pid> pids;
  for (int i = 0; i < receivers; ++i) {
    pids.push_back(runtime.spawn<Receiver>({}, per_receiver, self.self()).pid());
  }
  const Pid sender = runtime.spawn<FanOutSender>({}, pids, per_receiver).pid();
  const Stopwatch clock;
  self.cast(sender, Go{});
  for (int i = 0; i < receivers; ++i) {
    if (!self.receive<ReceiverDone>(kLongWait)) throw hung("fan_out");
  }
  return Run::measure(static_cast<double>(per_receiver * receivers), clock);
}

// --- call_latency --------------------------------------------------------------------------

class Adder : public GenServer {
 protected:
  CallResult handle_call(Message& request, const From& from) override {
    if (const auto* n = match<std::int64_t>(request)) return CallResult::reply(*n + 1);
    return GenServer::handle_call(request, from);
  }
};

struct StartCalls {
  Pid server;
  int count;
  Pid report_to;
};
struct Latencies {
  std::vector<double> microseconds;
  int failures = 0;
};

class Caller : public GenServer {
 protected:
  Result handle_cast(Message& message) override {
    if (const auto* start = match<StartCalls>(message)) {
      start_ = *start;
      latencies_.microseconds.reserve(static_cast<std::size_t>(start->count));
      next_call();
    }
    return Result::noreply();
  }

 private:
  void next_call() {
    const auto sent_at = std::chrono::steady_clock::now();
    call<std::int64_t>(start_.server, std::int64_t{1}, 10s,
                       [this, sent_at](CallOutcome<std::int64_t> outcome) {
                         const auto took = std::chrono::steady_clock::now() - sent_at;
                         if (!outcome.ok()) ++latencies_.failures;
                         latencies_.microseconds.push_back(
                             std::chrono::duration<double, std::micro>(took).count());
                         if (static_cast<int>(latencies_.microseconds.size()) < start_.count) {
                           next_call();
                         } else {
                           send(start_.report_to, std::move(latencies_));
                         }
                       });
  }

  StartCalls start_{};
  Latencies latencies_;
};

boost::json::object call_latency(const Options& options, int calls, int warmup) {
  Runtime runtime(runtime_options(options));
  ScopedProcess self(runtime);
  const Pid server = runtime.spawn<Adder>({}).pid();
  const Pid caller = runtime.spawn<Caller>({}).pid();
  const Stopwatch clock;
  self.cast(caller, StartCalls{server, calls + warmup, self.self()});
  std::optional<Latencies> got = self.receive<Latencies>(kLongWait);
  const double seconds = clock.seconds();
  if (!got) throw hung("call_latency");
  std::vector<double> measured(got->microseconds.begin() + warmup, got->microseconds.end());
  double sum = 0;
  for (double v : measured) sum += v;
  const double mean = measured.empty() ? 0.0 : sum / static_cast<double>(measured.size());
  const double p50 = percentile(measured, 50);
  const double p99 = percentile(measured, 99);
  return {{"calls", calls},
          {"warmup_calls", warmup},
          {"failures", got->failures},
          {"p50_us", p50},
          {"p99_us", p99},
          {"mean_us", mean},
          {"calls_per_second", static_cast<double>(calls + warmup) / seconds}};
}

// --- spawn_exit ----------------------------------------------------------------------------

// Exits in its first turn on the pool: spawn (init inline), one scheduling, exit.
class Ephemeral : public GenServer {
 protected:
  InitResult init() override { return InitResult::ok_continue(0); }
  Result handle_continue(Message& /*message*/) override {
    return Result::stop(ExitReason::normal());
  }
};

struct SpawnMore {};

class Spawner : public GenServer {
 public:
  explicit Spawner(std::int64_t count) : remaining_(count) {}

 protected:
  Result handle_cast(Message& message) override {
    if (!match<SpawnMore>(message)) return Result::noreply();
    constexpr int kPerTurn = 1000;
    for (int i = 0; i < kPerTurn && remaining_ > 0; ++i, --remaining_) {
      if (!runtime().spawn<Ephemeral>({}).ok()) throw std::runtime_error("spawn failed");
    }
    if (remaining_ == 0) return Result::stop(ExitReason::normal());
    cast(self(), SpawnMore{});
    return Result::noreply();
  }

 private:
  std::int64_t remaining_;
};

Run spawn_exit_once(const Options& options, std::int64_t count) {
  Runtime runtime(runtime_options(options));
  const Pid spawner = runtime.spawn<Spawner>({}, count).pid();
  const Stopwatch clock;
  runtime.cast(spawner, SpawnMore{});
  if (!runtime.wait_until_empty(kLongWait)) throw hung("spawn_exit");
  return Run::measure(static_cast<double>(count), clock);
}

// --- idle_memory ---------------------------------------------------------------------------

class Idle : public GenServer {};

struct SpawnIdle {
  std::int64_t count;
};

// Spawns from inside a process, as a supervisor would (no root bookkeeping per process).
class IdleSpawner : public GenServer {
 protected:
  CallResult handle_call(Message& request, const From& from) override {
    if (const auto* spawn = match<SpawnIdle>(request)) {
      for (std::int64_t i = 0; i < spawn->count; ++i) (void)runtime().spawn<Idle>({});
      return CallResult::reply(spawn->count);
    }
    return GenServer::handle_call(request, from);
  }
};

boost::json::object idle_memory(const Options& options, std::int64_t count) {
  Runtime runtime(runtime_options(options));
  const Pid spawner = runtime.spawn<IdleSpawner>({}).pid();
  // Warm up the allocator and the pool threads' arenas with a small batch first.
  (void)core::call<std::int64_t>(runtime, spawner, SpawnIdle{1000}, kLongWait);
  const std::int64_t before = resident_bytes();
  CallOutcome<std::int64_t> spawned =
      core::call<std::int64_t>(runtime, spawner, SpawnIdle{count}, kLongWait);
  if (!spawned.ok()) throw hung("idle_memory");
  const std::int64_t after = resident_bytes();
  return {{"processes", count},
          {"method", "RSS delta / N"},
          {"rss_delta_bytes", after - before},
          {"bytes_per_process", static_cast<double>(after - before) / static_cast<double>(count)},
          {"sizeof_idle_gen_server", sizeof(Idle)},
          {"live_processes", runtime.process_count()}};
}

// --- main ----------------------------------------------------------------------------------

int run(const Options& options) {
  const Workloads w = scaled(options);
  boost::json::object results;
  // First, while the heap holds nothing freed by other workloads.
  if (options.wants("idle_memory")) results["idle_memory"] = idle_memory(options, w.idle_processes);
  if (options.wants("ping_pong")) {
    boost::json::object ping = throughput(options, "messages_per_second", [&] {
      return ping_pong_once(options, w.ping_pong_messages);
    });
    ping["messages"] = w.ping_pong_messages;
    results["ping_pong"] = std::move(ping);
  }
  if (options.wants("fan_out")) {
    boost::json::object fan = throughput(options, "messages_per_second", [&] {
      return fan_out_once(options, w.fan_out_receivers, w.fan_out_messages_per_receiver);
    });
    fan["receivers"] = w.fan_out_receivers;
    fan["messages"] = w.fan_out_messages_per_receiver * w.fan_out_receivers;
    results["fan_out"] = std::move(fan);
  }
  if (options.wants("call_latency")) {
    results["call_latency"] = call_latency(options, w.call_count, w.call_warmup);
  }
  if (options.wants("spawn_exit")) {
    boost::json::object spawn = throughput(
        options, "processes_per_second", [&] { return spawn_exit_once(options, w.spawn_count); });
    spawn["processes"] = w.spawn_count;
    results["spawn_exit"] = std::move(spawn);
  }

  boost::json::object report{{"program", "core_bench"},
                             {"runtime", "otter"},
                             {"machine", machine(options)},
                             {"repetitions", options.repetitions},
                             {"results", std::move(results)}};
  std::cout << boost::json::serialize(report) << "\n";
  return 0;
}

}  // namespace
}  // namespace otter::bench

int main(int argc, char** argv) {
  try {
    return otter::bench::run(otter::bench::parse_options(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "core_bench: " << e.what() << "\n";
    return 1;
  }
}
