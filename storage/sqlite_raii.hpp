// Small RAII wrappers over the SQLite C API: a connection, a prepared statement, the
// guard that resets a statement after one execution, a transaction and a savepoint.
// Used by SqliteStore only; nothing here knows about documents.
//
// Contract
// - Every failure is an Error value (storage/error.hpp): SQLITE_BUSY / SQLITE_LOCKED
//   become database_busy, everything else database_error, with SQLite's own message and
//   the action that failed ("prepare: no such table: ops"). Connection::extended_code()
//   tells constraint violations apart when a caller needs to (UNIQUE keys).
// - Text is bound without a copy (SQLITE_STATIC): the bound bytes must stay alive until
//   the statement is reset. StatementReset resets and clears bindings at scope exit, so a
//   cached statement never keeps a read transaction open nor points at freed text.
// - Bind errors are remembered and reported by the next step(), so a caller binds in a
//   chain and checks once.
// - Transaction and Savepoint roll back in their destructor unless committed/released:
//   every early return on error undoes what it had written.
// - A Connection is used from one thread at a time (opened with SQLITE_OPEN_NOMUTEX).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/expected.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace otter::storage::sqlite {

class Statement;

class Connection {
 public:
  // Opens (creating if missing) the database file at `path`.
  [[nodiscard]] static Expected<Connection> open(const std::string& path);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs SQL that returns no rows we need (DDL, PRAGMA, BEGIN ...). May hold several
  // statements separated by ';'.
  [[nodiscard]] Expected<void> exec(const std::string& sql);
  [[nodiscard]] Expected<Statement> prepare(std::string_view sql);
  // The value of a single-integer query such as "PRAGMA user_version".
  [[nodiscard]] Expected<std::int64_t> query_int(std::string_view sql);

  // The extended result code of the last failed call on this connection.
  [[nodiscard]] int extended_code() const noexcept;
  // Rows changed by the last INSERT / UPDATE / DELETE.
  [[nodiscard]] std::int64_t changes() const noexcept;
  [[nodiscard]] sqlite3* handle() const noexcept { return db_; }

 private:
  explicit Connection(sqlite3* db) noexcept : db_(db) {}
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQLite. Text/blob bytes are not copied (see above).
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::uint64_t value);  // must be <= INT64_MAX
  Statement& bind(int index, std::string_view text);

  // One step: true if a row is ready (read it with column_*), false when done.
  [[nodiscard]] Expected<bool> step();
  // step() for statements that return no rows.
  [[nodiscard]] Expected<void> run();

  [[nodiscard]] std::int64_t column_int64(int index) const noexcept;
  [[nodiscard]] std::uint64_t column_uint64(int index) const noexcept;  // negative reads as 0
  // Valid until the next step() or reset().
  [[nodiscard]] std::string_view column_text(int index) const noexcept;

  // Ready to run again, bindings cleared.
  void reset() noexcept;

 private:
  friend class Connection;
  Statement(sqlite3_stmt* statement, sqlite3* db) noexcept : statement_(statement), db_(db) {}
  void note_bind_result(int result, int index) noexcept;

  sqlite3_stmt* statement_ = nullptr;
  sqlite3* db_ = nullptr;
  int bind_error_ = 0;  // first failed bind since the last reset (SQLite result code)
  int bind_error_index_ = 0;
};

// Resets a statement when it goes out of scope.
class StatementReset {
 public:
  explicit StatementReset(Statement& statement) noexcept : statement_(statement) {}
  StatementReset(const StatementReset&) = delete;
  StatementReset& operator=(const StatementReset&) = delete;
  ~StatementReset() { statement_.reset(); }

 private:
  Statement& statement_;
};

class Transaction {
 public:
  // read: BEGIN DEFERRED (a consistent snapshot for several reads; never blocks a WAL
  // writer). write: BEGIN IMMEDIATE (takes the write lock up front, so two writers queue on
  // the busy timeout instead of failing to upgrade half way).
  enum class Mode : std::uint8_t { read, write };

  [[nodiscard]] static Expected<Transaction> begin(Connection& connection, Mode mode);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();  // rolls back unless committed

  [[nodiscard]] Expected<void> commit();

 private:
  explicit Transaction(Connection& connection) noexcept : connection_(&connection) {}
  Connection* connection_;  // null once committed, rolled back or moved from
};

// A nested unit inside a transaction: release() keeps its writes; destruction without
// release() undoes them and leaves the enclosing transaction usable.
class Savepoint {
 public:
  [[nodiscard]] static Expected<Savepoint> begin(Connection& connection);

  Savepoint(Savepoint&& other) noexcept;
  Savepoint& operator=(Savepoint&&) = delete;
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  ~Savepoint();  // rolls back to the savepoint unless released

  [[nodiscard]] Expected<void> release();

 private:
  explicit Savepoint(Connection& connection) noexcept : connection_(&connection) {}
  Connection* connection_;
};

}  // namespace otter::storage::sqlite
