#include "ot/compose.hpp"

#include <algorithm>

#include "ot/component_reader.hpp"

namespace otter::ot {

Expected<Operation> compose(const Operation& a, const Operation& b) {
  if (a.target_length() != b.base_length()) {
    return Error{ErrorCode::base_length_mismatch,
                 "cannot compose: the first op's target length " + std::to_string(a.target_length()) +
                     " does not match the second op's base length " + std::to_string(b.base_length())};
  }
  Operation result;
  result.reserve(a.components().size() + b.components().size());
  detail::ComponentReader ra(a);
  detail::ComponentReader rb(b);
  while (!ra.done() || !rb.done()) {
    // a's erases touch text b never sees; b's inserts add text a never saw.
    if (!ra.done() && ra.is_erase()) {
      result.erase(ra.remaining());
      ra.take_all();
      continue;
    }
    if (!rb.done() && rb.is_insert()) {
      const std::size_t count = rb.remaining();
      result.insert_validated(rb.take_all(), count);
      continue;
    }
    // Now a is at a retain/insert and b at a retain/erase, over the same text. Both
    // exist: a's target length equals b's base length.
    const std::size_t count = std::min(ra.remaining(), rb.remaining());
    const bool a_inserts = ra.is_insert();
    const bool b_erases = rb.is_erase();
    const std::string_view text = ra.take(count);
    rb.take(count);
    if (a_inserts && b_erases) continue;  // inserted, then deleted: nothing at all
    if (a_inserts) {
      result.insert_validated(text, count);
    } else if (b_erases) {
      result.erase(count);
    } else {
      result.retain(count);
    }
  }
  return result;
}

}  // namespace otter::ot
