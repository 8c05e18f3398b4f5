// Random edits and cursors for simulated clients: the text people type, in the unit ot/
// counts (code points), with the characters that break naive implementations.
//
// Contract
// - random_edit(entropy, length) is an op spanning a text of `length` code points: an
//   insert, a delete, or a replacement at a random position. Its text mixes ASCII, 2- and
//   3-byte characters, 4-byte emoji and combining marks (alone and after a base letter),
//   so positions that count bytes or UTF-16 units go wrong at once. Long texts get more
//   deletes, so documents stay small and schedules stay fast.
// - random_selection(entropy, length) is a caret or a range (either direction) inside
//   [0, length].
// - Both depend only on their arguments: an event that stores its entropy replays the
//   same edit on the same text, and still a valid one on a different text (the shrinker
//   relies on that).
#pragma once

#include <cstddef>
#include <cstdint>

#include "ot/cursor.hpp"
#include "ot/operation.hpp"

namespace otter::sim {

[[nodiscard]] ot::Operation random_edit(std::uint64_t entropy, std::size_t length);
[[nodiscard]] ot::Selection random_selection(std::uint64_t entropy, std::size_t length);

}  // namespace otter::sim
