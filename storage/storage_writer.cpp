#include "storage/storage_writer.hpp"

#include <exception>
#include <stdexcept>
#include <utility>

namespace otter::storage {
namespace {

// Runs a completion; noexcept on purpose: a throwing completion is a bug that must not
// leave the other completions of the batch uncalled or the writer half-way (terminates).
void complete(StorageWriter::Completion& on_durable, Expected<void> result) noexcept {
  if (on_durable) on_durable(std::move(result));
}

// The writer whose thread this is (null on every other thread): how flush() and stop()
// recognise a call from a completion without touching thread_, which join() changes.
thread_local const StorageWriter* current_writer = nullptr;

}  // namespace

StorageWriter::StorageWriter(Store& store, WriterOptions options) : store_(store), options_(options) {
  if (options_.max_queued_requests == 0)
    throw std::invalid_argument("StorageWriter: max_queued_requests must be >= 1");
  if (options_.max_batch_ops == 0) throw std::invalid_argument("StorageWriter: max_batch_ops must be >= 1");
  thread_ = std::thread([this] { run(); });
}

StorageWriter::~StorageWriter() { stop(); }

Expected<void> StorageWriter::submit(DocumentWrite write, Completion on_durable) {
  {
    const std::lock_guard lock(mutex_);
    if (stopping_) return Error{ErrorCode::writer_stopped, "the storage writer is stopped"};
    if (queue_.size() >= options_.max_queued_requests) {
      ++metrics_.rejected_queue_full;
      return Error{ErrorCode::queue_full, "the storage writer's queue is full (" +
                                              std::to_string(options_.max_queued_requests) +
                                              " requests waiting); retry later"};
    }
    queued_ops_ += write.ops.size();
    queue_.push_back(Pending{std::move(write), std::move(on_durable)});
    ++submitted_count_;
    metrics_.queue_depth = queue_.size();
  }
  work_ready_.notify_one();
  return {};
}

void StorageWriter::flush() {
  throw_if_on_writer_thread("flush");
  std::unique_lock lock(mutex_);
  const std::uint64_t target = submitted_count_;
  if (completed_count_ >= target) return;
  ++flush_waiters_;
  work_ready_.notify_one();  // cut a max_wait short
  completed_.wait(lock, [&] { return completed_count_ >= target; });
  --flush_waiters_;
}

void StorageWriter::stop() {
  throw_if_on_writer_thread("stop");
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_one();
  // Concurrent or repeated stop() calls all return once the thread has been joined.
  std::call_once(join_once_, [this] { thread_.join(); });
}

WriterMetrics StorageWriter::metrics() const {
  const std::lock_guard lock(mutex_);
  return metrics_;
}

void StorageWriter::throw_if_on_writer_thread(const char* what) const {
  if (current_writer == this) {
    throw std::logic_error(std::string("StorageWriter::") + what +
                           " called from a completion, on the writer thread: it would wait for itself");
  }
}

void StorageWriter::run() {
  current_writer = this;
  std::vector<Pending> batch;
  while (take_batch(batch)) {
    commit(batch);
    const std::size_t done = batch.size();
    batch.clear();
    {
      const std::lock_guard lock(mutex_);
      completed_count_ += done;
    }
    completed_.notify_all();
  }
}

bool StorageWriter::take_batch(std::vector<Pending>& batch) {
  std::unique_lock lock(mutex_);
  work_ready_.wait(lock, [&] { return !queue_.empty() || stopping_; });
  if (queue_.empty()) return false;  // stopping, and everything is committed

  if (options_.max_wait.count() > 0) {
    // Hold the batch open for more requests, unless it is already full or someone waits.
    const auto deadline = std::chrono::steady_clock::now() + options_.max_wait;
    work_ready_.wait_until(lock, deadline, [&] {
      return queued_ops_ >= options_.max_batch_ops || stopping_ || flush_waiters_ > 0 ||
             queue_.size() >= options_.max_queued_requests;
    });
  }

  std::size_t ops = 0;
  while (!queue_.empty()) {
    const std::size_t next_ops = queue_.front().write.ops.size();
    if (!batch.empty() && ops + next_ops > options_.max_batch_ops) break;
    ops += next_ops;
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  queued_ops_ -= ops;
  metrics_.queue_depth = queue_.size();
  return true;
}

void StorageWriter::commit(std::vector<Pending>& batch) {
  std::vector<DocumentWrite> writes;
  writes.reserve(batch.size());
  std::uint64_t ops = 0;
  for (Pending& pending : batch) {
    ops += pending.write.ops.size();
    writes.push_back(std::move(pending.write));
  }

  const auto started = std::chrono::steady_clock::now();
  Expected<WriteResults> results = Error{ErrorCode::database_error, "the batch was not committed"};
  try {
    results = store_.append(writes);
  } catch (const std::exception& exception) {
    // Only allocation failure can get here; every request still hears back, exactly once.
    results = Error{ErrorCode::database_error, std::string("the batch failed: ") + exception.what()};
  }
  const auto latency =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);

  if (results && results->size() != batch.size()) {
    results = Error{ErrorCode::database_error, "the store answered " + std::to_string(results->size()) +
                                                   " results for a batch of " + std::to_string(batch.size())};
  }

  {
    const std::lock_guard lock(mutex_);
    metrics_.record_commit(latency, batch.size(), ops);
    if (!results) {
      ++metrics_.failed_commits;
      metrics_.requests_failed += batch.size();
    } else {
      ++metrics_.commits;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if ((*results)[i]) {
          ++metrics_.requests_committed;
          metrics_.ops_committed += writes[i].ops.size();
          if (writes[i].snapshot) ++metrics_.snapshots_committed;
        } else {
          ++metrics_.requests_failed;
        }
      }
    }
  }

  for (std::size_t i = 0; i < batch.size(); ++i) {
    complete(batch[i].on_durable, results ? std::move((*results)[i]) : Expected<void>(results.error()));
  }
}

}  // namespace otter::storage
