// caf_bench: core_bench's workloads on the C++ Actor Framework (CAF 0.17, Debian's
// libcaf-dev), the reference Otter's runtime is compared against. Same sizes, same
// JSON (bench/core/harness.hpp); each workload in a fresh actor_system whose
// work-stealing scheduler has one thread per core, like Otter's pool.
//
//   ping_pong     two event-based actors bounce one counter: messages/s
//   fan_out       one actor sends to 100 receivers, round-robin: messages/s
//   call_latency  request(...).then(...) between two actors, one at a time: p50/p99
//   spawn_exit    an actor spawns actors that quit in their first run: actors/s
//   idle_memory   100 000 idle event-based actors: RSS delta / N
//
// Messages are int64_t and atoms only (CAF 0.17 needs no type announcements for those).
#include <caf/all.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <iostream>
#include <memory>
#include <vector>

#include "bench/core/harness.hpp"

namespace otter::bench {
namespace {

using go_atom = caf::atom_constant<caf::atom("go")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using serve_atom = caf::atom_constant<caf::atom("serve")>;

constexpr auto kLongWait = std::chrono::seconds(300);

void configure(caf::actor_system_config& config, const Options& options) {
  config.set("scheduler.max-threads", static_cast<caf::config_value::integer>(options.threads));
  config.set("logger.verbosity", caf::atom("quiet"));
}

std::runtime_error hung(const char* workload) {
  return std::runtime_error(std::string{workload} + ": no completion within the time limit");
}

// Waits for one done_atom on a scoped actor.
void await_done(caf::scoped_actor& self, const char* workload) {
  bool done = false;
  self->receive([&](done_atom) { done = true; }, caf::after(kLongWait) >> [] {});
  if (!done) throw hung(workload);
}

// --- ping_pong -----------------------------------------------------------------------------

caf::behavior player(caf::event_based_actor* self, caf::actor report_to) {
  auto peer = std::make_shared<caf::actor>();
  return {
      [=](serve_atom, caf::actor other) { *peer = std::move(other); },
      [=](std::int64_t ball) {
        if (ball == 0) {
          self->send(report_to, done_atom::value);
        } else {
          self->send(*peer, ball - 1);
        }
      },
  };
}

Run ping_pong_once(const Options& options, std::int64_t messages) {
  caf::actor_system_config config;
  configure(config, options);
  caf::actor_system system{config};
  caf::scoped_actor self{system};
  caf::actor a = system.spawn(player, caf::actor{self});
  caf::actor b = system.spawn(player, caf::actor{self});
  self->send(a, serve_atom::value, b);
  self->send(b, serve_atom::value, a);
  const Stopwatch clock;
  self->send(a, messages);
  await_done(self, "ping_pong");
  const Run run = Run::measure(static_cast<double>(messages), clock);
  self->send_exit(a, caf::exit_reason::user_shutdown);
  self->send_exit(b, caf::exit_reason::user_shutdown);
  return run;
}

// --- fan_out -------------------------------------------------------------------------------

caf::behavior receiver(caf::event_based_actor* self, std::int64_t expected, caf::actor report_to) {
  auto received = std::make_shared<std::int64_t>(0);
  return {
      [=](std::int64_t) {
        if (++*received == expected) {
          self->send(report_to, done_atom::value);
          self->quit();
        }
      },
  };
}

caf::behavior fan_out_sender(caf::event_based_actor* self, std::vector<caf::actor> receivers,
                             std::int64_t rounds) {
  auto sent_rounds = std::make_shared<std::int64_t>(0);
  return {
      [=](go_atom) {
        // The same turn structure as core_bench: a few rounds, then a message to self.
        constexpr std::int64_t kRoundsPerTurn = 10;
        for (std::int64_t i = 0; i < kRoundsPerTurn && *sent_rounds < rounds; ++i, ++*sent_rounds) {
          for (const caf::actor& r : receivers) self->send(r, *sent_rounds);
        }
        if (*sent_rounds < rounds) {
          self->send(self, go_atom::value);
        } else {
          self->quit();
        }
      },
  };
}

Run fan_out_once(const Options& options, int receivers, std::int64_t per_receiver) {
  caf::actor_system_config config;
  configure(config, options);
  caf::actor_system system{config};
  caf::scoped_actor self{system};
  std::vector<caf::actor> handles;
  for (int i = 0; i < receivers; ++i) {
    handles.push_back(system.spawn(receiver, per_receiver, caf::actor{self}));
  }
  caf::actor sender = system.spawn(fan_out_sender, handles, per_receiver);
  const Stopwatch clock;
  self->send(sender, go_atom::value);
  for (int i = 0; i < receivers; ++i) await_done(self, "fan_out");
  return Run::measure(static_cast<double>(per_receiver * receivers), clock);
}

// --- call_latency --------------------------------------------------------------------------

caf::behavior adder(caf::event_based_actor*) {
  return {[](std::int64_t n) { return n + 1; }};
}

struct CallRecord {
  std::vector<double> microseconds;
  int failures = 0;
};

// Written only by the caller actor; read by main after the caller's done_atom arrives.
void next_call(caf::event_based_actor* self, caf::actor server, int remaining,
               std::shared_ptr<CallRecord> record, caf::actor report_to) {
  if (remaining == 0) {
    self->send(report_to, done_atom::value);
    self->quit();
    return;
  }
  const auto sent_at = std::chrono::steady_clock::now();
  auto record_one = [=](bool ok) {
    const auto took = std::chrono::steady_clock::now() - sent_at;
    if (!ok) ++record->failures;
    record->microseconds.push_back(std::chrono::duration<double, std::micro>(took).count());
    next_call(self, server, remaining - 1, record, report_to);
  };
  self->request(server, std::chrono::seconds(10), std::int64_t{1})
      .then([=](std::int64_t) { record_one(true); }, [=](caf::error&) { record_one(false); });
}

caf::behavior caller(caf::event_based_actor* self, caf::actor server, int count,
                     std::shared_ptr<CallRecord> record, caf::actor report_to) {
  return {[=](go_atom) { next_call(self, server, count, record, report_to); }};
}

boost::json::object call_latency(const Options& options, int calls, int warmup) {
  caf::actor_system_config config;
  configure(config, options);
  caf::actor_system system{config};
  caf::scoped_actor self{system};
  auto record = std::make_shared<CallRecord>();
  record->microseconds.reserve(static_cast<std::size_t>(calls + warmup));
  caf::actor server = system.spawn(adder);
  caf::actor client = system.spawn(caller, server, calls + warmup, record, caf::actor{self});
  const Stopwatch clock;
  self->send(client, go_atom::value);
  await_done(self, "call_latency");
  const double seconds = clock.seconds();
  self->send_exit(server, caf::exit_reason::user_shutdown);
  std::vector<double> measured(record->microseconds.begin() + warmup, record->microseconds.end());
  double sum = 0;
  for (double v : measured) sum += v;
  const double mean = measured.empty() ? 0.0 : sum / static_cast<double>(measured.size());
  const double p50 = percentile(measured, 50);
  const double p99 = percentile(measured, 99);
  return {{"calls", calls},
          {"warmup_calls", warmup},
          {"failures", record->failures},
          {"p50_us", p50},
          {"p99_us", p99},
          {"mean_us", mean},
          {"calls_per_second", static_cast<double>(calls + warmup) / seconds}};
}

// --- spawn_exit ----------------------------------------------------------------------------

void ephemeral(caf::event_based_actor* self) { self->quit(); }

caf::behavior spawner(caf::event_based_actor* self, std::int64_t count) {
  auto remaining = std::make_shared<std::int64_t>(count);
  return {
      [=](go_atom) {
        constexpr int kPerTurn = 1000;
        for (int i = 0; i < kPerTurn && *remaining > 0; ++i, --*remaining) self->spawn(ephemeral);
        if (*remaining == 0) {
          self->quit();
        } else {
          self->send(self, go_atom::value);
        }
      },
  };
}

Run spawn_exit_once(const Options& options, std::int64_t count) {
  caf::actor_system_config config;
  configure(config, options);
  caf::actor_system system{config};
  caf::actor boss = system.spawn(spawner, count);
  const Stopwatch clock;
  caf::anon_send(boss, go_atom::value);
  boss = nullptr;
  system.await_all_actors_done();
  return Run::measure(static_cast<double>(count), clock);
}

// --- idle_memory ---------------------------------------------------------------------------

caf::behavior idle(caf::event_based_actor*) {
  return {[](std::int64_t) {}};
}

boost::json::object idle_memory(const Options& options, std::int64_t count) {
  caf::actor_system_config config;
  configure(config, options);
  caf::actor_system system{config};
  std::vector<caf::actor> keep;
  keep.reserve(static_cast<std::size_t>(count + 1000));
  for (int i = 0; i < 1000; ++i) keep.push_back(system.spawn(idle));  // warm-up, as Otter's
  const std::int64_t before = resident_bytes();
  for (std::int64_t i = 0; i < count; ++i) keep.push_back(system.spawn(idle));
  const std::int64_t after = resident_bytes();
  for (const caf::actor& a : keep) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  return {{"processes", count},
          {"method", "RSS delta / N (handles kept in a vector: 8 bytes each included)"},
          {"rss_delta_bytes", after - before},
          {"bytes_per_process", static_cast<double>(after - before) / static_cast<double>(count)}};
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

  boost::json::object report{{"program", "caf_bench"},
                             {"runtime", "caf " + std::to_string(CAF_VERSION / 10000) + "." +
                                             std::to_string(CAF_VERSION / 100 % 100) + "." +
                                             std::to_string(CAF_VERSION % 100)},
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
    std::cerr << "caf_bench: " << e.what() << "\n";
    return 1;
  }
}
