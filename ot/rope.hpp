// Rope: the text of one document, indexed by Unicode code points.
//
// Contract
// - Holds valid UTF-8 text. Positions and counts are code points (the unit of ot/ and of
//   the wire); a position never splits a code point.
// - size() (code points) and size_bytes() are O(1).
// - insert(pos, text) costs O(log n + len(text)); erase(pos, count) costs
//   O(log n + count); slice(pos, count) costs O(log n + count). No edit copies the
//   document: an edit in a 10 MB text touches one leaf of ~1 KB plus its ancestors.
// - Preconditions: inserted text is valid UTF-8 (validated at the edge, never here);
//   pos <= size() for insert, pos + count <= size() for erase and slice. A position out
//   of range throws std::out_of_range and leaves the rope unchanged.
// - A Rope is a value: copying copies the text (O(n)), moving is O(1) and leaves the
//   source empty.
//
// Design (details and invariants at the top of rope.cpp): a B-tree whose leaves hold
// UTF-8 bytes inline with their code-point count cached, and whose branches cache the
// code-point and byte counts of each child, so a position is found by one descent.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace otter::ot {

namespace rope_detail {
struct Node;
struct NodeDeleter {
  void operator()(Node* node) const noexcept;
};
using NodePtr = std::unique_ptr<Node, NodeDeleter>;
}  // namespace rope_detail

class Rope {
 public:
  // Shape of the tree, public so tests can state the depth bound they check.
  static constexpr std::size_t kLeafCapacityBytes = 1024;
  static constexpr std::size_t kMinLeafBytes = kLeafCapacityBytes / 4;  // except a root leaf
  static constexpr std::size_t kMaxChildren = 16;
  static constexpr std::size_t kMinChildren = kMaxChildren / 2;  // except the root

  Rope() noexcept;
  explicit Rope(std::string_view utf8);  // precondition: valid UTF-8
  Rope(const Rope& other);
  Rope& operator=(const Rope& other);
  Rope(Rope&& other) noexcept;
  Rope& operator=(Rope&& other) noexcept;
  ~Rope();

  [[nodiscard]] std::size_t size() const noexcept { return chars_; }        // code points
  [[nodiscard]] std::size_t size_bytes() const noexcept { return bytes_; }  // bytes
  [[nodiscard]] bool empty() const noexcept { return chars_ == 0; }

  // Inserts `utf8` before the code point at `pos` (pos == size() appends).
  void insert(std::size_t pos, std::string_view utf8);
  // Removes `count` code points starting at `pos`.
  void erase(std::size_t pos, std::size_t count);

  // The `count` code points starting at `pos`, as UTF-8.
  [[nodiscard]] std::string slice(std::size_t pos, std::size_t count) const;
  [[nodiscard]] std::string to_string() const;
  // Appends the whole text to `out` (reserves once).
  void append_to(std::string& out) const;
  // True if the text is byte-for-byte `utf8`; stops at the first difference.
  [[nodiscard]] bool equals(std::string_view utf8) const;

  // Number of node levels from the root to the leaves (0 for an empty rope).
  [[nodiscard]] std::size_t height() const noexcept;
  // Walks the whole tree and throws std::logic_error naming the first broken invariant.
  // O(n); for tests.
  void check_invariants() const;

 private:
  void insert_chunk(std::size_t pos, std::string_view utf8, std::size_t chars);
  void erase_within_one_leaf(std::size_t pos, std::size_t& count);
  void collapse_root() noexcept;

  rope_detail::NodePtr root_;  // null when empty
  std::size_t chars_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace otter::ot
