#include "bench/load/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace otter::bench {

std::size_t LatencyHistogram::bucket_of(std::uint64_t value) noexcept {
  if (value < kSubBuckets) return static_cast<std::size_t>(value);
  const int top_bit = 63 - std::countl_zero(value);
  const int shift = top_bit - kSubBucketBits;  // value >> shift is in [kSubBuckets, 2 kSubBuckets)
  return static_cast<std::size_t>(shift + 1) * kSubBuckets + static_cast<std::size_t>((value >> shift) - kSubBuckets);
}

std::uint64_t LatencyHistogram::upper_bound_of(std::size_t bucket) noexcept {
  if (bucket < kSubBuckets) return bucket;
  const std::size_t shift = bucket / kSubBuckets - 1;
  const std::uint64_t mantissa = bucket % kSubBuckets + kSubBuckets;
  return ((mantissa + 1) << shift) - 1;
}

void LatencyHistogram::record(std::int64_t nanoseconds) noexcept {
  const std::uint64_t value = nanoseconds < 0 ? 0 : static_cast<std::uint64_t>(nanoseconds);
  ++buckets_[bucket_of(value)];
  ++count_;
  max_ = std::max<std::int64_t>(max_, static_cast<std::int64_t>(value));
  sum_ += static_cast<double>(value);
}

std::int64_t LatencyHistogram::percentile(double q) const noexcept {
  if (count_ == 0) return 0;
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < kBuckets; ++bucket) {
    seen += buckets_[bucket];
    if (seen >= rank) return std::min<std::int64_t>(static_cast<std::int64_t>(upper_bound_of(bucket)), max_);
  }
  return max_;
}

boost::json::object LatencyHistogram::to_json() const {
  const auto micros = [](std::int64_t ns) { return std::round(static_cast<double>(ns) / 10.0) / 100.0; };
  boost::json::object out;
  out["count"] = count_;
  out["p50_us"] = micros(percentile(0.50));
  out["p99_us"] = micros(percentile(0.99));
  out["p999_us"] = micros(percentile(0.999));
  out["max_us"] = micros(max_);
  out["mean_us"] = count_ == 0 ? 0.0 : micros(static_cast<std::int64_t>(sum_ / static_cast<double>(count_)));
  return out;
}

}  // namespace otter::bench
