// Errors of the storage layer, as values.
//
// Contract
// - Every Store and StorageWriter operation that can fail returns Expected<T> (see
//   storage/expected.hpp) holding its value or an Error; none throws for bad input, a
//   missing document or a database failure. (std::bad_alloc still propagates.)
// - An Error carries a stable machine code (ErrorCode, rendered by to_string() in
//   snake_case: the server puts these names in logs, metrics and API replies, so they never
//   change meaning) and a sentence for people naming the offending values
//   ("document \"notes\" is at revision 7; revision 9 would leave a gap").
// - The table of codes, with what each means for a caller, is in docs/storage.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace otter::storage {

enum class ErrorCode : std::uint8_t {
  invalid_document_id,    // not [A-Za-z0-9][A-Za-z0-9._-]{0,127} (storage/document_id.hpp)
  not_found,              // no document with that id
  already_exists,         // create_document on an id that is taken
  duplicate_revision,     // an op for a revision that is already stored (another owner?)
  revision_gap,           // an op for a revision past head + 1: revisions must stay dense
  length_mismatch,        // an op whose base length is not the document's length
  revision_out_of_range,  // a revision beyond the document's head (snapshot, text_at ...)
  invalid_snapshot,       // snapshot text that is not UTF-8 or not the document's length
  corrupt_data,           // a stored row that cannot be decoded or replayed
  unsupported_schema,     // a database file from a newer Otter, or not Otter's at all
  database_busy,          // the database stayed locked by another connection too long
  database_error,         // any other failure of the database (I/O, disk full, ...)
  queue_full,             // the storage writer's queue is at its limit: back off
  writer_stopped,         // submit() after StorageWriter::stop()
};

[[nodiscard]] std::string_view to_string(ErrorCode code) noexcept;

struct Error {
  ErrorCode code;
  std::string message;

  [[nodiscard]] bool operator==(const Error&) const = default;
};

}  // namespace otter::storage
