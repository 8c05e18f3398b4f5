// SqliteStore: the embedded Store — one SQLite database file in WAL mode holding the op log,
// snapshots and documents of a node. The contract every Store follows is in
// storage/store.hpp; this header adds what is SQLite's own.
//
// Threading: every call BLOCKS (disk I/O, fsync, locks). Call it only from the storage
// writer thread or from a task, never from a process handler. One SqliteStore is one
// SQLite connection, used from one thread at a time: the StorageWriter owns the one that
// writes; tasks that read (loading a document, history) open their own. WAL mode lets
// those readers run while the writer commits. Several connections, even in several
// processes, may share a file: write transactions queue on the busy timeout.
//
// Lifecycle: open() creates the file and the schema if missing (storage/sqlite_schema.hpp),
// sets WAL mode and the durability policy (storage/durability.hpp), and prepares every
// statement once. The destructor closes the connection; nothing is pending then, because
// every call commits or rolls back before it returns.
//
// Snapshot retention: the newest `snapshots_kept` snapshots of each document are kept
// (0 = all). Older ones are dropped when a new one is saved; ops are never dropped, so
// text_at() still reaches every revision (from an older snapshot, or from the empty text at
// revision 0). A load replays only the ops after the newest snapshot.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "storage/durability.hpp"
#include "storage/sqlite_raii.hpp"
#include "storage/store.hpp"

namespace otter::storage {

struct SqliteOptions {
  static constexpr std::size_t kDefaultSnapshotsKept = 3;
  static constexpr std::chrono::milliseconds kDefaultBusyTimeout{5000};

  Durability durability = Durability::full;
  std::size_t snapshots_kept = kDefaultSnapshotsKept;  // per document; 0 keeps all
  // How long a call waits for another connection's write lock before database_busy.
  std::chrono::milliseconds busy_timeout = kDefaultBusyTimeout;
};

class SqliteStore final : public Store {
 public:
  // Opens (creating if missing) the database at `path`. Errors: database_error (cannot
  // open, not a database, WAL unavailable), database_busy, unsupported_schema.
  [[nodiscard]] static Expected<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                                   SqliteOptions options = {});
  ~SqliteStore() override;

  [[nodiscard]] Expected<void> create_document(std::string_view id) override;
  [[nodiscard]] Expected<void> delete_document(std::string_view id) override;
  [[nodiscard]] Expected<std::vector<DocumentInfo>> list_documents() override;
  [[nodiscard]] Expected<bool> document_exists(std::string_view id) override;
  [[nodiscard]] Expected<DocumentInfo> document_info(std::string_view id) override;
  [[nodiscard]] Expected<LoadedDocument> load(std::string_view id) override;
  [[nodiscard]] Expected<WriteResults> append(std::span<const DocumentWrite> writes) override;
  [[nodiscard]] Expected<void> save_snapshot(std::string_view id, std::uint64_t revision,
                                             std::string_view text) override;
  [[nodiscard]] Expected<std::vector<StoredOp>> ops_since(std::string_view id, std::uint64_t revision,
                                                          std::size_t limit) override;
  [[nodiscard]] Expected<std::string> text_at(std::string_view id, std::uint64_t revision) override;

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] const SqliteOptions& options() const noexcept { return options_; }

 private:
  struct Head {
    std::uint64_t revision;
    std::uint64_t length;
  };

  SqliteStore(std::string path, SqliteOptions options, sqlite::Connection connection,
              std::vector<sqlite::Statement> statements);

  // The prepared statement for one of the queries listed in the .cpp (enum Query).
  [[nodiscard]] sqlite::Statement& statement(std::size_t query) noexcept { return statements_[query]; }

  [[nodiscard]] Expected<Head> read_head(std::string_view id);
  [[nodiscard]] Expected<std::uint64_t> length_at(std::string_view id, std::uint64_t revision, const Head& head);
  [[nodiscard]] Expected<void> append_one(const DocumentWrite& write, Timestamp now);
  [[nodiscard]] Expected<void> put_snapshot(std::string_view id, const Head& head, std::uint64_t revision,
                                            std::string_view text, Timestamp now);
  [[nodiscard]] Expected<std::vector<StoredOp>> read_ops(std::string_view id, std::uint64_t after,
                                                         std::uint64_t up_to, std::size_t limit);

  std::string path_;
  SqliteOptions options_;
  sqlite::Connection connection_;              // declared first: closed after the statements
  std::vector<sqlite::Statement> statements_;  // indexed by Query
};

}  // namespace otter::storage
