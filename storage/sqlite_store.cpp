#include "storage/sqlite_store.hpp"

#include <sqlite3.h>

#include <array>
#include <limits>
#include <utility>

#include "ot/apply.hpp"
#include "ot/json_codec.hpp"
#include "ot/rope.hpp"
#include "ot/utf8.hpp"
#include "storage/document_id.hpp"
#include "storage/sqlite_schema.hpp"

namespace otter::storage {

using sqlite::Connection;
using sqlite::Savepoint;
using sqlite::Statement;
using sqlite::StatementReset;
using sqlite::Transaction;

namespace {

// Every query SqliteStore runs, prepared once at open (index = Query).
enum Query : std::size_t {
  select_head,
  select_info,
  select_all_info,
  insert_document,
  delete_document_row,
  insert_op,
  update_head,
  upsert_client,
  select_ops,
  select_op,
  select_snapshot_at_or_below,
  upsert_snapshot,
  prune_snapshots,
  select_clients,
  query_count,
};

constexpr std::array<std::string_view, query_count> kQueries = {
    // select_head
    "SELECT head_revision, length FROM documents WHERE id = ?1",
    // select_info
    "SELECT id, head_revision, length, created_ms, updated_ms FROM documents WHERE id = ?1",
    // select_all_info
    "SELECT id, head_revision, length, created_ms, updated_ms FROM documents ORDER BY id",
    // insert_document
    "INSERT OR IGNORE INTO documents (id, head_revision, length, created_ms, updated_ms) VALUES (?1, 0, 0, ?2, ?2)",
    // delete_document_row (ops, snapshots and client_seqs go with it: ON DELETE CASCADE)
    "DELETE FROM documents WHERE id = ?1",
    // insert_op
    "INSERT INTO ops (document_id, revision, client_id, seq, op, time_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    // update_head
    "UPDATE documents SET head_revision = ?2, length = ?3, updated_ms = ?4 WHERE id = ?1",
    // upsert_client: keeps the record of the newest revision
    "INSERT INTO client_seqs (document_id, client_id, seq, revision) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (document_id, client_id) DO UPDATE SET seq = excluded.seq, revision = excluded.revision "
    "WHERE excluded.revision > client_seqs.revision",
    // select_ops: revisions in (?2, ?3], oldest first, at most ?4
    "SELECT revision, client_id, seq, op, time_ms FROM ops "
    "WHERE document_id = ?1 AND revision > ?2 AND revision <= ?3 ORDER BY revision LIMIT ?4",
    // select_op
    "SELECT op FROM ops WHERE document_id = ?1 AND revision = ?2",
    // select_snapshot_at_or_below
    "SELECT revision, text FROM snapshots WHERE document_id = ?1 AND revision <= ?2 "
    "ORDER BY revision DESC LIMIT 1",
    // upsert_snapshot
    "INSERT INTO snapshots (document_id, revision, text, time_ms) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (document_id, revision) DO UPDATE SET text = excluded.text, time_ms = excluded.time_ms",
    // prune_snapshots: drop all but the newest ?2 + 1 (no-op while there are fewer)
    "DELETE FROM snapshots WHERE document_id = ?1 AND revision < "
    "(SELECT revision FROM snapshots WHERE document_id = ?1 ORDER BY revision DESC LIMIT 1 OFFSET ?2)",
    // select_clients
    "SELECT client_id, seq, revision FROM client_seqs WHERE document_id = ?1 ORDER BY client_id",
};

std::int64_t to_unix_ms(Timestamp time) noexcept { return time.time_since_epoch().count(); }
Timestamp from_unix_ms(std::int64_t ms) noexcept { return Timestamp{std::chrono::milliseconds{ms}}; }

std::uint64_t clamp_to_int64(std::uint64_t value) noexcept {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  return value > kMax ? kMax : value;
}

std::string quoted(std::string_view id) { return "document \"" + std::string(id) + "\""; }

Error not_found(std::string_view id) { return Error{ErrorCode::not_found, quoted(id) + " does not exist"}; }

Error beyond_head(std::string_view id, std::uint64_t revision, std::uint64_t head) {
  return Error{ErrorCode::revision_out_of_range, "revision " + std::to_string(revision) + " is beyond " + quoted(id) +
                                                     "'s head revision " + std::to_string(head)};
}

Error corrupt_op(std::string_view id, std::uint64_t revision, const ot::Error& error) {
  return Error{ErrorCode::corrupt_data, "stored op " + std::to_string(revision) + " of " + quoted(id) +
                                            " is unusable: " + std::string(ot::to_string(error.code)) + ": " +
                                            error.message};
}

Error duplicate(std::string_view id, std::uint64_t revision) {
  return Error{ErrorCode::duplicate_revision,
               "revision " + std::to_string(revision) + " of " + quoted(id) + " is already stored"};
}

bool is_unique_violation(int extended_code) noexcept {
  return extended_code == SQLITE_CONSTRAINT_UNIQUE || extended_code == SQLITE_CONSTRAINT_PRIMARYKEY;
}

DocumentInfo read_info(const Statement& row) {
  return DocumentInfo{std::string(row.column_text(0)), row.column_uint64(1), row.column_uint64(2),
                      from_unix_ms(row.column_int64(3)), from_unix_ms(row.column_int64(4))};
}

// The last (seq, revision) per client id among one write's ops (a handful of clients).
struct ClientLast {
  std::string_view client_id;
  std::uint64_t seq;
  std::uint64_t revision;
};

void note_client(std::vector<ClientLast>& clients, const StoredOp& op) {
  if (op.client_id.empty()) return;  // server-made ops are never duplicates
  for (ClientLast& client : clients) {
    if (client.client_id == op.client_id) {
      client.seq = op.seq;
      client.revision = op.revision;
      return;
    }
  }
  clients.push_back(ClientLast{op.client_id, op.seq, op.revision});
}

}  // namespace

// --- opening ----------------------------------------------------------------------------

Expected<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path, SqliteOptions options) {
  Expected<Connection> connection = Connection::open(path);
  if (!connection) return std::move(connection).error();
  sqlite3_busy_timeout(connection->handle(), static_cast<int>(options.busy_timeout.count()));

  // WAL: readers never block the writer, and a commit appends to the log instead of
  // rewriting pages in place. journal_mode answers with the mode it ended up in.
  {
    Expected<Statement> wal = connection->prepare("PRAGMA journal_mode = WAL");
    if (!wal) return std::move(wal).error();
    const Expected<bool> row = wal->step();
    if (!row) return row.error();
    const std::string mode(*row ? wal->column_text(0) : "");
    if (mode != "wal") {
      return Error{ErrorCode::database_error,
                   "cannot put \"" + path + "\" in WAL mode (the journal mode stays \"" + mode + "\")"};
    }
  }
  const std::string synchronous = options.durability == Durability::full ? "FULL" : "NORMAL";
  if (Expected<void> set = connection->exec("PRAGMA synchronous = " + synchronous + "; PRAGMA foreign_keys = ON");
      !set) {
    return std::move(set).error();
  }
  if (Expected<void> migrated = sqlite::migrate(*connection); !migrated) return std::move(migrated).error();

  std::vector<Statement> statements;
  statements.reserve(query_count);
  for (const std::string_view sql : kQueries) {
    Expected<Statement> prepared = connection->prepare(sql);
    if (!prepared) return std::move(prepared).error();
    statements.push_back(std::move(*prepared));
  }
  return std::unique_ptr<SqliteStore>(new SqliteStore(path, options, std::move(*connection), std::move(statements)));
}

SqliteStore::SqliteStore(std::string path, SqliteOptions options, Connection connection,
                         std::vector<Statement> statements)
    : path_(std::move(path)),
      options_(options),
      connection_(std::move(connection)),
      statements_(std::move(statements)) {}

SqliteStore::~SqliteStore() = default;

// --- documents --------------------------------------------------------------------------

Expected<void> SqliteStore::create_document(std::string_view id) {
  if (Expected<void> valid = validate_document_id(id); !valid) return valid;
  Statement& insert = statement(insert_document);
  const StatementReset reset(insert);
  if (Expected<void> done = insert.bind(1, id).bind(2, to_unix_ms(now_timestamp())).run(); !done) return done;
  if (connection_.changes() == 0) return Error{ErrorCode::already_exists, quoted(id) + " already exists"};
  return {};
}

Expected<void> SqliteStore::delete_document(std::string_view id) {
  if (Expected<void> valid = validate_document_id(id); !valid) return valid;
  Statement& remove = statement(delete_document_row);
  const StatementReset reset(remove);
  if (Expected<void> done = remove.bind(1, id).run(); !done) return done;
  if (connection_.changes() == 0) return not_found(id);
  return {};
}

Expected<std::vector<DocumentInfo>> SqliteStore::list_documents() {
  Statement& select = statement(select_all_info);
  const StatementReset reset(select);
  std::vector<DocumentInfo> documents;
  for (;;) {
    const Expected<bool> row = select.step();
    if (!row) return row.error();
    if (!*row) return documents;
    documents.push_back(read_info(select));
  }
}

Expected<bool> SqliteStore::document_exists(std::string_view id) {
  const Expected<Head> head = read_head(id);
  if (head) return true;
  if (head.error().code == ErrorCode::not_found) return false;
  return head.error();
}

Expected<DocumentInfo> SqliteStore::document_info(std::string_view id) {
  if (Expected<void> valid = validate_document_id(id); !valid) return std::move(valid).error();
  Statement& select = statement(select_info);
  const StatementReset reset(select);
  const Expected<bool> row = select.bind(1, id).step();
  if (!row) return row.error();
  if (!*row) return not_found(id);
  return read_info(select);
}

Expected<SqliteStore::Head> SqliteStore::read_head(std::string_view id) {
  if (Expected<void> valid = validate_document_id(id); !valid) return std::move(valid).error();
  Statement& select = statement(select_head);
  const StatementReset reset(select);
  const Expected<bool> row = select.bind(1, id).step();
  if (!row) return row.error();
  if (!*row) return not_found(id);
  return Head{select.column_uint64(0), select.column_uint64(1)};
}

// --- reading ----------------------------------------------------------------------------

Expected<std::vector<StoredOp>> SqliteStore::read_ops(std::string_view id, std::uint64_t after, std::uint64_t up_to,
                                                      std::size_t limit) {
  Statement& select = statement(select_ops);
  const StatementReset reset(select);
  select.bind(1, id).bind(2, after).bind(3, up_to).bind(4, clamp_to_int64(limit));
  std::vector<StoredOp> ops;
  std::uint64_t expected_revision = after + 1;
  for (;;) {
    const Expected<bool> row = select.step();
    if (!row) return row.error();
    if (!*row) return ops;
    const std::uint64_t revision = select.column_uint64(0);
    if (revision != expected_revision) {
      return Error{ErrorCode::corrupt_data, quoted(id) + " has no op at revision " +
                                                std::to_string(expected_revision) +
                                                " (next stored: " + std::to_string(revision) + ")"};
    }
    ot::Expected<ot::Operation> op = ot::decode(select.column_text(3));
    if (!op) return corrupt_op(id, revision, op.error());
    ops.push_back(StoredOp{revision, std::string(select.column_text(1)), select.column_uint64(2), std::move(*op),
                           from_unix_ms(select.column_int64(4))});
    ++expected_revision;
  }
}

Expected<LoadedDocument> SqliteStore::load(std::string_view id) {
  // One read transaction: the snapshot, the ops and the client records are one view, even
  // while another connection commits.
  Expected<Transaction> transaction = Transaction::begin(connection_, Transaction::Mode::read);
  if (!transaction) return std::move(transaction).error();
  const Expected<Head> head = read_head(id);
  if (!head) return head.error();

  LoadedDocument loaded;
  {
    Statement& select = statement(select_snapshot_at_or_below);
    const StatementReset reset(select);
    const Expected<bool> row = select.bind(1, id).bind(2, head->revision).step();
    if (!row) return row.error();
    if (*row) loaded.snapshot = Snapshot{select.column_uint64(0), std::string(select.column_text(1))};
  }
  Expected<std::vector<StoredOp>> ops =
      read_ops(id, loaded.snapshot.revision, head->revision, std::numeric_limits<std::size_t>::max());
  if (!ops) return std::move(ops).error();
  loaded.ops = std::move(*ops);
  if (loaded.head_revision() != head->revision) {
    return Error{ErrorCode::corrupt_data, quoted(id) + " has head revision " + std::to_string(head->revision) +
                                              " but its ops end at " + std::to_string(loaded.head_revision())};
  }
  {
    Statement& select = statement(select_clients);
    const StatementReset reset(select);
    select.bind(1, id);
    for (;;) {
      const Expected<bool> row = select.step();
      if (!row) return row.error();
      if (!*row) break;
      loaded.clients.push_back(
          ClientSeq{std::string(select.column_text(0)), select.column_uint64(1), select.column_uint64(2)});
    }
  }
  if (Expected<void> done = transaction->commit(); !done) return std::move(done).error();
  return loaded;
}

Expected<std::vector<StoredOp>> SqliteStore::ops_since(std::string_view id, std::uint64_t revision,
                                                       std::size_t limit) {
  Expected<Transaction> transaction = Transaction::begin(connection_, Transaction::Mode::read);
  if (!transaction) return std::move(transaction).error();
  const Expected<Head> head = read_head(id);
  if (!head) return head.error();
  if (revision > head->revision) return beyond_head(id, revision, head->revision);
  Expected<std::vector<StoredOp>> ops = read_ops(id, revision, head->revision, limit);
  if (!ops) return ops;
  if (Expected<void> done = transaction->commit(); !done) return std::move(done).error();
  return ops;
}

Expected<std::string> SqliteStore::text_at(std::string_view id, std::uint64_t revision) {
  Expected<Transaction> transaction = Transaction::begin(connection_, Transaction::Mode::read);
  if (!transaction) return std::move(transaction).error();
  const Expected<Head> head = read_head(id);
  if (!head) return head.error();
  if (revision > head->revision) return beyond_head(id, revision, head->revision);

  Snapshot base;  // the empty text at revision 0 unless a snapshot is nearer
  {
    Statement& select = statement(select_snapshot_at_or_below);
    const StatementReset reset(select);
    const Expected<bool> row = select.bind(1, id).bind(2, revision).step();
    if (!row) return row.error();
    if (*row) base = Snapshot{select.column_uint64(0), std::string(select.column_text(1))};
  }
  const Expected<std::vector<StoredOp>> ops =
      read_ops(id, base.revision, revision, std::numeric_limits<std::size_t>::max());
  if (!ops) return ops.error();
  if (Expected<void> done = transaction->commit(); !done) return std::move(done).error();

  ot::Rope text(base.text);
  for (const StoredOp& op : *ops) {
    if (ot::Expected<void> applied = ot::apply(text, op.op); !applied)
      return corrupt_op(id, op.revision, applied.error());
  }
  return text.to_string();
}

// --- writing ----------------------------------------------------------------------------

Expected<WriteResults> SqliteStore::append(std::span<const DocumentWrite> writes) {
  Expected<Transaction> transaction = Transaction::begin(connection_, Transaction::Mode::write);
  if (!transaction) return std::move(transaction).error();
  const Timestamp now = now_timestamp();

  WriteResults results;
  results.reserve(writes.size());
  for (const DocumentWrite& write : writes) {
    // A savepoint per document: a write that fails leaves nothing behind, and the batch's
    // other documents still commit.
    Expected<Savepoint> savepoint = Savepoint::begin(connection_);
    if (!savepoint) return std::move(savepoint).error();
    Expected<void> result = append_one(write, now);
    if (result) result = savepoint->release();
    // On error the savepoint's destructor rolls this document's rows back.
    results.push_back(std::move(result));
  }
  if (Expected<void> done = transaction->commit(); !done) return std::move(done).error();
  return results;
}

Expected<void> SqliteStore::append_one(const DocumentWrite& write, Timestamp now) {
  const std::string_view id = write.document_id;
  const Expected<Head> found = read_head(id);
  if (!found) return found.error();
  Head head = *found;

  std::vector<ClientLast> clients;
  Statement& insert = statement(insert_op);
  for (const StoredOp& op : write.ops) {
    if (op.revision <= head.revision) return duplicate(id, op.revision);
    if (op.revision != head.revision + 1) {
      return Error{ErrorCode::revision_gap, quoted(id) + " is at revision " + std::to_string(head.revision) +
                                                "; revision " + std::to_string(op.revision) + " would leave a gap"};
    }
    if (op.op.base_length() != head.length) {
      return Error{ErrorCode::length_mismatch, "op " + std::to_string(op.revision) + " of " + quoted(id) +
                                                   " has base length " + std::to_string(op.op.base_length()) +
                                                   " but the document's length is " + std::to_string(head.length)};
    }
    const std::string json = ot::encode(op.op);
    const StatementReset reset(insert);
    insert.bind(1, id).bind(2, op.revision).bind(3, std::string_view(op.client_id)).bind(4, op.seq);
    insert.bind(5, std::string_view(json)).bind(6, to_unix_ms(op.time));
    if (Expected<void> done = insert.run(); !done) {
      // The head check above makes this unreachable for one SQLite file; the key in the
      // database is what holds when the check is raced (another process, PostgreSQL).
      if (is_unique_violation(connection_.extended_code())) return duplicate(id, op.revision);
      return done;
    }
    head = Head{op.revision, op.op.target_length()};
    note_client(clients, op);
  }

  if (!write.ops.empty()) {
    Statement& upsert = statement(upsert_client);
    for (const ClientLast& client : clients) {
      const StatementReset reset(upsert);
      if (Expected<void> done =
              upsert.bind(1, id).bind(2, client.client_id).bind(3, client.seq).bind(4, client.revision).run();
          !done) {
        return done;
      }
    }
    Statement& update = statement(update_head);
    const StatementReset reset(update);
    if (Expected<void> done =
            update.bind(1, id).bind(2, head.revision).bind(3, head.length).bind(4, to_unix_ms(now)).run();
        !done) {
      return done;
    }
  }
  if (write.snapshot) return put_snapshot(id, head, write.snapshot->revision, write.snapshot->text, now);
  return {};
}

Expected<void> SqliteStore::save_snapshot(std::string_view id, std::uint64_t revision, std::string_view text) {
  Expected<Transaction> transaction = Transaction::begin(connection_, Transaction::Mode::write);
  if (!transaction) return std::move(transaction).error();
  const Expected<Head> head = read_head(id);
  if (!head) return head.error();
  if (Expected<void> saved = put_snapshot(id, *head, revision, text, now_timestamp()); !saved) return saved;
  return transaction->commit();
}

Expected<std::uint64_t> SqliteStore::length_at(std::string_view id, std::uint64_t revision, const Head& head) {
  if (revision == head.revision) return head.length;
  if (revision == 0) return std::uint64_t{0};
  // The length after an op is its target length: decode the one op that made `revision`.
  Statement& select = statement(select_op);
  const StatementReset reset(select);
  const Expected<bool> row = select.bind(1, id).bind(2, revision).step();
  if (!row) return row.error();
  if (!*row) {
    return Error{ErrorCode::corrupt_data, quoted(id) + " has no op at revision " + std::to_string(revision)};
  }
  const ot::Expected<ot::Operation> op = ot::decode(select.column_text(0));
  if (!op) return corrupt_op(id, revision, op.error());
  return std::uint64_t{op->target_length()};
}

Expected<void> SqliteStore::put_snapshot(std::string_view id, const Head& head, std::uint64_t revision,
                                         std::string_view text, Timestamp now) {
  if (revision > head.revision) return beyond_head(id, revision, head.revision);
  const std::optional<std::size_t> code_points = ot::validated_code_points(text);
  if (!code_points) {
    return Error{ErrorCode::invalid_snapshot, "snapshot text of " + quoted(id) + " is not valid UTF-8"};
  }
  const Expected<std::uint64_t> length = length_at(id, revision, head);
  if (!length) return length.error();
  if (*code_points != *length) {
    return Error{ErrorCode::invalid_snapshot, "snapshot of " + quoted(id) + " at revision " +
                                                  std::to_string(revision) + " has " + std::to_string(*code_points) +
                                                  " code points; the document has " + std::to_string(*length) +
                                                  " there"};
  }
  if (revision == 0) return {};  // the empty text at revision 0 is implicit

  {
    Statement& upsert = statement(upsert_snapshot);
    const StatementReset reset(upsert);
    if (Expected<void> done = upsert.bind(1, id).bind(2, revision).bind(3, text).bind(4, to_unix_ms(now)).run();
        !done) {
      return done;
    }
  }
  if (options_.snapshots_kept == 0) return {};
  Statement& prune = statement(prune_snapshots);
  const StatementReset reset(prune);
  return prune.bind(1, id).bind(2, clamp_to_int64(options_.snapshots_kept - 1)).run();
}

}  // namespace otter::storage
