#include "storage/storage_writer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "storage/sqlite_store.hpp"
#include "storage_testing.hpp"

namespace otter::storage {
namespace {

using testing::append_op;
using testing::open_store;
using testing::stored;
using testing::TempDir;

// A safety net for waits that must end quickly when the code works; never a way to
// synchronise (every wait below is on a promise the code under test fulfils).
constexpr std::chrono::seconds kHangLimit{60};

// One single-op write: append `text` (one code point here) at revision `revision`.
DocumentWrite one_op(const std::string& id, std::uint64_t revision, std::string_view text = "x") {
  return DocumentWrite{id, {stored(revision, append_op(revision - 1, text))}, std::nullopt};
}

// Holds the writer thread inside a completion until released: everything submitted
// meanwhile is queued, which makes batching deterministic without sleeping.
class WriterGate {
 public:
  StorageWriter::Completion completion() {
    return [this](const Expected<void>& result) {
      ok_ = result.has_value();
      entered_.set_value();
      release_future_.wait();
    };
  }
  void wait_until_holding() { ASSERT_EQ(entered_.get_future().wait_for(kHangLimit), std::future_status::ready); }
  void release() { release_.set_value(); }
  [[nodiscard]] bool ok() const { return ok_; }

 private:
  std::promise<void> entered_;
  std::promise<void> release_;
  std::shared_future<void> release_future_ = release_.get_future().share();
  bool ok_ = false;  // written on the writer thread before entered_, read after it
};

class StorageWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteOptions options;
    options.durability = Durability::normal;
    store_ = open_store(path_, options);
  }
  void create(const std::string& id) { ASSERT_TRUE(store_->create_document(id)); }
  // A second connection, to read what the writer committed.
  [[nodiscard]] std::unique_ptr<SqliteStore> reader() const { return open_store(path_); }

  TempDir dir_;
  std::string path_ = dir_.file("writer.db");
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(StorageWriterTest, BatchesABurstOfConcurrentSubmissionsIntoFewerTransactions) {
  constexpr std::size_t kThreads = 4;
  constexpr std::uint64_t kOpsPerThread = 50;
  create("gate");
  for (std::size_t t = 0; t < kThreads; ++t) create("doc-" + std::to_string(t));

  StorageWriter writer(*store_);
  WriterGate gate;
  ASSERT_TRUE(writer.submit(one_op("gate", 1), gate.completion()));
  gate.wait_until_holding();  // the writer sits in the gate's completion

  std::vector<std::atomic<int>> calls(kThreads * kOpsPerThread);
  std::atomic<int> failures{0};
  std::vector<std::thread> submitters;
  for (std::size_t t = 0; t < kThreads; ++t) {
    submitters.emplace_back([&, t] {
      for (std::uint64_t r = 1; r <= kOpsPerThread; ++r) {
        const std::size_t slot = t * kOpsPerThread + (r - 1);
        const Expected<void> queued = writer.submit(one_op("doc-" + std::to_string(t), r),
                                                    [&calls, &failures, slot](const Expected<void>& result) {
                                                      calls[slot].fetch_add(1);
                                                      if (!result) failures.fetch_add(1);
                                                    });
        if (!queued) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& submitter : submitters) submitter.join();
  gate.release();
  writer.flush();

  EXPECT_TRUE(gate.ok());
  EXPECT_EQ(failures.load(), 0);
  for (std::size_t slot = 0; slot < calls.size(); ++slot) EXPECT_EQ(calls[slot].load(), 1) << "request " << slot;

  const WriterMetrics metrics = writer.metrics();
  const std::uint64_t submissions = 1 + kThreads * kOpsPerThread;
  // The gate's batch, then everything that queued behind it as one transaction.
  EXPECT_LE(metrics.commits, 2U);
  EXPECT_LT(metrics.commits, submissions);
  EXPECT_EQ(metrics.requests_committed, submissions);
  EXPECT_EQ(metrics.ops_committed, submissions);
  EXPECT_GE(metrics.max_batch_requests, kThreads * kOpsPerThread / 2);

  auto check = reader();
  for (std::size_t t = 0; t < kThreads; ++t) {
    EXPECT_EQ(check->document_info("doc-" + std::to_string(t))->head_revision, kOpsPerThread);
  }
}

TEST_F(StorageWriterTest, CompletionsRunOnTheWriterThreadInSubmissionOrder) {
  create("doc");
  StorageWriter writer(*store_);
  std::mutex mutex;
  std::vector<std::uint64_t> order;
  std::vector<std::thread::id> threads;
  for (std::uint64_t r = 1; r <= 20; ++r) {
    ASSERT_TRUE(writer.submit(one_op("doc", r), [&, r](const Expected<void>& result) {
      EXPECT_TRUE(result);
      const std::lock_guard lock(mutex);
      order.push_back(r);
      threads.push_back(std::this_thread::get_id());
    }));
  }
  writer.flush();
  const std::lock_guard lock(mutex);
  ASSERT_EQ(order.size(), 20U);
  for (std::uint64_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], i + 1);
  for (const std::thread::id id : threads) {
    EXPECT_EQ(id, threads.front());
    EXPECT_NE(id, std::this_thread::get_id());
  }
}

TEST_F(StorageWriterTest, RefusesWithQueueFullWhenTheQueueIsAtItsLimit) {
  create("gate");
  create("doc");
  WriterOptions options;
  options.max_queued_requests = 4;
  StorageWriter writer(*store_, options);
  WriterGate gate;
  ASSERT_TRUE(writer.submit(one_op("gate", 1), gate.completion()));
  gate.wait_until_holding();  // the gate's request left the queue; the writer is busy

  std::atomic<int> calls{0};
  const auto count = [&calls](const Expected<void>&) { calls.fetch_add(1); };
  for (std::uint64_t r = 1; r <= 4; ++r) ASSERT_TRUE(writer.submit(one_op("doc", r), count));
  bool rejected_called = false;
  const Expected<void> rejected =
      writer.submit(one_op("doc", 5), [&rejected_called](const Expected<void>&) { rejected_called = true; });
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error(),
            (Error{ErrorCode::queue_full, "the storage writer's queue is full (4 requests waiting); retry later"}));
  EXPECT_EQ(writer.metrics().rejected_queue_full, 1U);
  EXPECT_EQ(writer.metrics().queue_depth, 4U);

  gate.release();
  writer.flush();
  EXPECT_EQ(calls.load(), 4);
  EXPECT_FALSE(rejected_called);
  EXPECT_EQ(writer.metrics().queue_depth, 0U);
  ASSERT_TRUE(writer.submit(one_op("doc", 5), count));  // room again
  writer.flush();
  EXPECT_EQ(reader()->document_info("doc")->head_revision, 5U);
}

TEST_F(StorageWriterTest, AFailedRequestHearsItsOwnErrorAndTheRestOfItsBatchCommits) {
  create("gate");
  create("doc");
  StorageWriter writer(*store_);
  WriterGate gate;
  ASSERT_TRUE(writer.submit(one_op("gate", 1), gate.completion()));
  gate.wait_until_holding();

  std::vector<Expected<void>> results(4, Expected<void>{});
  std::atomic<int> calls{0};
  const auto record = [&](std::size_t i) {
    return [&, i](Expected<void> result) {
      results[i] = std::move(result);
      calls.fetch_add(1);
    };
  };
  ASSERT_TRUE(writer.submit(one_op("doc", 1), record(0)));
  ASSERT_TRUE(writer.submit(one_op("doc", 1), record(1)));  // a second revision 1
  ASSERT_TRUE(writer.submit(one_op("nobody", 1), record(2)));
  ASSERT_TRUE(writer.submit(one_op("doc", 2), record(3)));
  gate.release();
  writer.flush();

  ASSERT_EQ(calls.load(), 4);
  EXPECT_TRUE(results[0]);
  ASSERT_FALSE(results[1]);
  EXPECT_EQ(results[1].error().code, ErrorCode::duplicate_revision);
  ASSERT_FALSE(results[2]);
  EXPECT_EQ(results[2].error().code, ErrorCode::not_found);
  EXPECT_TRUE(results[3]);
  const WriterMetrics metrics = writer.metrics();
  EXPECT_EQ(metrics.requests_committed, 3U);  // gate + 2
  EXPECT_EQ(metrics.requests_failed, 2U);
  EXPECT_EQ(metrics.failed_commits, 0U);
}

TEST_F(StorageWriterTest, MaxWaitHoldsABatchOpenUntilItIsFull) {
  create("doc");
  WriterOptions options;
  options.max_wait = std::chrono::hours(1);  // only a full batch can end the wait
  options.max_batch_ops = 5;
  StorageWriter writer(*store_, options);
  std::atomic<int> calls{0};
  std::promise<void> all_done;
  for (std::uint64_t r = 1; r <= 5; ++r) {
    ASSERT_TRUE(writer.submit(one_op("doc", r), [&](const Expected<void>&) {
      if (calls.fetch_add(1) + 1 == 5) all_done.set_value();
    }));
  }
  ASSERT_EQ(all_done.get_future().wait_for(kHangLimit), std::future_status::ready);
  EXPECT_EQ(writer.metrics().commits, 1U);
  EXPECT_EQ(writer.metrics().last_batch_ops, 5U);
}

TEST_F(StorageWriterTest, FlushCutsMaxWaitShort) {
  create("doc");
  WriterOptions options;
  options.max_wait = std::chrono::hours(1);
  StorageWriter writer(*store_, options);
  bool done = false;
  ASSERT_TRUE(writer.submit(one_op("doc", 1), [&done](const Expected<void>& result) { done = result.has_value(); }));
  writer.flush();  // would take an hour if the wait were not cut short
  EXPECT_TRUE(done);
  EXPECT_EQ(writer.metrics().commits, 1U);
}

TEST_F(StorageWriterTest, BatchesNeverExceedMaxBatchOpsButNeverSplitARequest) {
  create("gate");
  create("doc");
  WriterOptions options;
  options.max_batch_ops = 3;
  StorageWriter writer(*store_, options);
  WriterGate gate;
  ASSERT_TRUE(writer.submit(one_op("gate", 1), gate.completion()));
  gate.wait_until_holding();
  // 2 + 2 + 5 + 1 ops: batches {2}, {2}, {5} (alone, unsplit), {1}.
  std::uint64_t revision = 0;
  const auto ops = [&revision](std::size_t n) {
    std::vector<StoredOp> out;
    for (std::size_t i = 0; i < n; ++i, ++revision) out.push_back(stored(revision + 1, append_op(revision, "x")));
    return out;
  };
  for (const std::size_t n : {2U, 2U, 5U, 1U}) {
    ASSERT_TRUE(writer.submit(DocumentWrite{"doc", ops(n), std::nullopt},
                              [](const Expected<void>& result) { EXPECT_TRUE(result); }));
  }
  gate.release();
  writer.flush();
  const WriterMetrics metrics = writer.metrics();
  EXPECT_EQ(metrics.commits, 5U);  // the gate's, then four
  EXPECT_EQ(metrics.max_batch_ops, 5U);
  EXPECT_EQ(metrics.ops_committed, 11U);
  EXPECT_EQ(reader()->document_info("doc")->head_revision, 10U);
}

TEST_F(StorageWriterTest, StopCommitsEverythingQueuedAndThenRefusesNewRequests) {
  create("doc");
  WriterOptions options;
  options.max_wait = std::chrono::hours(1);
  StorageWriter writer(*store_, options);
  std::atomic<int> calls{0};
  for (std::uint64_t r = 1; r <= 10; ++r) {
    ASSERT_TRUE(writer.submit(one_op("doc", r), [&calls](const Expected<void>&) { calls.fetch_add(1); }));
  }
  writer.stop();
  EXPECT_EQ(calls.load(), 10);
  EXPECT_EQ(store_->document_info("doc")->head_revision, 10U);  // the writer is done with it

  const Expected<void> late = writer.submit(one_op("doc", 11), [](const Expected<void>&) { FAIL(); });
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error(), (Error{ErrorCode::writer_stopped, "the storage writer is stopped"}));
  writer.stop();   // idempotent
  writer.flush();  // nothing to wait for
}

TEST_F(StorageWriterTest, ASnapshotTravelsWithItsOps) {
  create("doc");
  StorageWriter writer(*store_);
  DocumentWrite write = one_op("doc", 1, "é");
  write.snapshot = Snapshot{1, "é"};
  ASSERT_TRUE(writer.submit(std::move(write), [](const Expected<void>& result) { EXPECT_TRUE(result); }));
  writer.flush();
  EXPECT_EQ(reader()->load("doc")->snapshot, (Snapshot{1, "é"}));
  EXPECT_EQ(writer.metrics().snapshots_committed, 1U);
}

TEST_F(StorageWriterTest, MetricsAddUp) {
  create("doc");
  StorageWriter writer(*store_);
  for (std::uint64_t r = 1; r <= 30; ++r) {
    ASSERT_TRUE(writer.submit(one_op("doc", r), [](const Expected<void>&) {}));
    if (r % 7 == 0) writer.flush();
  }
  writer.flush();
  const WriterMetrics metrics = writer.metrics();
  std::uint64_t bucketed = 0;
  for (const std::uint64_t count : metrics.commit_latency_buckets) bucketed += count;
  EXPECT_EQ(bucketed, metrics.commits + metrics.failed_commits);
  EXPECT_GE(metrics.commits, 5U);  // at least one per flush
  EXPECT_LE(metrics.max_commit_us, metrics.total_commit_us);
  EXPECT_LE(metrics.last_commit_us, metrics.max_commit_us);
  EXPECT_EQ(metrics.ops_committed, 30U);
  EXPECT_EQ(metrics.queue_depth, 0U);
}

TEST_F(StorageWriterTest, ManyThreadsSubmitAndFlushAtOnce) {
  constexpr std::size_t kThreads = 4;
  constexpr std::uint64_t kOps = 150;
  for (std::size_t t = 0; t < kThreads; ++t) create("doc-" + std::to_string(t));
  StorageWriter writer(*store_);
  std::atomic<std::uint64_t> acked{0};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint64_t r = 1; r <= kOps; ++r) {
        const Expected<void> queued =
            writer.submit(one_op("doc-" + std::to_string(t), r), [&acked](const Expected<void>& result) {
              if (result) acked.fetch_add(1);
            });
        EXPECT_TRUE(queued);
        if (r % 25 == 0) writer.flush();
        if (r % 40 == 0) (void)writer.metrics();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  writer.stop();
  EXPECT_EQ(acked.load(), kThreads * kOps);
  for (std::size_t t = 0; t < kThreads; ++t) {
    EXPECT_EQ(store_->document_info("doc-" + std::to_string(t))->head_revision, kOps);
  }
}

// A Store whose transactions fail (or throw) as a whole: every request must still hear
// back exactly once, with the batch's error.
class FailingStore final : public Store {
 public:
  bool throw_instead = false;

  Expected<void> create_document(std::string_view) override { return {}; }
  Expected<void> delete_document(std::string_view) override { return {}; }
  Expected<std::vector<DocumentInfo>> list_documents() override { return std::vector<DocumentInfo>{}; }
  Expected<bool> document_exists(std::string_view) override { return false; }
  Expected<DocumentInfo> document_info(std::string_view) override { return DocumentInfo{}; }
  Expected<LoadedDocument> load(std::string_view) override { return LoadedDocument{}; }
  Expected<WriteResults> append(std::span<const DocumentWrite>) override {
    if (throw_instead) throw std::bad_alloc();
    return Error{ErrorCode::database_error, "disk I/O error"};
  }
  Expected<void> save_snapshot(std::string_view, std::uint64_t, std::string_view) override { return {}; }
  Expected<std::vector<StoredOp>> ops_since(std::string_view, std::uint64_t, std::size_t) override {
    return std::vector<StoredOp>{};
  }
  Expected<std::string> text_at(std::string_view, std::uint64_t) override { return std::string{}; }
};

TEST(StorageWriterFailures, AFailedTransactionFailsEveryRequestInItExactlyOnce) {
  for (const bool throws : {false, true}) {
    SCOPED_TRACE(throws ? "append throws" : "append fails");
    FailingStore store;
    store.throw_instead = throws;
    StorageWriter writer(store);
    std::vector<std::atomic<int>> calls(10);
    std::atomic<int> database_errors{0};
    for (std::size_t i = 0; i < calls.size(); ++i) {
      ASSERT_TRUE(writer.submit(one_op("doc", i + 1), [&, i](const Expected<void>& result) {
        calls[i].fetch_add(1);
        if (!result && result.error().code == ErrorCode::database_error) database_errors.fetch_add(1);
      }));
    }
    writer.stop();
    for (std::size_t i = 0; i < calls.size(); ++i) EXPECT_EQ(calls[i].load(), 1) << i;
    EXPECT_EQ(database_errors.load(), 10);
    EXPECT_EQ(writer.metrics().commits, 0U);
    EXPECT_GE(writer.metrics().failed_commits, 1U);
    EXPECT_EQ(writer.metrics().requests_failed, 10U);
  }
}

TEST(StorageWriterOptions, ZeroLimitsAreRejectedUpFront) {
  FailingStore store;
  WriterOptions no_queue;
  no_queue.max_queued_requests = 0;
  EXPECT_THROW({ const StorageWriter writer(store, no_queue); }, std::invalid_argument);
  WriterOptions no_batch;
  no_batch.max_batch_ops = 0;
  EXPECT_THROW({ const StorageWriter writer(store, no_batch); }, std::invalid_argument);
}

}  // namespace
}  // namespace otter::storage
