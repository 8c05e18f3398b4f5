#include "sim/shrinker.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "sim/simulation.hpp"

namespace otter::sim {
namespace {

class Shrinker {
 public:
  Shrinker(const ScheduleConfig& config, std::vector<Event> events, std::size_t max_replays)
      : config_(config), events_(std::move(events)), max_replays_(max_replays) {
    const ScheduleOutcome original = replay_schedule(config_, events_);
    ++replays_;
    if (original.failure) check_ = original.failure->check;
  }

  ShrinkResult run() && {
    if (!check_.empty()) {
      shrink_dimension(&ScheduleConfig::clients, &Event::client);
      shrink_dimension(&ScheduleConfig::docs, &Event::doc);
      delete_events();
    }
    ShrinkResult result;
    result.outcome = replay_schedule(config_, events_, /*keep_transcript=*/true);
    result.config = config_;
    result.events = std::move(events_);
    result.replays = replays_ + 1;
    return result;
  }

 private:
  [[nodiscard]] bool budget_left() const noexcept { return replays_ < max_replays_; }

  [[nodiscard]] bool still_fails(const ScheduleConfig& config, const std::vector<Event>& events) {
    ++replays_;
    const ScheduleOutcome outcome = replay_schedule(config, events);
    return outcome.failure && outcome.failure->check == check_;
  }

  // Fewer clients (or documents): each one in turn goes, with its events; those numbered
  // after it move down one.
  void shrink_dimension(std::size_t ScheduleConfig::*count, std::uint32_t Event::*index) {
    for (std::size_t gone = config_.*count; gone-- > 0 && config_.*count > 1 && budget_left();) {
      ScheduleConfig smaller = config_;
      smaller.*count -= 1;
      std::vector<Event> kept;
      for (Event event : events_) {
        if (event.*index == gone) continue;
        if (event.*index > gone) event.*index -= 1;
        kept.push_back(event);
      }
      if (!still_fails(smaller, kept)) continue;
      config_ = smaller;
      events_ = std::move(kept);
    }
  }

  void delete_events() {
    for (std::size_t chunk = std::max<std::size_t>(events_.size() / 2, 1); budget_left();) {
      bool deleted = false;
      for (std::size_t at = 0; at < events_.size() && budget_left();) {
        std::vector<Event> candidate;
        candidate.reserve(events_.size());
        candidate.insert(candidate.end(), events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(at));
        const std::size_t end = std::min(events_.size(), at + chunk);
        candidate.insert(candidate.end(), events_.begin() + static_cast<std::ptrdiff_t>(end), events_.end());
        if (still_fails(config_, candidate)) {
          events_ = std::move(candidate);
          deleted = true;
        } else {
          at += chunk;
        }
      }
      if (chunk == 1 && !deleted) return;
      if (!deleted || chunk > 1) chunk = std::max<std::size_t>(chunk / 2, 1);
    }
  }

  ScheduleConfig config_;
  std::vector<Event> events_;
  std::size_t max_replays_;
  std::size_t replays_ = 0;
  std::string check_;
};

}  // namespace

ShrinkResult shrink(const ScheduleConfig& config, std::vector<Event> events, std::size_t max_replays) {
  return Shrinker(config, std::move(events), max_replays).run();
}

}  // namespace otter::sim
