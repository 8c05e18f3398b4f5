// The in-process simulator: N SimClients and a SimServer on a simulated Network, a seeded
// scheduler choosing the next event, and the checks run after every schedule.
// docs/sim.md describes the model and the checks.
//
//   ScheduleOutcome outcome = run_schedule({.seed = 42, .clients = 3, .docs = 2, .steps = 100});
//   if (outcome.failure) ... outcome.events is the schedule that failed
//   ScheduleOutcome again = replay_schedule(config, outcome.events, /*keep_transcript=*/true);
//
// Contract
// - Deterministic: no threads, no sockets, no clock, no unseeded randomness. The same
//   configuration gives the same events, the same fingerprint and the same transcript.
// - run_schedule draws events until `steps` local edits were made (bounded: 50 events per
//   step at most), then drains: every client reconnects, storage commits, every queue is
//   delivered until nothing moves. Then the checks: every client and the server hold the
//   same text at the same revision with nothing pending; every acked op is in the stored
//   history exactly once, at its acked revision, and every op a client sent was acked;
//   no (client, seq) is stored twice; revisions are dense; replaying the stored history
//   from empty gives the stored text (and the document process's); presence never points
//   outside the document (checked after every event too).
// - replay_schedule runs given events instead of drawing them (the shrinker's primitive):
//   events naming a client or document beyond the configuration are skipped.
// - The first broken check stops the schedule; outcome.failure says which and why.
#pragma once

#include <span>

#include "sim/schedule.hpp"

namespace otter::sim {

[[nodiscard]] ScheduleOutcome run_schedule(const ScheduleConfig& config, bool keep_transcript = false);
[[nodiscard]] ScheduleOutcome replay_schedule(const ScheduleConfig& config, std::span<const Event> events,
                                              bool keep_transcript = false);

}  // namespace otter::sim
