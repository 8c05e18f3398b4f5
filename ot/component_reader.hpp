// ComponentReader: internal to ot/. Walks an op's components, taking them in pieces, as
// compose and transform do when the components of two ops do not line up. Taking part of
// an insert yields a view of its text, so splitting costs no allocation.
#pragma once

#include <cstddef>
#include <string_view>

#include "ot/operation.hpp"
#include "ot/utf8.hpp"

namespace otter::ot::detail {

class ComponentReader {
 public:
  explicit ComponentReader(const Operation& op) noexcept
      : next_(op.components().data()), end_(next_ + op.components().size()) {}

  [[nodiscard]] bool done() const noexcept { return next_ == end_; }
  // Preconditions for the rest: !done().
  [[nodiscard]] ComponentKind kind() const noexcept { return next_->kind(); }
  [[nodiscard]] bool is_insert() const noexcept { return next_->is_insert(); }
  [[nodiscard]] bool is_erase() const noexcept { return next_->is_erase(); }
  [[nodiscard]] std::size_t remaining() const noexcept { return next_->length() - offset_; }

  // Takes `count` <= remaining() code points of the current component and moves past them.
  // For an insert, returns the text taken; otherwise an empty view.
  std::string_view take(std::size_t count) noexcept {
    std::string_view taken;
    if (next_->is_insert()) {
      const std::string_view rest = std::string_view(next_->text()).substr(byte_offset_);
      const std::size_t bytes = count == remaining() ? rest.size() : byte_offset_of(rest, count);
      taken = rest.substr(0, bytes);
      byte_offset_ += bytes;
    }
    offset_ += count;
    if (offset_ == next_->length()) {
      ++next_;
      offset_ = 0;
      byte_offset_ = 0;
    }
    return taken;
  }
  std::string_view take_all() noexcept { return take(remaining()); }

 private:
  const Component* next_;
  const Component* end_;
  std::size_t offset_ = 0;       // code points of *next_ already taken
  std::size_t byte_offset_ = 0;  // the same, in bytes of an insert's text
};

}  // namespace otter::ot::detail
