// Operation: one edit of a plain-text document, as a list of components that walks the
// whole document from start to end (the ot.js model, counted in Unicode code points).
//
//   retain n   keep the next n code points
//   insert s   insert the UTF-8 text s here (its code-point count is cached)
//   erase n    delete the next n code points ("delete" on the wire: a negative number)
//
// Contract
// - An op spans the whole document: base_length() = sum of retains and erases is the
//   length of the only text it applies to; target_length() = sum of retains and inserts
//   is the length of the result. A trailing retain is never implied: [3, "x"] applies to
//   a 3-code-point text only. The empty op [] applies to the empty text.
// - Canonical form, kept by the builders: no empty component (retain 0, insert "",
//   erase 0); no two neighbours of the same kind (they merge); where an insert and an
//   erase meet, the insert comes first. Every op has exactly one canonical form for its
//   effect on positions, so two ops compare equal iff they are the same edit.
//   ([-1, "a"] is built as ["a", -1]; [1, 2] as [3].)
// - Lengths and counts are at most kMaxLength = 2^53 - 1 (the largest integer JavaScript
//   represents exactly; the wire format must round-trip through JS).
// - Builders taking user text validate it: insert() throws std::invalid_argument on
//   invalid UTF-8 and std::length_error past kMaxLength. Input from the wire goes through
//   ot/json_codec.hpp, which returns errors as values instead.
//
// The algebra on ops lives next door, one file per law: apply.hpp, compose.hpp,
// transform.hpp, invert.hpp, cursor.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace otter::ot {

// 2^53 - 1: Number.MAX_SAFE_INTEGER.
inline constexpr std::size_t kMaxLength = (std::size_t{1} << 53) - 1;

enum class ComponentKind : std::uint8_t { retain, insert, erase };

// One component of an op. Read-only outside Operation, which alone builds them, so a
// component is never empty and an insert's cached length always matches its text.
class Component {
 public:
  [[nodiscard]] ComponentKind kind() const noexcept { return kind_; }
  [[nodiscard]] bool is_retain() const noexcept { return kind_ == ComponentKind::retain; }
  [[nodiscard]] bool is_insert() const noexcept { return kind_ == ComponentKind::insert; }
  [[nodiscard]] bool is_erase() const noexcept { return kind_ == ComponentKind::erase; }
  // Code points retained, inserted or erased (> 0).
  [[nodiscard]] std::size_t length() const noexcept { return length_; }
  // The inserted UTF-8 text; empty for retain and erase.
  [[nodiscard]] const std::string& text() const noexcept { return text_; }

  [[nodiscard]] bool operator==(const Component&) const = default;

 private:
  friend class Operation;
  Component(ComponentKind kind, std::size_t length, std::string text)
      : kind_(kind), length_(length), text_(std::move(text)) {}

  ComponentKind kind_;
  std::size_t length_;
  std::string text_;
};

class Operation {
 public:
  // The empty op: applies to the empty text only.
  Operation() = default;

  // The op that keeps a text of `length` code points unchanged ([length], or [] for 0).
  [[nodiscard]] static Operation identity(std::size_t length);

  // Builders: append one component, keeping the canonical form. Zero counts and empty
  // text are no-ops. Each returns *this so edits chain: op.retain(2).insert("é").erase(1).
  Operation& retain(std::size_t count);
  Operation& insert(std::string_view utf8);  // throws std::invalid_argument on invalid UTF-8
  Operation& erase(std::size_t count);
  // insert() for text already known valid with a known code-point count: the algorithms
  // (compose, transform, invert, decode) slice validated text and must not pay twice.
  // Precondition: utf8 is valid UTF-8 of exactly `code_points` code points.
  Operation& insert_validated(std::string_view utf8, std::size_t code_points);

  void reserve(std::size_t component_count) { components_.reserve(component_count); }
  // Back to the empty op, keeping the allocated capacity (for scratch ops reused in loops).
  void clear() noexcept {
    components_.clear();
    base_length_ = 0;
    target_length_ = 0;
  }

  [[nodiscard]] std::size_t base_length() const noexcept { return base_length_; }
  [[nodiscard]] std::size_t target_length() const noexcept { return target_length_; }
  [[nodiscard]] const std::vector<Component>& components() const noexcept { return components_; }
  [[nodiscard]] bool empty() const noexcept { return components_.empty(); }
  // True if applying the op changes nothing (only retains, or nothing at all).
  [[nodiscard]] bool is_identity() const noexcept;

  [[nodiscard]] bool operator==(const Operation&) const = default;

 private:
  static void check_length(std::size_t length) {
    if (length > kMaxLength) throw_too_long(length);
  }
  [[noreturn]] static void throw_too_long(std::size_t length);

  std::vector<Component> components_;
  std::size_t base_length_ = 0;
  std::size_t target_length_ = 0;
};

// Writes the wire form, e.g. [5,"abc",-2], for logs and test failure messages.
std::ostream& operator<<(std::ostream& out, const Operation& op);

}  // namespace otter::ot
