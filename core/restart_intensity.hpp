#pragma once
// RestartIntensity: OTP's "at most max_restarts restarts within max_seconds" rule.
//
// A supervisor records every restart it is about to make. When a restart would make more
// than `max_restarts` within the last `window`, the supervisor gives up: it stops its
// children and exits with reason shutdown, and its own supervisor decides what to do
// (escalation). max_restarts = 0 means the first restart already gives up.
//
// The clock is passed in, so the rule is tested without waiting.
#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace otter::core::detail {

class RestartIntensity {
 public:
  using Clock = std::chrono::steady_clock;

  RestartIntensity(int max_restarts, Clock::duration window) noexcept
      : max_restarts_(max_restarts), window_(window) {}

  // Records a restart at `now`. False when the restarts within the window, this one
  // included, exceed max_restarts: the supervisor must give up instead of restarting.
  [[nodiscard]] bool allow_restart(Clock::time_point now) {
    while (!recent_.empty() && now - recent_.front() > window_) recent_.pop_front();
    recent_.push_back(now);
    // Only "more than max_restarts" matters: older entries beyond that change nothing.
    // (Counted in size_t: max_restarts_ + 1 overflows an int at INT_MAX.)
    const auto limit = static_cast<std::size_t>(max_restarts_);
    while (recent_.size() > limit + 1) recent_.pop_front();
    return recent_.size() <= limit;
  }

  // What is wrong with a supervisor's limits, or nullopt. `what` names where they were
  // given, for the sentence ("supervisor flags", "dynamic supervisor options").
  [[nodiscard]] static std::optional<std::string> invalid_limits(int max_restarts, std::chrono::seconds max_seconds,
                                                                 std::string_view what) {
    if (max_restarts < 0) {
      return "invalid " + std::string(what) + ": max_restarts must be >= 0 (got " + std::to_string(max_restarts) + ")";
    }
    if (max_seconds.count() <= 0) {
      return "invalid " + std::string(what) + ": max_seconds must be > 0 (got " +
             std::to_string(max_seconds.count()) + ")";
    }
    return std::nullopt;
  }

  // Restarts recorded within the window as of the last allow_restart.
  [[nodiscard]] std::size_t recent_restarts() const noexcept { return recent_.size(); }

 private:
  int max_restarts_;
  Clock::duration window_;
  std::deque<Clock::time_point> recent_;  // oldest first; never more than max_restarts + 1
};

}  // namespace otter::core::detail
