// The values the storage layer reads and writes: one op row, a snapshot, a document's
// summary, what a document process needs to rebuild itself, and one document's share of a
// write batch. Plain data; the rules they must follow are checked by the Store
// (storage/store.hpp) when they are written.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ot/operation.hpp"

namespace otter::storage {

// Wall-clock time at millisecond resolution (stored as Unix milliseconds).
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

[[nodiscard]] inline Timestamp now_timestamp() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

// One applied op: the op that turned the text at revision - 1 into the text at revision.
struct StoredOp {
  std::uint64_t revision = 0;  // >= 1
  std::string client_id;       // "" for server-made ops (never a duplicate)
  std::uint64_t seq = 0;       // the client's sequence number (duplicate detection)
  ot::Operation op;            // as applied (after transformation)
  Timestamp time{};            // when the document process applied it

  [[nodiscard]] bool operator==(const StoredOp&) const = default;
};

// The full text of a document at a revision (revision 0 is always the empty text).
struct Snapshot {
  std::uint64_t revision = 0;
  std::string text;  // UTF-8

  [[nodiscard]] bool operator==(const Snapshot&) const = default;
};

// The last op a client had applied to a document, for duplicate detection after a
// reload (ot::ServerDocument::restore_client). Kept per (document, client) forever.
struct ClientSeq {
  std::string client_id;
  std::uint64_t seq = 0;
  std::uint64_t revision = 0;

  [[nodiscard]] bool operator==(const ClientSeq&) const = default;
};

struct DocumentInfo {
  std::string id;
  std::uint64_t head_revision = 0;
  std::uint64_t length = 0;  // code points of the text at head
  Timestamp created{};
  Timestamp updated{};  // the last create or committed append

  [[nodiscard]] bool operator==(const DocumentInfo&) const = default;
};

// Everything a document process needs to come back after a restart:
// text at head = replay `ops` (dense, snapshot.revision + 1 ..= head) over snapshot.text;
// duplicate detection = restore_client() for each of `clients`.
struct LoadedDocument {
  Snapshot snapshot;               // the latest snapshot (or the empty text at revision 0)
  std::vector<StoredOp> ops;       // every op after the snapshot, oldest first
  std::vector<ClientSeq> clients;  // the last applied (seq, revision) of every client id

  [[nodiscard]] std::uint64_t head_revision() const noexcept {
    return ops.empty() ? snapshot.revision : ops.back().revision;
  }
};

// One document's part of a write batch: ops to append (dense, starting at head + 1), then
// optionally a snapshot (at a revision <= the head after those ops).
struct DocumentWrite {
  std::string document_id;
  std::vector<StoredOp> ops;
  std::optional<Snapshot> snapshot;
};

}  // namespace otter::storage
