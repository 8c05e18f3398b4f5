// Cursor and selection transform: where a position in a text lands after an op.
//
// Law: for a position p in S (0 <= p <= length(S)), transform_position(p, op, side) is the
// position in apply(S, op) of the same gap between code points:
// - text inserted before p shifts it right by the inserted length;
// - text erased before p shifts it left; if p is inside an erased range it moves to where
//   the range was (its start);
// - text inserted exactly at p: Side::left keeps p before the new text, Side::right moves
//   it after (a cursor is treated like a zero-length insert on that side, so its rule is
//   transform's tie-break rule);
// - the result is always within [0, op.target_length()].
// A position past op.base_length() is clamped to it first (never an error: a stale cursor
// is not worth failing an edit for).
//
// A Selection (anchor, head) transforms each end independently with the same side; an
// empty selection (anchor == head) is a cursor and stays empty.
// Cost: O(components before p); no allocation.
#pragma once

#include <cstddef>

#include "ot/operation.hpp"
#include "ot/transform.hpp"

namespace otter::ot {

struct Selection {
  std::size_t anchor = 0;  // where the selection started
  std::size_t head = 0;    // where it ends: the cursor

  [[nodiscard]] bool empty() const noexcept { return anchor == head; }
  [[nodiscard]] bool operator==(const Selection&) const = default;
};

[[nodiscard]] std::size_t transform_position(std::size_t position, const Operation& op, Side side) noexcept;
[[nodiscard]] Selection transform_selection(Selection selection, const Operation& op, Side side) noexcept;

}  // namespace otter::ot
