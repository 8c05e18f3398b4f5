#include "ot/cursor.hpp"

#include <algorithm>

namespace otter::ot {

std::size_t transform_position(std::size_t position, const Operation& op, Side side) noexcept {
  position = std::min(position, op.base_length());
  std::size_t result = position;
  std::size_t base = 0;  // base-text position of the component being looked at
  for (const Component& c : op.components()) {
    if (base > position) break;  // everything from here on is after the cursor
    switch (c.kind()) {
      case ComponentKind::retain:
        base += c.length();
        break;
      case ComponentKind::insert:
        if (base < position || side == Side::right) result += c.length();
        break;
      case ComponentKind::erase:
        if (base == position) return result;  // deletes after the cursor: it stays
        // Erases [base, base + length): the part before the cursor pulls it left.
        result -= std::min(c.length(), position - base);
        base += c.length();
        break;
    }
  }
  return result;
}

Selection transform_selection(Selection selection, const Operation& op, Side side) noexcept {
  return Selection{transform_position(selection.anchor, op, side), transform_position(selection.head, op, side)};
}

}  // namespace otter::ot
