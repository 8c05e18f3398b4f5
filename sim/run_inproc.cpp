#include "sim/run.hpp"
#include "sim/shrinker.hpp"
#include "sim/simulation.hpp"

namespace otter::sim {

SimReport run_inproc(const SimOptions& options) {
  SimReport report;
  report.mode = "inproc";
  report.options = options;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < options.schedules; ++i) {
    const ScheduleConfig config{.seed = options.seed + i,
                                .clients = options.clients,
                                .docs = options.docs,
                                .steps = options.steps,
                                .faults = options.faults};
    ScheduleOutcome outcome = run_schedule(config);
    ++report.schedules_run;
    report.stats += outcome.stats;
    if (outcome.failure) {
      SimFailure failure;
      failure.seed = config.seed;
      failure.failure = *outcome.failure;
      failure.events = outcome.events.size();
      if (options.shrink) {
        ShrinkResult shrunk = shrink(config, std::move(outcome.events));
        failure.shrunk_events = shrunk.events.size();
        failure.shrunk_clients = shrunk.config.clients;
        failure.shrunk_docs = shrunk.config.docs;
        failure.history = std::move(shrunk.outcome.transcript);
      }
      report.failure = std::move(failure);
    }
    report.elapsed = std::chrono::steady_clock::now() - start;
    if (options.on_progress) {
      options.on_progress(SimProgress{report.schedules_run, options.schedules, report.elapsed});
    }
    if (report.failure) break;
  }
  return report;
}

}  // namespace otter::sim
