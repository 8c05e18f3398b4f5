// Metrics: what the document service counts, and its Prometheus text exposition.
//
//   Metrics metrics;
//   metrics.ops_applied.add(batch.size());                 // any thread, no lock
//   metrics.op_latency.observe(std::chrono::microseconds{420});
//   std::string text = render_prometheus(metrics, storage.writer_metrics());  // GET /metrics
//
// Contract
// - Counter: only grows. add() is wait-free: one relaxed atomic add on a cache line picked
//   per thread (kShards shards), so threads counting the same event never share a line;
//   value() sums the shards (a reader may see a slightly stale total, never a torn one).
// - Gauge: a value that goes up and down (one atomic; changed on process start/exit only,
//   never per op).
// - Histogram: fixed upper bounds in microseconds (Prometheus "le", rendered in seconds),
//   sharded like Counter; observe() is three relaxed atomic adds on the caller's shard.
//   snapshot() returns per-bucket counts (not cumulative) plus sum and count.
// - render_prometheus() writes text exposition format 0.0.4: HELP/TYPE lines, cumulative
//   buckets with le="+Inf", _sum in seconds. The storage writer's metrics (commit latency,
//   batch sizes) come from storage::WriterMetrics and are rendered beside ours.
//
// Every member of Metrics is safe from any thread. Lives in the service; processes hold a
// pointer to it (the service outlives them).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "storage/writer_metrics.hpp"

namespace otter::server {

namespace metrics_detail {
inline constexpr std::size_t kShards = 16;
inline constexpr std::size_t kCacheLine = 64;
// This thread's shard, assigned round-robin the first time a thread counts anything.
[[nodiscard]] std::size_t shard_of_this_thread() noexcept;
}  // namespace metrics_detail

class Counter {
 public:
  void add(std::uint64_t n = 1) noexcept {
    shards_[metrics_detail::shard_of_this_thread()].value.fetch_add(n, std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint64_t value() const noexcept;

 private:
  struct alignas(metrics_detail::kCacheLine) Shard {
    std::atomic<std::uint64_t> value{0};
  };
  std::array<Shard, metrics_detail::kShards> shards_{};
};

class Gauge {
 public:
  void add(std::int64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  void sub(std::int64_t n = 1) noexcept { value_.fetch_sub(n, std::memory_order_relaxed); }
  void set(std::int64_t n) noexcept { value_.store(n, std::memory_order_relaxed); }
  [[nodiscard]] std::int64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

struct HistogramSnapshot {
  std::vector<std::uint64_t> bounds_us;  // upper bounds, ascending
  std::vector<std::uint64_t> counts;     // bounds_us.size() + 1 buckets (the last is +Inf)
  std::uint64_t sum_us = 0;
  std::uint64_t count = 0;
};

class Histogram {
 public:
  // Latency buckets from 100 µs to 10 s.
  static constexpr std::array<std::uint64_t, 14> kLatencyBoundsUs = {
      100, 250, 500, 1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 500'000, 1'000'000, 10'000'000};

  explicit Histogram(std::span<const std::uint64_t> bounds_us = kLatencyBoundsUs);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;
  ~Histogram();

  void observe(std::chrono::microseconds value) noexcept;
  // For values that are not durations (batch sizes): `value` in the bounds' unit.
  void observe_value(std::uint64_t value) noexcept;
  [[nodiscard]] HistogramSnapshot snapshot() const;

 private:
  struct Shard;
  std::vector<std::uint64_t> bounds_;
  std::unique_ptr<Shard[]> shards_;
};

struct Metrics {
  // Gauges: processes alive now.
  Gauge documents_open;  // document processes (loading or loaded)
  Gauge sessions_open;   // session processes
  // Documents.
  Counter document_loads;     // loads from storage that completed
  Counter document_restarts;  // document processes that crashed (their supervisor restarts them)
  Counter documents_idled;    // document processes stopped by their idle timeout
  // The edit path.
  Counter ops_applied;     // fresh ops made durable and published
  Counter ops_duplicate;   // resends answered with their original revision
  Counter ops_rejected;    // ops answered with an error (not applied)
  Counter batches_published;
  Histogram op_latency{Histogram::kLatencyBoundsUs};  // applied -> durable, per op
  // Sessions.
  Counter frames_sent;
  Counter bytes_sent;
  Counter protocol_errors;  // error frames sent to clients
  Counter rate_limited;
  Counter slow_consumers;   // sessions closed with slow_consumer
  Counter session_crashes;
};

// Prometheus text exposition of `metrics` and the storage writer's counters.
[[nodiscard]] std::string render_prometheus(const Metrics& metrics, const storage::WriterMetrics& writer);

}  // namespace otter::server
