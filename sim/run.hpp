// Running many schedules: the options `otter sim` takes, and the report it prints.
//
//   SimOptions options{.seed = 42, .schedules = 1000};
//   SimReport report = run_inproc(options);            // sim/simulation.hpp, in process
//   SimReport report = run_server(options, settings);  // sim/server_sim.hpp, a real otterd
//
// Contract
// - Schedule i (from 0) runs with seed options.seed + i, so a failure names the one seed
//   that replays it: `otter sim --seed <that seed> --schedules 1` with the same --clients,
//   --docs and --steps.
// - The run stops at the first failing schedule. In process, the failure is shrunk
//   (sim/shrinker.hpp) and the report carries the shortest failing history.
// - on_progress, if set, is called after each schedule (the caller decides how often to
//   print); it runs on the calling thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/schedule.hpp"

namespace otter::sim {

struct SimProgress {
  std::size_t schedules_done = 0;
  std::size_t schedules_total = 0;
  std::chrono::steady_clock::duration elapsed{};
};

struct SimOptions {
  std::uint64_t seed = 1;
  std::size_t schedules = 100;
  std::size_t clients = 3;
  std::size_t docs = 1;
  std::size_t steps = 100;
  SimServerFaults faults{};  // tests only
  bool shrink = true;
  std::function<void(const SimProgress&)> on_progress{};
};

struct SimFailure {
  std::uint64_t seed = 0;          // the failing schedule's own seed
  Failure failure{};
  std::size_t events = 0;          // events in the failing schedule
  // In process: the shortest failing history the shrinker found (one line per event and
  // what it did), with the clients and documents it still needs.
  std::size_t shrunk_events = 0;
  std::size_t shrunk_clients = 0;
  std::size_t shrunk_docs = 0;
  std::vector<std::string> history{};
};

struct SimReport {
  std::string mode;                 // "inproc" or "server"
  SimOptions options;
  std::size_t schedules_run = 0;    // including the failing one
  ScheduleStats stats;
  std::chrono::steady_clock::duration elapsed{};
  std::optional<SimFailure> failure;
};

[[nodiscard]] SimReport run_inproc(const SimOptions& options);

}  // namespace otter::sim
