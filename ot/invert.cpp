#include "ot/invert.hpp"

#include "ot/rope.hpp"
#include "ot/utf8.hpp"

namespace otter::ot {
namespace {

Error length_mismatch(std::size_t op_base, std::size_t text_length) {
  return Error{ErrorCode::base_length_mismatch, "cannot invert: op base length " + std::to_string(op_base) +
                                                    " does not match document length " + std::to_string(text_length)};
}

// The shared walk: `erased_text(position, count)` yields the base text an erase removed.
template <class ErasedText>
Operation invert_with(const Operation& op, ErasedText&& erased_text) {
  Operation inverse;
  inverse.reserve(op.components().size());
  std::size_t position = 0;  // in the base text
  for (const Component& c : op.components()) {
    switch (c.kind()) {
      case ComponentKind::retain:
        inverse.retain(c.length());
        position += c.length();
        break;
      case ComponentKind::insert:
        inverse.erase(c.length());
        break;
      case ComponentKind::erase:
        inverse.insert_validated(erased_text(position, c.length()), c.length());
        position += c.length();
        break;
    }
  }
  return inverse;
}

}  // namespace

Expected<Operation> invert(const Operation& op, std::string_view base_text) {
  const std::size_t length = count_code_points(base_text);
  if (op.base_length() != length) return length_mismatch(op.base_length(), length);
  // Positions only move forward, so remember where the last lookup ended.
  std::size_t known_position = 0;
  std::size_t known_byte = 0;
  return invert_with(op, [&](std::size_t position, std::size_t count) {
    known_byte += byte_offset_of(base_text.substr(known_byte), position - known_position);
    const std::size_t bytes = byte_offset_of(base_text.substr(known_byte), count);
    const std::string_view erased = base_text.substr(known_byte, bytes);
    known_byte += bytes;
    known_position = position + count;
    return erased;
  });
}

Expected<Operation> invert(const Operation& op, const Rope& base_text) {
  if (op.base_length() != base_text.size()) return length_mismatch(op.base_length(), base_text.size());
  std::string erased;
  return invert_with(op, [&](std::size_t position, std::size_t count) -> std::string_view {
    erased = base_text.slice(position, count);
    return erased;
  });
}

}  // namespace otter::ot
