// WriterMetrics: what the storage writer counts, shaped for Prometheus (counters, a gauge,
// and a latency histogram with fixed bucket bounds). StorageWriter::metrics() returns a
// consistent copy; every counter only grows.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace otter::storage {

struct WriterMetrics {
  // Upper bounds of the commit-latency buckets, in microseconds (Prometheus "le").
  static constexpr std::array<std::uint64_t, 12> kCommitLatencyBoundsUs = {
      100, 250, 500, 1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 1'000'000};

  std::uint64_t commits = 0;              // transactions committed
  std::uint64_t failed_commits = 0;       // transactions that failed as a whole (I/O, busy)
  std::uint64_t requests_committed = 0;   // requests acked as durable
  std::uint64_t requests_failed = 0;      // requests acked with an error (their own or the batch's)
  std::uint64_t ops_committed = 0;        // ops of the requests acked as durable
  std::uint64_t snapshots_committed = 0;  // snapshots of the requests acked as durable
  std::uint64_t rejected_queue_full = 0;  // submit() calls refused with queue_full
  std::uint64_t queue_depth = 0;          // gauge: requests waiting right now

  // Commit latency: the time of one Store::append (BEGIN .. COMMIT, including the fsync).
  std::uint64_t last_commit_us = 0;
  std::uint64_t max_commit_us = 0;
  std::uint64_t total_commit_us = 0;  // sum over every transaction attempted
  // commit_latency_buckets[i] counts transactions with latency <= kCommitLatencyBoundsUs[i]
  // and above the previous bound (not cumulative); the last bucket counts the rest (+Inf).
  std::array<std::uint64_t, kCommitLatencyBoundsUs.size() + 1> commit_latency_buckets{};

  // Batch sizes: requests and ops per transaction.
  // Upper bounds of the ops-per-transaction buckets (Prometheus "le"), counted as above.
  static constexpr std::array<std::uint64_t, 12> kBatchOpsBounds = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1'000, 2'000, 5'000};
  std::array<std::uint64_t, kBatchOpsBounds.size() + 1> batch_ops_buckets{};
  std::uint64_t total_batch_ops = 0;  // sum over every transaction attempted
  std::uint64_t last_batch_requests = 0;
  std::uint64_t max_batch_requests = 0;
  std::uint64_t last_batch_ops = 0;
  std::uint64_t max_batch_ops = 0;

  // Adds one attempted transaction.
  void record_commit(std::chrono::microseconds latency, std::uint64_t requests, std::uint64_t ops) noexcept {
    const auto us = static_cast<std::uint64_t>(latency.count() < 0 ? 0 : latency.count());
    last_commit_us = us;
    max_commit_us = us > max_commit_us ? us : max_commit_us;
    total_commit_us += us;
    ++commit_latency_buckets[bucket_of(kCommitLatencyBoundsUs, us)];
    ++batch_ops_buckets[bucket_of(kBatchOpsBounds, ops)];
    total_batch_ops += ops;
    last_batch_requests = requests;
    max_batch_requests = requests > max_batch_requests ? requests : max_batch_requests;
    last_batch_ops = ops;
    max_batch_ops = ops > max_batch_ops ? ops : max_batch_ops;
  }

 private:
  // The first bucket whose upper bound holds `value`; bounds.size() (the +Inf bucket) if none.
  template <std::size_t N>
  static std::size_t bucket_of(const std::array<std::uint64_t, N>& bounds, std::uint64_t value) noexcept {
    std::size_t bucket = 0;
    while (bucket < N && value > bounds[bucket]) ++bucket;
    return bucket;
  }
};

}  // namespace otter::storage
