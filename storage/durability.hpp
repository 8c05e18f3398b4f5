// Durability: what an acknowledged (committed) write survives. Chosen once per store; the
// storage writer acks a request only after its transaction committed under this policy.
//
//   full    SQLite WAL + synchronous=FULL: every commit fsyncs the WAL before it returns.
//           Acked => survives a process crash, kill -9, an OS crash and power loss.
//           Costs one fsync per commit (group commit shares it among many ops).
//   normal  SQLite WAL + synchronous=NORMAL: a commit is written to the WAL file (in the
//           OS page cache) but fsynced only at checkpoints. Acked => survives a process
//           crash or kill -9 (the OS still has the pages); an OS crash or power loss may
//           roll back the last commits, but never corrupts the database.
//
// The default is `full`: DESIGN.md promises that an acked op is never lost. `normal` is for
// deployments that accept losing the last moments of edits on power loss in exchange for
// commits that cost no fsync. Config strings are the names above (parse_durability).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace otter::storage {

enum class Durability : std::uint8_t { full, normal };

[[nodiscard]] constexpr std::string_view to_string(Durability durability) noexcept {
  return durability == Durability::full ? "full" : "normal";
}

[[nodiscard]] constexpr std::optional<Durability> parse_durability(std::string_view name) noexcept {
  if (name == "full") return Durability::full;
  if (name == "normal") return Durability::normal;
  return std::nullopt;
}

}  // namespace otter::storage
