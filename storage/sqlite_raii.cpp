#include "storage/sqlite_raii.hpp"

#include <sqlite3.h>

#include <limits>
#include <utility>

namespace otter::storage::sqlite {
namespace {

Error make_error(sqlite3* db, int result, std::string_view action) {
  const int primary = result & 0xFF;
  const ErrorCode code =
      (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) ? ErrorCode::database_busy : ErrorCode::database_error;
  // sqlite3_errmsg describes the connection's last failure; sqlite3_errstr only the code
  // (used when there is no connection, or the failure did not come from it).
  const char* detail =
      (db != nullptr && sqlite3_errcode(db) == primary) ? sqlite3_errmsg(db) : sqlite3_errstr(result);
  return Error{code, std::string(action) + ": " + detail + " (SQLite code " + std::to_string(result) + ")"};
}

}  // namespace

// --- Connection -------------------------------------------------------------------------

Expected<Connection> Connection::open(const std::string& path) {
  sqlite3* db = nullptr;
  const int result =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (result != SQLITE_OK) {
    Error error = make_error(db, result, "open \"" + path + "\"");
    sqlite3_close_v2(db);  // a handle is returned even on failure (or null: a no-op)
    return error;
  }
  sqlite3_extended_result_codes(db, 1);
  return Connection(db);
}

Connection::Connection(Connection&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Connection::~Connection() { sqlite3_close_v2(db_); }

Expected<void> Connection::exec(const std::string& sql) {
  const int result = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (result != SQLITE_OK) return make_error(db_, result, "exec \"" + sql.substr(0, 60) + "\"");
  return {};
}

Expected<Statement> Connection::prepare(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  const int result = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                        &statement, nullptr);
  if (result != SQLITE_OK) return make_error(db_, result, "prepare \"" + std::string(sql.substr(0, 60)) + "\"");
  return Statement(statement, db_);
}

Expected<std::int64_t> Connection::query_int(std::string_view sql) {
  Expected<Statement> statement = prepare(sql);
  if (!statement) return std::move(statement).error();
  const Expected<bool> row = statement->step();
  if (!row) return row.error();
  if (!*row) return Error{ErrorCode::database_error, "query \"" + std::string(sql) + "\" returned no row"};
  return statement->column_int64(0);
}

int Connection::extended_code() const noexcept { return sqlite3_extended_errcode(db_); }

std::int64_t Connection::changes() const noexcept { return sqlite3_changes64(db_); }

// --- Statement --------------------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept
    : statement_(std::exchange(other.statement_, nullptr)),
      db_(other.db_),
      bind_error_(other.bind_error_),
      bind_error_index_(other.bind_error_index_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(statement_);
    statement_ = std::exchange(other.statement_, nullptr);
    db_ = other.db_;
    bind_error_ = other.bind_error_;
    bind_error_index_ = other.bind_error_index_;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(statement_); }

void Statement::note_bind_result(int result, int index) noexcept {
  if (result != SQLITE_OK && bind_error_ == 0) {
    bind_error_ = result;
    bind_error_index_ = index;
  }
}

Statement& Statement::bind(int index, std::int64_t value) {
  note_bind_result(sqlite3_bind_int64(statement_, index, value), index);
  return *this;
}

Statement& Statement::bind(int index, std::uint64_t value) {
  if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    note_bind_result(SQLITE_RANGE, index);
    return *this;
  }
  return bind(index, static_cast<std::int64_t>(value));
}

Statement& Statement::bind(int index, std::string_view text) {
  // A non-null pointer even for "" so SQLite stores an empty string, not NULL.
  const char* data = text.empty() ? "" : text.data();
  note_bind_result(sqlite3_bind_text64(statement_, index, data, text.size(), SQLITE_STATIC, SQLITE_UTF8), index);
  return *this;
}

Expected<bool> Statement::step() {
  if (bind_error_ != 0) {
    return make_error(nullptr, bind_error_, "bind parameter " + std::to_string(bind_error_index_));
  }
  const int result = sqlite3_step(statement_);
  if (result == SQLITE_ROW) return true;
  if (result == SQLITE_DONE) return false;
  return make_error(db_, result,
                    "step \"" + std::string(std::string_view(sqlite3_sql(statement_)).substr(0, 60)) + "\"");
}

Expected<void> Statement::run() {
  const Expected<bool> row = step();
  if (!row) return row.error();
  return {};
}

std::int64_t Statement::column_int64(int index) const noexcept { return sqlite3_column_int64(statement_, index); }

std::uint64_t Statement::column_uint64(int index) const noexcept {
  const std::int64_t value = column_int64(index);
  return value < 0 ? 0 : static_cast<std::uint64_t>(value);
}

std::string_view Statement::column_text(int index) const noexcept {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, index));
  if (text == nullptr) return {};
  return {text, static_cast<std::size_t>(sqlite3_column_bytes(statement_, index))};
}

void Statement::reset() noexcept {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  bind_error_ = 0;
  bind_error_index_ = 0;
}

// --- Transaction ------------------------------------------------------------------------

Expected<Transaction> Transaction::begin(Connection& connection, Mode mode) {
  if (Expected<void> begun = connection.exec(mode == Mode::write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"); !begun) {
    return std::move(begun).error();
  }
  return Transaction(connection);
}

Transaction::Transaction(Transaction&& other) noexcept : connection_(std::exchange(other.connection_, nullptr)) {}

Transaction::~Transaction() {
  if (connection_ != nullptr) (void)connection_->exec("ROLLBACK");
}

Expected<void> Transaction::commit() {
  Connection* connection = std::exchange(connection_, nullptr);
  if (connection == nullptr) return Error{ErrorCode::database_error, "commit: the transaction is already finished"};
  Expected<void> committed = connection->exec("COMMIT");
  // A failed COMMIT (SQLITE_BUSY, I/O error) may leave the transaction open: roll it back
  // so the connection is usable again and nothing half-written lingers.
  if (!committed && sqlite3_get_autocommit(connection->handle()) == 0) (void)connection->exec("ROLLBACK");
  return committed;
}

// --- Savepoint --------------------------------------------------------------------------

Expected<Savepoint> Savepoint::begin(Connection& connection) {
  if (Expected<void> begun = connection.exec("SAVEPOINT otter_write"); !begun) return std::move(begun).error();
  return Savepoint(connection);
}

Savepoint::Savepoint(Savepoint&& other) noexcept : connection_(std::exchange(other.connection_, nullptr)) {}

Savepoint::~Savepoint() {
  if (connection_ != nullptr) {
    // ROLLBACK TO undoes the writes but keeps the savepoint on the stack; RELEASE pops it.
    (void)connection_->exec("ROLLBACK TO otter_write");
    (void)connection_->exec("RELEASE otter_write");
  }
}

Expected<void> Savepoint::release() {
  Connection* connection = std::exchange(connection_, nullptr);
  if (connection == nullptr) return Error{ErrorCode::database_error, "release: the savepoint is already finished"};
  return connection->exec("RELEASE otter_write");
}

}  // namespace otter::storage::sqlite
