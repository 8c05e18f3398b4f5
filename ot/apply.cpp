#include "ot/apply.hpp"

#include "ot/rope.hpp"
#include "ot/utf8.hpp"

namespace otter::ot {
namespace {

Error length_mismatch(std::size_t op_base, std::size_t text_length) {
  return Error{ErrorCode::base_length_mismatch, "op base length " + std::to_string(op_base) +
                                                    " does not match document length " + std::to_string(text_length)};
}

}  // namespace

Expected<std::string> apply(std::string_view text, const Operation& op) {
  const std::size_t length = count_code_points(text);
  if (op.base_length() != length) return length_mismatch(op.base_length(), length);

  std::string result;
  // Exact for ASCII; a good first guess otherwise.
  result.reserve(text.size() + (op.target_length() > op.base_length() ? op.target_length() - op.base_length() : 0));
  std::size_t byte = 0;  // read position in `text`
  for (const Component& c : op.components()) {
    switch (c.kind()) {
      case ComponentKind::retain: {
        const std::size_t bytes = byte_offset_of(text.substr(byte), c.length());
        result.append(text.substr(byte, bytes));
        byte += bytes;
        break;
      }
      case ComponentKind::insert:
        result.append(c.text());
        break;
      case ComponentKind::erase:
        byte += byte_offset_of(text.substr(byte), c.length());
        break;
    }
  }
  return result;
}

Expected<void> apply(Rope& text, const Operation& op) {
  if (op.base_length() != text.size()) return length_mismatch(op.base_length(), text.size());
  std::size_t position = 0;  // in the text as edited so far
  for (const Component& c : op.components()) {
    switch (c.kind()) {
      case ComponentKind::retain:
        position += c.length();
        break;
      case ComponentKind::insert:
        text.insert(position, c.text());
        position += c.length();
        break;
      case ComponentKind::erase:
        text.erase(position, c.length());
        break;
    }
  }
  return {};
}

}  // namespace otter::ot
