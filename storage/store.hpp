// Store: the durable home of every document — an op log plus periodic snapshots. The one
// interface the server codes against; SqliteStore (storage/sqlite_store.hpp) is the
// embedded implementation, a PostgreSQL one fills the same seam for clusters
// (docs/storage.md, "The PostgreSQL seam").
//
// Threading: every call BLOCKS on the database (disk I/O, locks, fsync). Call it only from
// the storage writer thread (StorageWriter) or from a task — never from a process handler,
// which would stall every process sharing its scheduler thread. One Store object is one
// connection: use it from one thread at a time; open another for another thread.
//
// Contract (every implementation)
// - Ids are validated first (storage/document_id.hpp): invalid_document_id.
// - A missing document is not_found, everywhere except create_document and
//   document_exists.
// - Revisions are dense per document: the ops of a document are revisions 1 ..= head with
//   no gap. append() accepts for a document only the revisions head + 1, head + 2, ...
//   in order: a revision <= head is duplicate_revision, one past head + 1 is revision_gap.
//   Behind that check sits a UNIQUE (document, revision) key in the database itself, so
//   two writers that both believe they own a document (two nodes, a stale process) cannot
//   both persist a revision: the second commit fails with duplicate_revision, whatever
//   either of them believed (DESIGN.md, "Failure model").
// - Each op must fit the text it follows: op.base_length() == the document's length at
//   the previous revision (length_mismatch otherwise). The length after an op is its
//   target_length(), so the store tracks lengths without replaying text.
// - append() commits a whole batch in ONE transaction (one fsync), and isolates its
//   documents: the writes of a batch succeed or fail one by one (a failed document leaves
//   no row behind, the others commit). Only a failure of the transaction itself (I/O,
//   busy) fails the whole call. The writes of a batch are applied in order, so two writes
//   of the same document in one batch chain.
// - A snapshot's text must be valid UTF-8 whose code-point count is the document's length
//   at its revision (invalid_snapshot); its revision must be <= head
//   (revision_out_of_range). Saving one again at the same revision replaces it.
//   Which snapshots are kept is the implementation's policy; ops are never removed, so
//   every revision stays reachable (text_at).
// - Ops are stored as their canonical JSON (ot::encode) and read back with ot::decode;
//   a row that fails to decode or replay is corrupt_data.
// - Errors of the database itself: database_busy (locked too long), database_error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/expected.hpp"
#include "storage/records.hpp"

namespace otter::storage {

// The outcome of each DocumentWrite of a batch, in the batch's order.
using WriteResults = std::vector<Expected<void>>;

class Store {
 public:
  virtual ~Store() = default;
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // A new empty document at revision 0. Error: already_exists.
  [[nodiscard]] virtual Expected<void> create_document(std::string_view id) = 0;
  // Removes the document with all its ops, snapshots and client records.
  [[nodiscard]] virtual Expected<void> delete_document(std::string_view id) = 0;
  // Every document, ordered by id.
  [[nodiscard]] virtual Expected<std::vector<DocumentInfo>> list_documents() = 0;
  [[nodiscard]] virtual Expected<bool> document_exists(std::string_view id) = 0;
  [[nodiscard]] virtual Expected<DocumentInfo> document_info(std::string_view id) = 0;

  // The latest snapshot, every op after it and every client's last seq, read as one
  // consistent view.
  [[nodiscard]] virtual Expected<LoadedDocument> load(std::string_view id) = 0;

  // Appends every write in one transaction; per-write outcomes as above. The outer error
  // (database_busy, database_error) means nothing of the batch was committed.
  [[nodiscard]] virtual Expected<WriteResults> append(std::span<const DocumentWrite> writes) = 0;

  // Stores the text at `revision` (a periodic snapshot, so loads replay fewer ops).
  [[nodiscard]] virtual Expected<void> save_snapshot(std::string_view id, std::uint64_t revision,
                                                     std::string_view text) = 0;

  // At most `limit` ops after `revision` (revision + 1, ...), oldest first: history and
  // client resync. revision may be head (returns nothing); beyond head is
  // revision_out_of_range.
  [[nodiscard]] virtual Expected<std::vector<StoredOp>> ops_since(std::string_view id, std::uint64_t revision,
                                                                  std::size_t limit) = 0;

  // The text at any revision 0 ..= head: the nearest snapshot at or below it, then the
  // ops up to it replayed with ot::apply. Beyond head: revision_out_of_range.
  [[nodiscard]] virtual Expected<std::string> text_at(std::string_view id, std::uint64_t revision) = 0;
};

}  // namespace otter::storage
