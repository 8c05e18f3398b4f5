#include "server/metrics.hpp"

#include <algorithm>
#include <cstdio>
#include <string_view>

namespace otter::server {

namespace metrics_detail {

std::size_t shard_of_this_thread() noexcept {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t shard = next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return shard;
}

}  // namespace metrics_detail

std::uint64_t Counter::value() const noexcept {
  std::uint64_t total = 0;
  for (const Shard& shard : shards_) total += shard.value.load(std::memory_order_relaxed);
  return total;
}

// One shard: its own buckets, sum and count, on lines no other shard touches.
struct alignas(metrics_detail::kCacheLine) Histogram::Shard {
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets;
  std::atomic<std::uint64_t> sum{0};
  std::atomic<std::uint64_t> count{0};
};

Histogram::Histogram(std::span<const std::uint64_t> bounds_us)
    : bounds_(bounds_us.begin(), bounds_us.end()), shards_(new Shard[metrics_detail::kShards]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (std::size_t i = 0; i < metrics_detail::kShards; ++i) {
    shards_[i].buckets.reset(new std::atomic<std::uint64_t>[bounds_.size() + 1]);
    for (std::size_t b = 0; b <= bounds_.size(); ++b) shards_[i].buckets[b].store(0, std::memory_order_relaxed);
  }
}

Histogram::~Histogram() = default;

void Histogram::observe(std::chrono::microseconds value) noexcept {
  observe_value(value.count() < 0 ? 0 : static_cast<std::uint64_t>(value.count()));
}

void Histogram::observe_value(std::uint64_t value) noexcept {
  const std::size_t bucket = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                                      bounds_.begin());
  Shard& shard = shards_[metrics_detail::shard_of_this_thread()];
  shard.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  shard.sum.fetch_add(value, std::memory_order_relaxed);
  shard.count.fetch_add(1, std::memory_order_relaxed);
}

HistogramSnapshot Histogram::snapshot() const {
  HistogramSnapshot snap;
  snap.bounds_us = bounds_;
  snap.counts.assign(bounds_.size() + 1, 0);
  for (std::size_t i = 0; i < metrics_detail::kShards; ++i) {
    for (std::size_t b = 0; b <= bounds_.size(); ++b) {
      snap.counts[b] += shards_[i].buckets[b].load(std::memory_order_relaxed);
    }
    snap.sum_us += shards_[i].sum.load(std::memory_order_relaxed);
    snap.count += shards_[i].count.load(std::memory_order_relaxed);
  }
  return snap;
}

namespace {

class Exposition {
 public:
  void counter(std::string_view name, std::string_view help, std::uint64_t value) {
    header(name, help, "counter");
    line(name, "", std::to_string(value));
  }
  void gauge(std::string_view name, std::string_view help, std::int64_t value) {
    header(name, help, "gauge");
    line(name, "", std::to_string(value));
  }
  // `counts` per bucket, not cumulative; the last one is +Inf. `scale` turns a bound and
  // the sum into the exposed unit (1e-6 for microseconds -> seconds, 1 for plain counts).
  void histogram(std::string_view name, std::string_view help, const std::vector<std::uint64_t>& bounds,
                 const std::vector<std::uint64_t>& counts, std::uint64_t sum, std::uint64_t count, double scale) {
    header(name, help, "histogram");
    std::uint64_t cumulative = 0;
    const std::string bucket_name = std::string(name) + "_bucket";
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      cumulative += counts[i];
      line(bucket_name, "{le=\"" + number(static_cast<double>(bounds[i]) * scale) + "\"}", std::to_string(cumulative));
    }
    cumulative += counts.empty() ? 0 : counts.back();
    line(bucket_name, "{le=\"+Inf\"}", std::to_string(cumulative));
    line(std::string(name) + "_sum", "", number(static_cast<double>(sum) * scale));
    line(std::string(name) + "_count", "", std::to_string(count));
  }
  [[nodiscard]] std::string take() { return std::move(text_); }

 private:
  static std::string number(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.9g", value);
    return buffer;
  }
  void header(std::string_view name, std::string_view help, std::string_view type) {
    text_.append("# HELP ").append(name).append(" ").append(help).append("\n");
    text_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  }
  void line(std::string_view name, std::string_view labels, std::string_view value) {
    text_.append(name).append(labels).append(" ").append(value).append("\n");
  }
  std::string text_;
};

}  // namespace

std::string render_prometheus(const Metrics& m, const storage::WriterMetrics& w) {
  Exposition out;
  out.gauge("otter_documents_open", "Document processes alive (loading or loaded).", m.documents_open.value());
  out.gauge("otter_sessions_open", "Session processes alive (one per WebSocket connection).", m.sessions_open.value());
  out.counter("otter_document_loads_total", "Documents loaded from storage.", m.document_loads.value());
  out.counter("otter_document_restarts_total",
              "Document processes that crashed and were restarted by their supervisor.", m.document_restarts.value());
  out.counter("otter_documents_idled_total", "Document processes stopped by their idle timeout.",
              m.documents_idled.value());
  out.counter("otter_ops_applied_total", "Ops applied, made durable and published.", m.ops_applied.value());
  out.counter("otter_ops_duplicate_total", "Resent ops answered with their original revision.",
              m.ops_duplicate.value());
  out.counter("otter_ops_rejected_total", "Ops answered with an error and not applied.", m.ops_rejected.value());
  out.counter("otter_batches_published_total", "Durable batches published to sessions.",
              m.batches_published.value());
  const HistogramSnapshot latency = m.op_latency.snapshot();
  out.histogram("otter_op_durable_seconds", "Time from applying an op to its commit being acknowledged.",
                latency.bounds_us, latency.counts, latency.sum_us, latency.count, 1e-6);
  out.counter("otter_frames_sent_total", "WebSocket frames handed to connections.", m.frames_sent.value());
  out.counter("otter_bytes_sent_total", "Bytes of WebSocket frames handed to connections.", m.bytes_sent.value());
  out.counter("otter_protocol_errors_total", "Error messages sent to clients.", m.protocol_errors.value());
  out.counter("otter_rate_limited_total", "Ops refused with rate_limited.", m.rate_limited.value());
  out.counter("otter_slow_consumers_total", "Sessions closed with slow_consumer.", m.slow_consumers.value());
  out.counter("otter_session_crashes_total", "Session processes that crashed.", m.session_crashes.value());

  out.counter("otter_storage_commits_total", "Storage transactions committed.", w.commits);
  out.counter("otter_storage_failed_commits_total", "Storage transactions that failed as a whole.",
              w.failed_commits);
  out.counter("otter_storage_requests_committed_total", "Write requests acknowledged as durable.",
              w.requests_committed);
  out.counter("otter_storage_requests_failed_total", "Write requests acknowledged with an error.",
              w.requests_failed);
  out.counter("otter_storage_ops_committed_total", "Ops made durable.", w.ops_committed);
  out.counter("otter_storage_snapshots_committed_total", "Snapshots made durable.", w.snapshots_committed);
  out.counter("otter_storage_rejected_queue_full_total", "Write requests refused because the queue was full.",
              w.rejected_queue_full);
  out.gauge("otter_storage_queue_depth", "Write requests waiting for the storage writer.",
            static_cast<std::int64_t>(w.queue_depth));
  const std::vector<std::uint64_t> commit_bounds(storage::WriterMetrics::kCommitLatencyBoundsUs.begin(),
                                                 storage::WriterMetrics::kCommitLatencyBoundsUs.end());
  const std::vector<std::uint64_t> commit_counts(w.commit_latency_buckets.begin(), w.commit_latency_buckets.end());
  out.histogram("otter_storage_commit_seconds", "Time of one storage transaction, fsync included.", commit_bounds,
                commit_counts, w.total_commit_us, w.commits + w.failed_commits, 1e-6);
  const std::vector<std::uint64_t> batch_bounds(storage::WriterMetrics::kBatchOpsBounds.begin(),
                                                storage::WriterMetrics::kBatchOpsBounds.end());
  const std::vector<std::uint64_t> batch_counts(w.batch_ops_buckets.begin(), w.batch_ops_buckets.end());
  out.histogram("otter_storage_batch_ops", "Ops per storage transaction (group commit).", batch_bounds, batch_counts,
                w.total_batch_ops, w.commits + w.failed_commits, 1.0);
  out.gauge("otter_storage_last_batch_ops", "Ops in the last storage transaction.",
            static_cast<std::int64_t>(w.last_batch_ops));
  out.gauge("otter_storage_max_batch_ops", "Most ops in one storage transaction so far.",
            static_cast<std::int64_t>(w.max_batch_ops));
  out.gauge("otter_storage_last_batch_requests", "Write requests in the last storage transaction.",
            static_cast<std::int64_t>(w.last_batch_requests));
  return out.take();
}

}  // namespace otter::server
