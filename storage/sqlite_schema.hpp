// The SQLite schema of SqliteStore and its migrations.
//
// Contract
// - migrate() brings a database file to kSchemaVersion inside one write transaction:
//   a new (empty) file gets the whole schema; an older Otter file gets the missing
//   migration steps, in order; a file at kSchemaVersion is left alone.
// - The version lives in PRAGMA user_version; PRAGMA application_id = kApplicationId
//   ("OTTR") marks the file as Otter's. A file from a newer Otter (user_version beyond
//   ours) or a file that is not Otter's (another application id, or tables but no
//   version) is unsupported_schema: we never write into a file we do not understand.
// - Migration steps are append-only: step i turns version i into version i + 1 and is
//   never edited once released (docs/storage.md lists the schema).
#pragma once

#include <cstdint>

#include "storage/expected.hpp"
#include "storage/sqlite_raii.hpp"

namespace otter::storage::sqlite {

inline constexpr std::int64_t kSchemaVersion = 1;
inline constexpr std::int64_t kApplicationId = 0x4F545452;  // "OTTR"

[[nodiscard]] Expected<void> migrate(Connection& connection);

}  // namespace otter::storage::sqlite
