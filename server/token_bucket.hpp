// TokenBucket: at most `rate` events per second sustained, bursts of up to `burst`.
// A session takes one token per op (rate_limited when empty). Single-threaded: the owning
// process calls it. The clock is passed in, so tests can drive it.
#pragma once

#include <algorithm>
#include <chrono>

namespace otter::server {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // rate <= 0: unlimited.
  TokenBucket(double rate_per_second, double burst, Clock::time_point now = Clock::now()) noexcept
      : rate_(rate_per_second), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(now) {}

  // Takes a token if there is one.
  [[nodiscard]] bool try_take(Clock::time_point now = Clock::now()) noexcept {
    if (rate_ <= 0) return true;
    const std::chrono::duration<double> elapsed = now - last_;
    if (elapsed.count() > 0) {
      tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
      last_ = now;
    }
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace otter::server
