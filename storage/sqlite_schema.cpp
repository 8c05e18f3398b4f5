#include "storage/sqlite_schema.hpp"

#include <array>
#include <string>
#include <utility>

namespace otter::storage::sqlite {
namespace {

// kMigrations[i] turns schema version i into i + 1.
constexpr std::array<const char*, kSchemaVersion> kMigrations = {
    // 0 -> 1: documents, the op log, snapshots and per-client last seqs.
    R"sql(
CREATE TABLE documents (
  id            TEXT    NOT NULL PRIMARY KEY,
  head_revision INTEGER NOT NULL,           -- the newest op's revision (0: no ops)
  length        INTEGER NOT NULL,           -- code points of the text at head
  created_ms    INTEGER NOT NULL,           -- Unix milliseconds
  updated_ms    INTEGER NOT NULL
);

-- The op log. UNIQUE (document_id, revision) is the key that stops two owners of one
-- document from persisting divergent histories.
CREATE TABLE ops (
  document_id TEXT    NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  revision    INTEGER NOT NULL CHECK (revision >= 1),
  client_id   TEXT    NOT NULL,             -- '' for server-made ops
  seq         INTEGER NOT NULL,
  op          TEXT    NOT NULL,             -- canonical JSON, e.g. [5,"abc",-2]
  time_ms     INTEGER NOT NULL,
  UNIQUE (document_id, revision)
);

CREATE TABLE snapshots (
  document_id TEXT    NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  revision    INTEGER NOT NULL CHECK (revision >= 1),
  text        TEXT    NOT NULL,
  time_ms     INTEGER NOT NULL,
  UNIQUE (document_id, revision)
);

-- The last op each client had applied, for duplicate detection after a reload.
CREATE TABLE client_seqs (
  document_id TEXT    NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  client_id   TEXT    NOT NULL,
  seq         INTEGER NOT NULL,
  revision    INTEGER NOT NULL,
  PRIMARY KEY (document_id, client_id)
) WITHOUT ROWID;
)sql",
};

Error unsupported(std::string message) { return Error{ErrorCode::unsupported_schema, std::move(message)}; }

}  // namespace

Expected<void> migrate(Connection& connection) {
  Expected<Transaction> transaction = Transaction::begin(connection, Transaction::Mode::write);
  if (!transaction) return std::move(transaction).error();

  const Expected<std::int64_t> version = connection.query_int("PRAGMA user_version");
  if (!version) return version.error();
  const Expected<std::int64_t> application_id = connection.query_int("PRAGMA application_id");
  if (!application_id) return application_id.error();

  if (*application_id != 0 && *application_id != kApplicationId) {
    return unsupported("the database file belongs to another application (application_id " +
                       std::to_string(*application_id) + ")");
  }
  if (*version > kSchemaVersion) {
    return unsupported("the database has schema version " + std::to_string(*version) + ", newer than this Otter's " +
                       std::to_string(kSchemaVersion) + "; upgrade Otter");
  }
  if (*version == kSchemaVersion) return transaction->commit();
  if (*version == 0) {
    const Expected<std::int64_t> tables = connection.query_int("SELECT count(*) FROM sqlite_schema");
    if (!tables) return tables.error();
    if (*tables != 0) return unsupported("the database file has tables but no Otter schema version");
  }

  for (std::int64_t step = *version; step < kSchemaVersion; ++step) {
    if (Expected<void> done = connection.exec(kMigrations.at(static_cast<std::size_t>(step))); !done) {
      return std::move(done).error();
    }
  }
  if (Expected<void> done = connection.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion) +
                                            "; PRAGMA application_id = " + std::to_string(kApplicationId));
      !done) {
    return std::move(done).error();
  }
  return transaction->commit();
}

}  // namespace otter::storage::sqlite
