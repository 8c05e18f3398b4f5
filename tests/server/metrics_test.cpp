#include "server/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace otter::server {
namespace {

TEST(MetricsTest, ACounterSumsWhatEveryThreadAdded) {
  Counter counter;
  constexpr int kThreads = 8;
  constexpr int kAdds = 10'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&counter] {
      for (int i = 0; i < kAdds; ++i) counter.add();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter.value(), std::uint64_t{kThreads} * kAdds);
}

TEST(MetricsTest, AHistogramPutsEachValueInTheFirstBucketThatHoldsIt) {
  const std::uint64_t bounds[] = {10, 100};
  Histogram histogram(bounds);
  histogram.observe_value(5);
  histogram.observe_value(10);   // le=10 includes 10
  histogram.observe_value(11);
  histogram.observe_value(1000);  // +Inf
  const HistogramSnapshot snapshot = histogram.snapshot();
  EXPECT_EQ(snapshot.counts, (std::vector<std::uint64_t>{2, 1, 1}));
  EXPECT_EQ(snapshot.sum_us, 1026U);
  EXPECT_EQ(snapshot.count, 4U);
}

TEST(MetricsTest, TheExpositionHasHelpTypeAndCumulativeBucketsInSeconds) {
  Metrics metrics;
  metrics.ops_applied.add(5);
  metrics.sessions_open.add(2);
  metrics.op_latency.observe(std::chrono::microseconds{200});
  metrics.op_latency.observe(std::chrono::microseconds{3'000});
  storage::WriterMetrics writer;
  writer.commits = 7;
  writer.commit_latency_buckets[0] = 3;
  writer.commit_latency_buckets[1] = 4;
  writer.total_commit_us = 1'500;
  writer.batch_ops_buckets[0] = 5;   // 5 transactions of one op
  writer.batch_ops_buckets[4] = 2;   // 2 of 11-20 ops
  writer.total_batch_ops = 5 + 30;
  const std::string text = render_prometheus(metrics, writer);

  EXPECT_NE(text.find("# TYPE otter_ops_applied_total counter\notter_ops_applied_total 5\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE otter_sessions_open gauge\notter_sessions_open 2\n"), std::string::npos);
  EXPECT_NE(text.find("otter_op_durable_seconds_bucket{le=\"0.0001\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("otter_op_durable_seconds_bucket{le=\"0.00025\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("otter_op_durable_seconds_bucket{le=\"0.005\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("otter_op_durable_seconds_bucket{le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("otter_op_durable_seconds_sum 0.0032\n"), std::string::npos);
  EXPECT_NE(text.find("otter_op_durable_seconds_count 2\n"), std::string::npos);
  EXPECT_NE(text.find("otter_storage_commit_seconds_bucket{le=\"0.00025\"} 7\n"), std::string::npos);
  EXPECT_NE(text.find("otter_storage_commits_total 7\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE otter_storage_batch_ops histogram\n"), std::string::npos);
  EXPECT_NE(text.find("otter_storage_batch_ops_bucket{le=\"1\"} 5\n"), std::string::npos);
  EXPECT_NE(text.find("otter_storage_batch_ops_bucket{le=\"10\"} 5\n"), std::string::npos);
  EXPECT_NE(text.find("otter_storage_batch_ops_bucket{le=\"20\"} 7\n"), std::string::npos);
  EXPECT_NE(text.find("otter_storage_batch_ops_bucket{le=\"+Inf\"} 7\n"), std::string::npos);
  EXPECT_NE(text.find("otter_storage_batch_ops_sum 35\n"), std::string::npos);
  EXPECT_NE(text.find("otter_storage_batch_ops_count 7\n"), std::string::npos);
  // Every sample line belongs to a declared metric.
  EXPECT_EQ(text.back(), '\n');
}

}  // namespace
}  // namespace otter::server
