// LatencyHistogram: durations in nanoseconds counted in log-linear buckets (32 per power
// of two, so a reported percentile is at most ~3 % above the true one), for the load
// generator's submit→ack and submit→seen figures. Fixed memory however many samples come:
// a 50-client run records millions.
//
// Contract
// - record() counts one sample; negative durations count as 0.
// - percentile(q) is the nearest-rank percentile (the ceil(q·n)-th smallest sample),
//   reported as the upper bound of its bucket; 0 when empty.
// - Not thread-safe: the load generator records from its one I/O thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include <boost/json/object.hpp>

namespace otter::bench {

class LatencyHistogram {
 public:
  void record(std::int64_t nanoseconds) noexcept;

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::int64_t max() const noexcept { return max_; }
  [[nodiscard]] std::int64_t percentile(double q) const noexcept;
  // {"count", "p50_us", "p99_us", "p999_us", "max_us", "mean_us"}.
  [[nodiscard]] boost::json::object to_json() const;

 private:
  static constexpr int kSubBucketBits = 5;
  static constexpr std::size_t kSubBuckets = std::size_t{1} << kSubBucketBits;
  static constexpr std::size_t kBuckets = (64 - kSubBucketBits + 1) * kSubBuckets;

  [[nodiscard]] static std::size_t bucket_of(std::uint64_t value) noexcept;
  [[nodiscard]] static std::uint64_t upper_bound_of(std::size_t bucket) noexcept;

  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  std::int64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace otter::bench
