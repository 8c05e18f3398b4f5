// StorageWriter: group commit. One dedicated thread owns every write to a Store; callers
// (document processes) submit write requests and hear back through a completion once the
// request is durable, and many requests share one transaction — one fsync for many ops
// across many documents.
//
//   submit(write, done) ──► bounded queue ──► writer thread:
//                                              take everything queued (up to max_batch_ops)
//                                              Store::append(batch)      one transaction
//                                              done(result) for each request, in order
//
// Contract
// - submit() never blocks on I/O. It queues the request, or refuses it at once with
//   queue_full (the queue holds max_queued_requests; the caller backs off or fails its
//   client) or writer_stopped (after stop() began). A refused request's completion is
//   never called; an accepted request's completion is called EXACTLY ONCE, with success
//   (durable per the store's Durability, storage/durability.hpp) or with the error of its
//   own write (duplicate_revision, revision_gap, not_found, ...) or of its whole batch
//   (database_error, database_busy). Nothing is retried: a document process that hears an
//   error crashes and reloads from storage (DESIGN.md, "Failure model").
// - Completions run ON THE WRITER THREAD, in submission order, after the commit, with no
//   lock held. They must be short and must not throw (the call is noexcept: a throw
//   terminates): the server's completion only posts a message to the document process's
//   mailbox. A completion must not call flush() or stop() (they would wait for itself).
// - Requests of one document are committed in submission order, so a process may submit
//   revisions 5..7 and then 8..9 before the first is acked.
// - Batching: the thread takes every queued request, up to max_batch_ops ops per
//   transaction (always at least one request, never splitting one). With max_wait = 0 it
//   commits at once; requests that arrive during a commit form the next batch, so the
//   batch grows with the load on its own. max_wait > 0 holds a batch open up to that long
//   for more requests (fewer fsyncs, higher latency); flush() and stop() cut it short.
// - flush() blocks until every request submitted before the call has completed (its
//   completion has returned). stop() refuses new requests, commits everything queued, runs
//   its completions and joins the thread; it is idempotent, and the destructor calls it.
//   After stop() returns the writer thread no longer touches the store.
// - The Store must outlive the writer, and while the writer runs only its thread may use
//   that Store object (open another connection to read).
//
// Threading: submit(), flush(), metrics() may be called from any thread concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/expected.hpp"
#include "storage/records.hpp"
#include "storage/store.hpp"
#include "storage/writer_metrics.hpp"

namespace otter::storage {

struct WriterOptions {
  static constexpr std::size_t kDefaultMaxQueuedRequests = 10'000;
  static constexpr std::size_t kDefaultMaxBatchOps = 5'000;

  std::size_t max_queued_requests = kDefaultMaxQueuedRequests;  // >= 1
  std::size_t max_batch_ops = kDefaultMaxBatchOps;              // >= 1; ops per transaction
  std::chrono::microseconds max_wait{0};                        // hold a batch open for more
};

class StorageWriter {
 public:
  // The result of one request; called on the writer thread (see above).
  using Completion = std::function<void(Expected<void>)>;

  // Starts the writer thread. Throws std::invalid_argument on a zero limit in options.
  explicit StorageWriter(Store& store, WriterOptions options = {});
  ~StorageWriter();
  StorageWriter(const StorageWriter&) = delete;
  StorageWriter& operator=(const StorageWriter&) = delete;

  // Queues `write`; `on_durable` is called once it is committed or has failed. Errors
  // (returned here, completion not called): queue_full, writer_stopped.
  [[nodiscard]] Expected<void> submit(DocumentWrite write, Completion on_durable);

  // Blocks until everything submitted before the call has completed. Not from a completion.
  void flush();
  // Stops taking requests, commits and completes everything queued, joins the thread.
  void stop();

  [[nodiscard]] WriterMetrics metrics() const;
  [[nodiscard]] const WriterOptions& options() const noexcept { return options_; }

 private:
  struct Pending {
    DocumentWrite write;
    Completion on_durable;
  };

  void run();
  // Waits for work and moves the next batch out of the queue; false when stopped and empty.
  [[nodiscard]] bool take_batch(std::vector<Pending>& batch);
  void commit(std::vector<Pending>& batch);
  void throw_if_on_writer_thread(const char* what) const;

  Store& store_;
  const WriterOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable work_ready_;  // the writer waits: requests queued, flush, stop
  std::condition_variable completed_;   // flush() waits: completed_count_ grew
  std::deque<Pending> queue_;
  std::size_t queued_ops_ = 0;
  std::uint64_t submitted_count_ = 0;
  std::uint64_t completed_count_ = 0;
  std::size_t flush_waiters_ = 0;  // > 0: commit now, do not hold the batch for max_wait
  bool stopping_ = false;
  WriterMetrics metrics_;

  std::once_flag join_once_;
  std::thread thread_;  // last: started once everything above is constructed
};

}  // namespace otter::storage
