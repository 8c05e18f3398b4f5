// The shrinker: a failing schedule reduced to a short one that still fails the same check.
//
// Contract
// - shrink(config, events) first tries removing each client in turn (with its events; the
//   clients after it are renumbered), then each document likewise, then deletes events by
//   delta debugging: chunks of half
//   the schedule, then quarters, ... down to single events, keeping every deletion after
//   which replay_schedule still fails the same check. It stops after `max_replays`.
// - The result fails when replayed with its config (it is the original if nothing smaller
//   fails), and its transcript tells the story event by event.
#pragma once

#include <cstddef>
#include <vector>

#include "sim/schedule.hpp"

namespace otter::sim {

struct ShrinkResult {
  ScheduleConfig config;           // clients/docs possibly fewer than the original's
  std::vector<Event> events;       // the shortest failing schedule found
  ScheduleOutcome outcome;         // its replay, with the transcript
  std::size_t replays = 0;         // how many schedules the shrinker ran
};

inline constexpr std::size_t kDefaultMaxReplays = 4'000;

[[nodiscard]] ShrinkResult shrink(const ScheduleConfig& config, std::vector<Event> events,
                                  std::size_t max_replays = kDefaultMaxReplays);

}  // namespace otter::sim
