// StorageService: the document service's one door to storage. It owns the Store the
// group-commit writer uses, the StorageWriter, a pool of reader connections and the
// TaskSupervisor whose blocking threads run every read — so no process handler ever waits
// on the disk.
//
//   auto storage = StorageService::open_sqlite(runtime, {.path = "otter.db"});
//   // from a document process (never blocks; the answer is a message to `self()`):
//   storage->load(self(), "notes", {.history = 1000, .create_if_missing = true});
//   storage->append(write, [rt, pid](storage::Expected<void> r) noexcept { rt->send(pid, Done{r}); });
//   // from a plain thread or a task (the REST API): blocking
//   storage->list_documents();  storage->text_at("notes", 42);
//
// Contract
// - load(reply_to, id, options) runs on a blocking thread and sends reply_to exactly one
//   DocumentLoaded (unless reply_to exits first: the answer is then dropped). It FIRST
//   flushes the writer: a document process restarted after a crash must see every write
//   its previous incarnation had handed to the writer, committed or still queued —
//   otherwise it would reload an older head, re-issue revisions that are about to be
//   committed, and its writes would fail with duplicate_revision (or, worse, acked ops of
//   the old incarnation would be missing from what it serves). The old incarnation is
//   dead before the new one starts (supervisor + registry ordering), so everything it
//   submitted was submitted before this flush began.
// - append() is StorageWriter::submit: queued or refused at once (queue_full,
//   writer_stopped); the completion runs ON THE WRITER THREAD, exactly once, and must only
//   post a message (Runtime::send) to the process that asked.
// - The blocking members (create_document ... text_at) may not be called from inside a
//   process handler: they throw std::logic_error there. Call them from a plain thread or
//   from a task (tasks().async_nolink(...)). They use reader connections of their own
//   (SQLite WAL lets them read while the writer commits); create and delete take the
//   database's write lock briefly, queueing behind a commit.
// - delete_document flushes the writer first, so no write queued for the document can
//   commit after the delete. Stop the document's process first (Documents::remove does).
//
// Lifecycle: open, use, stop() (or destroy): the task supervisor is shut down (running
// reads finish), then the writer commits everything queued and joins. Construct after the
// Runtime, stop before it; stop after the processes that use it have exited.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/pid.hpp"
#include "core/runtime.hpp"
#include "core/task_supervisor.hpp"
#include "storage/records.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/storage_writer.hpp"
#include "storage/store.hpp"

namespace otter::server {

struct StorageOptions {
  std::string path = "otter.db";
  storage::SqliteOptions sqlite{};
  storage::WriterOptions writer{};
  unsigned blocking_threads = 2;  // threads for loads and the blocking API
};

struct LoadOptions {
  // Read at least this many of the newest ops (from before the latest snapshot if need
  // be): the history a reloaded process can serve late clients from.
  std::size_t history = 0;
  // A missing document is created (empty, revision 0) instead of reported missing.
  bool create_if_missing = false;
};

// A document as a process rebuilds it: replay `ops` over `base_text` (at base_revision),
// then restore every client record.
struct LoadedState {
  std::string base_text;
  std::uint64_t base_revision = 0;
  std::vector<storage::StoredOp> ops;  // base_revision + 1 ..= head, dense
  std::vector<storage::ClientSeq> clients;
  std::uint64_t snapshot_revision = 0;  // the latest snapshot's (0: none)
  bool created = false;                 // this load created the document
  [[nodiscard]] std::uint64_t head_revision() const noexcept {
    return ops.empty() ? base_revision : ops.back().revision;
  }
};

// The answer to load(), sent to the requesting process. nullopt: no such document (and
// create_if_missing was false).
struct DocumentLoaded {
  std::string doc;
  storage::Expected<std::optional<LoadedState>> result;
};

// Opens a reader connection (one per blocking thread at most, reused).
using StoreFactory = std::function<storage::Expected<std::unique_ptr<storage::Store>>()>;

class StorageService {
 public:
  // The SQLite service: the file at options.path (created if missing), a writer connection
  // and reader connections opened on demand.
  [[nodiscard]] static storage::Expected<std::unique_ptr<StorageService>> open_sqlite(core::Runtime& runtime,
                                                                                       StorageOptions options);
  // Any Store (tests wrap SQLite to hold commits back): `writer_store` is used only by the
  // writer thread; `open_reader` makes the connections reads run on.
  StorageService(core::Runtime& runtime, std::unique_ptr<storage::Store> writer_store, StoreFactory open_reader,
                 storage::WriterOptions writer_options = {}, unsigned blocking_threads = 2);
  ~StorageService();
  StorageService(const StorageService&) = delete;
  StorageService& operator=(const StorageService&) = delete;

  // --- asynchronous: from processes ------------------------------------------------------
  void load(core::Pid reply_to, std::string doc_id, LoadOptions options);
  [[nodiscard]] storage::Expected<void> append(storage::DocumentWrite write,
                                               storage::StorageWriter::Completion on_durable);

  // --- blocking: plain threads and tasks only --------------------------------------------
  [[nodiscard]] storage::Expected<void> create_document(std::string_view id);
  [[nodiscard]] storage::Expected<void> delete_document(std::string_view id);
  [[nodiscard]] storage::Expected<std::vector<storage::DocumentInfo>> list_documents();
  [[nodiscard]] storage::Expected<storage::DocumentInfo> document_info(std::string_view id);
  [[nodiscard]] storage::Expected<std::vector<storage::StoredOp>> ops_since(std::string_view id,
                                                                            std::uint64_t revision,
                                                                            std::size_t limit);
  [[nodiscard]] storage::Expected<std::string> text_at(std::string_view id, std::uint64_t revision);
  // Blocks until every write submitted before the call has completed.
  void flush();

  [[nodiscard]] storage::WriterMetrics writer_metrics() const { return writer_.metrics(); }
  [[nodiscard]] core::TaskSupervisor& tasks() noexcept { return tasks_; }

  // Shuts the task supervisor down, then stops the writer (commits what is queued).
  // Idempotent; not from inside a process.
  void stop();

 private:
  class ReaderLease;
  [[nodiscard]] storage::Expected<ReaderLease> lease_reader();
  void give_back(std::unique_ptr<storage::Store> reader);
  [[nodiscard]] storage::Expected<std::optional<LoadedState>> load_now(const std::string& doc_id,
                                                                       const LoadOptions& options);

  core::Runtime& runtime_;
  std::unique_ptr<storage::Store> writer_store_;
  StoreFactory open_reader_;
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<storage::Store>> idle_readers_;  // guarded by readers_mutex_
  storage::StorageWriter writer_;  // after writer_store_: stopped before it is destroyed
  core::TaskSupervisor tasks_;
  std::once_flag stop_once_;
};

}  // namespace otter::server
