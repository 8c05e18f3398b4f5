// Rope implementation: a B-tree of UTF-8 chunks.
//
// Shape
//   Leaf    up to kLeafCapacityBytes of UTF-8 stored inline (no second allocation), with
//           its byte length and cached code-point count.
//   Branch  2..kMaxChildren children, with each child's code-point and byte totals cached
//           in two arrays beside the child pointers, so finding the child that holds a
//           position scans one small array of counts and never touches the children.
//   An empty rope has no root at all.
//
// Invariants (check_invariants() verifies every one)
//   1. Every leaf is at the same depth (edits split and merge, never rotate).
//   2. A leaf holds 1..kLeafCapacityBytes bytes and starts on a code-point boundary, so no
//      code point straddles two leaves; a leaf that is not the root holds at least
//      kMinLeafBytes.
//   3. A branch that is not the root has kMinChildren..kMaxChildren children; a root
//      branch has at least two.
//   4. Every cached count equals the real count of the subtree below it, and the rope's
//      size()/size_bytes() equal the root's totals.
//   Together, 1-3 bound the height by about log_kMinChildren(bytes / kMinLeafBytes) + 2.
//
// Edits
//   insert  descends to one leaf (an insert at a boundary goes to the end of the left
//           leaf, where typing happens), shifts bytes inside it, and on overflow splits
//           it in two; a split may propagate up and grow a new root. Text longer than
//           kMaxInsertChunk is inserted chunk by chunk, so a leaf overflows by at most half
//           its capacity and one split always suffices. An insert into an empty rope
//           builds the tree bottom-up instead.
//   erase   removes, one leaf at a time, the part of the range inside the leaf holding
//           `pos`. An emptied leaf is dropped; a leaf or branch that falls below its
//           minimum is merged with a neighbour, or shares with it when the two do not
//           fit in one node. Only one root-to-leaf path changes per step, so the
//           neighbours' subtrees are always valid, as in a textbook B-tree deletion.
//   Cached counts are updated on the way back up the path.
#include "ot/rope.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

namespace otter::ot {

namespace rope_detail {

struct Node {
  explicit Node(bool leaf) noexcept : is_leaf(leaf) {}
  const bool is_leaf;
};

struct Leaf final : Node {
  Leaf() noexcept : Node(true) {}
  [[nodiscard]] std::string_view view() const noexcept { return {text, bytes}; }

  std::size_t bytes = 0;
  std::size_t chars = 0;
  char text[Rope::kLeafCapacityBytes];  // only the first `bytes` are meaningful
};

struct Branch final : Node {
  Branch() noexcept : Node(false) {}

  std::size_t count = 0;
  std::size_t chars[Rope::kMaxChildren];  // code points below children[i]
  std::size_t bytes[Rope::kMaxChildren];  // bytes below children[i]
  NodePtr children[Rope::kMaxChildren];
};

void NodeDeleter::operator()(Node* node) const noexcept {
  if (node->is_leaf) {
    delete static_cast<Leaf*>(node);
  } else {
    delete static_cast<Branch*>(node);
  }
}

}  // namespace rope_detail

namespace {

using rope_detail::Branch;
using rope_detail::Leaf;
using rope_detail::Node;
using rope_detail::NodePtr;

constexpr std::size_t kLeafCapacity = Rope::kLeafCapacityBytes;
constexpr std::size_t kMaxChildren = Rope::kMaxChildren;
// Longest piece inserted into a leaf at once: a full leaf plus this splits into two
// halves that both fit, whatever code-point boundary the cut lands on.
constexpr std::size_t kMaxInsertChunk = kLeafCapacity / 2;
// How full bottom-up building fills leaves: room left for typing before the first split.
constexpr std::size_t kBuildLeafBytes = kLeafCapacity - kLeafCapacity / 8;

// ---- UTF-8 counting: the rope's hot loops ----------------------------------------------
//
// A code point starts at every byte that is not a continuation byte (10xxxxxx). Counting
// goes 32 bytes at a time with a loop the compiler vectorises (SSE2 is baseline on
// x86-64), then 8 at a time with a bit trick, then byte by byte. These are not
// ot/utf8.hpp's general helpers on purpose: with the scan from the nearer end of a leaf
// they made edits in mixed-width text 3-4x faster (measured; docs/benchmarks.md).

constexpr std::size_t kBlockBytes = 32;

[[nodiscard]] bool is_continuation(char c) noexcept { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

// Code points starting in the kBlockBytes at `p`. As signed chars, continuation bytes
// are exactly -128..-65. Fixed length and branch-free so that it vectorises.
[[nodiscard]] std::size_t starts_in_block(const char* p) noexcept {
  std::uint8_t starts = 0;  // byte lanes: at most 32, and the vector code stays narrow
  for (std::size_t i = 0; i < kBlockBytes; ++i) starts += static_cast<signed char>(p[i]) > -65 ? 1U : 0U;
  return starts;
}

// Code points starting in the 8 bytes at `p`: the continuation bytes are those with bit 7
// set and bit 6 clear; one multiply sums those flags (std::popcount would be a library
// call on baseline x86-64, which has no POPCNT instruction).
[[nodiscard]] std::size_t starts_in_word(const char* p) noexcept {
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  constexpr std::uint64_t kOnePerByte = 0x0101010101010101ULL;
  std::uint64_t word = 0;
  std::memcpy(&word, p, sizeof word);
  const std::uint64_t continuation_flags = (word & ~(word << 1U) & kHighBits) >> 7U;
  return 8 - static_cast<std::size_t>((continuation_flags * kOnePerByte) >> 56U);
}

[[nodiscard]] std::size_t count_code_points(std::string_view utf8) noexcept {
  std::size_t count = 0;
  std::size_t i = 0;
  for (; i + kBlockBytes <= utf8.size(); i += kBlockBytes) count += starts_in_block(&utf8[i]);
  for (; i + 8 <= utf8.size(); i += 8) count += starts_in_word(&utf8[i]);
  for (; i < utf8.size(); ++i) count += is_continuation(utf8[i]) ? 0 : 1;
  return count;
}

// Byte offset of code point `index` in `utf8` (utf8.size() when index == its count):
// skips whole blocks, then words, holding fewer starts than are left to skip.
[[nodiscard]] std::size_t byte_offset_of(std::string_view utf8, std::size_t index) noexcept {
  std::size_t i = 0;
  for (std::size_t starts = 0; i + kBlockBytes <= utf8.size(); i += kBlockBytes, index -= starts) {
    starts = starts_in_block(&utf8[i]);
    if (starts > index) break;
  }
  for (std::size_t starts = 0; i + 8 <= utf8.size(); i += 8, index -= starts) {
    starts = starts_in_word(&utf8[i]);
    if (starts > index) break;
  }
  for (; i < utf8.size(); ++i) {
    if (is_continuation(utf8[i])) continue;
    if (index == 0) return i;
    --index;
  }
  return utf8.size();
}

// The same answer found from the end: the byte offset where the code point starts that
// is `from_end` code points before the end (utf8.size() when from_end == 0).
[[nodiscard]] std::size_t byte_offset_from_end(std::string_view utf8, std::size_t from_end) noexcept {
  std::size_t end = utf8.size();
  if (from_end == 0) return end;
  for (std::size_t starts = 0; end >= kBlockBytes; end -= kBlockBytes, from_end -= starts) {
    starts = starts_in_block(&utf8[end - kBlockBytes]);
    if (starts >= from_end) break;
  }
  for (std::size_t starts = 0; end >= 8; end -= 8, from_end -= starts) {
    starts = starts_in_word(&utf8[end - 8]);
    if (starts >= from_end) break;
  }
  while (end > 0) {
    --end;
    if (!is_continuation(utf8[end]) && --from_end == 0) return end;
  }
  return 0;
}

// First code-point boundary at or after byte `i`.
[[nodiscard]] std::size_t boundary_at_or_after(std::string_view utf8, std::size_t i) noexcept {
  while (i < utf8.size() && is_continuation(utf8[i])) ++i;
  return i;
}

// ---- nodes ----------------------------------------------------------------------------

[[nodiscard]] Leaf& as_leaf(Node& node) noexcept { return static_cast<Leaf&>(node); }
[[nodiscard]] const Leaf& as_leaf(const Node& node) noexcept { return static_cast<const Leaf&>(node); }
[[nodiscard]] Branch& as_branch(Node& node) noexcept { return static_cast<Branch&>(node); }
[[nodiscard]] const Branch& as_branch(const Node& node) noexcept { return static_cast<const Branch&>(node); }

[[nodiscard]] NodePtr make_leaf(std::string_view utf8, std::size_t chars) {
  auto leaf = NodePtr(new Leaf());
  Leaf& l = as_leaf(*leaf);
  std::memcpy(l.text, utf8.data(), utf8.size());
  l.bytes = utf8.size();
  l.chars = chars;
  return leaf;
}

[[nodiscard]] std::size_t total_chars(const Node& node) noexcept {
  if (node.is_leaf) return as_leaf(node).chars;
  const Branch& b = as_branch(node);
  std::size_t sum = 0;
  for (std::size_t i = 0; i < b.count; ++i) sum += b.chars[i];
  return sum;
}

[[nodiscard]] std::size_t total_bytes(const Node& node) noexcept {
  if (node.is_leaf) return as_leaf(node).bytes;
  const Branch& b = as_branch(node);
  std::size_t sum = 0;
  for (std::size_t i = 0; i < b.count; ++i) sum += b.bytes[i];
  return sum;
}

void refresh_counts(Branch& b, std::size_t i) noexcept {
  b.chars[i] = total_chars(*b.children[i]);
  b.bytes[i] = total_bytes(*b.children[i]);
}

// Moves children [src_at, src_at + n) of `src` into `dst` before index `dst_at`.
void transfer_children(Branch& src, std::size_t src_at, Branch& dst, std::size_t dst_at, std::size_t n) noexcept {
  std::move_backward(dst.children + dst_at, dst.children + dst.count, dst.children + dst.count + n);
  std::copy_backward(dst.chars + dst_at, dst.chars + dst.count, dst.chars + dst.count + n);
  std::copy_backward(dst.bytes + dst_at, dst.bytes + dst.count, dst.bytes + dst.count + n);
  std::move(src.children + src_at, src.children + src_at + n, dst.children + dst_at);
  std::copy(src.chars + src_at, src.chars + src_at + n, dst.chars + dst_at);
  std::copy(src.bytes + src_at, src.bytes + src_at + n, dst.bytes + dst_at);
  dst.count += n;
  std::move(src.children + src_at + n, src.children + src.count, src.children + src_at);
  std::copy(src.chars + src_at + n, src.chars + src.count, src.chars + src_at);
  std::copy(src.bytes + src_at + n, src.bytes + src.count, src.bytes + src_at);
  src.count -= n;
}

void remove_child(Branch& b, std::size_t i) noexcept {
  std::move(b.children + i + 1, b.children + b.count, b.children + i);
  std::copy(b.chars + i + 1, b.chars + b.count, b.chars + i);
  std::copy(b.bytes + i + 1, b.bytes + b.count, b.bytes + i);
  --b.count;
  b.children[b.count].reset();
}

// Puts `child` at index `at`; if `b` is full, first splits it and returns the new right
// half (with `child` in whichever half `at` falls into).
[[nodiscard]] NodePtr insert_child(Branch& b, std::size_t at, NodePtr child) {
  NodePtr sibling;
  Branch* target = &b;
  if (b.count == kMaxChildren) {
    sibling = NodePtr(new Branch());
    Branch& right = as_branch(*sibling);
    const std::size_t half = kMaxChildren / 2;
    transfer_children(b, half, right, 0, kMaxChildren - half);
    if (at > half) {
      target = &right;
      at -= half;
    }
  }
  std::move_backward(target->children + at, target->children + target->count, target->children + target->count + 1);
  std::copy_backward(target->chars + at, target->chars + target->count, target->chars + target->count + 1);
  std::copy_backward(target->bytes + at, target->bytes + target->count, target->bytes + target->count + 1);
  target->children[at] = std::move(child);
  ++target->count;
  refresh_counts(*target, at);
  return sibling;
}

[[nodiscard]] NodePtr clone(const Node& node) {
  if (node.is_leaf) return make_leaf(as_leaf(node).view(), as_leaf(node).chars);
  const Branch& from = as_branch(node);
  auto copy = NodePtr(new Branch());
  Branch& to = as_branch(*copy);
  for (std::size_t i = 0; i < from.count; ++i) {
    to.children[i] = clone(*from.children[i]);
    to.chars[i] = from.chars[i];
    to.bytes[i] = from.bytes[i];
  }
  to.count = from.count;
  return copy;
}

// ---- finding a position ----------------------------------------------------------------

// Child of `b` where an insert at `pos` goes: the first whose range ends at or after pos,
// so an insert on a boundary lands at the end of the left child. Makes `pos` relative.
[[nodiscard]] std::size_t child_for_insert(const Branch& b, std::size_t& pos) noexcept {
  std::size_t i = 0;
  while (i + 1 < b.count && pos > b.chars[i]) pos -= b.chars[i++];
  return i;
}

// Child of `b` holding code point `pos` (pos < total). Makes `pos` relative.
[[nodiscard]] std::size_t child_containing(const Branch& b, std::size_t& pos) noexcept {
  std::size_t i = 0;
  while (i + 1 < b.count && pos >= b.chars[i]) pos -= b.chars[i++];
  return i;
}

// Byte offset of code point `pos` in the leaf, scanning from the nearer end.
[[nodiscard]] std::size_t leaf_byte_offset(const Leaf& leaf, std::size_t pos) noexcept {
  if (leaf.chars == leaf.bytes) return pos;  // all ASCII
  if (pos <= leaf.chars / 2) return byte_offset_of(leaf.view(), pos);
  return byte_offset_from_end(leaf.view(), leaf.chars - pos);
}

// ---- building ----------------------------------------------------------------------------

// Cuts `utf8` into leaves of about kBuildLeafBytes, evenly, on code-point boundaries.
[[nodiscard]] std::vector<NodePtr> make_leaves(std::string_view utf8) {
  std::size_t leaves_left = (utf8.size() + kBuildLeafBytes - 1) / kBuildLeafBytes;
  std::vector<NodePtr> leaves;
  leaves.reserve(leaves_left);
  while (!utf8.empty()) {
    const std::size_t even_share = (utf8.size() + leaves_left - 1) / leaves_left;
    const std::size_t cut = boundary_at_or_after(utf8, even_share);
    const std::string_view piece = utf8.substr(0, cut);
    leaves.push_back(make_leaf(piece, count_code_points(piece)));
    utf8.remove_prefix(cut);
    --leaves_left;
  }
  return leaves;
}

// Groups one level of nodes under as few branches as possible, spread evenly so every
// branch gets at least kMinChildren (when there is more than one).
[[nodiscard]] std::vector<NodePtr> group_into_branches(std::vector<NodePtr> nodes) {
  const std::size_t groups = (nodes.size() + kMaxChildren - 1) / kMaxChildren;
  std::vector<NodePtr> parents;
  parents.reserve(groups);
  std::size_t next = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    const std::size_t end = nodes.size() * (g + 1) / groups;
    auto parent = NodePtr(new Branch());
    Branch& b = as_branch(*parent);
    for (; next < end; ++next) {
      b.children[b.count] = std::move(nodes[next]);
      refresh_counts(b, b.count);
      ++b.count;
    }
    parents.push_back(std::move(parent));
  }
  return parents;
}

[[nodiscard]] NodePtr build_tree(std::string_view utf8) {
  if (utf8.empty()) return nullptr;
  std::vector<NodePtr> level = make_leaves(utf8);
  while (level.size() > 1) level = group_into_branches(std::move(level));
  return std::move(level.front());
}

// ---- insert ------------------------------------------------------------------------------

struct Piece {
  std::string_view utf8;  // at most kMaxInsertChunk bytes
  std::size_t chars;
};

// `leaf` plus `piece` at byte `at` no longer fit: keeps the first half in `leaf` and
// returns the second half as a new leaf.
[[nodiscard]] NodePtr split_leaf_inserting(Leaf& leaf, std::size_t at, Piece piece) {
  std::array<char, kLeafCapacity + kMaxInsertChunk> joined;  // fully written below
  const std::size_t n = piece.utf8.size();
  std::memcpy(joined.data(), leaf.text, at);
  std::memcpy(joined.data() + at, piece.utf8.data(), n);
  std::memcpy(joined.data() + at + n, leaf.text + at, leaf.bytes - at);
  const std::string_view all(joined.data(), leaf.bytes + n);
  const std::size_t all_chars = leaf.chars + piece.chars;

  const std::size_t cut = boundary_at_or_after(all, all.size() / 2);
  const std::string_view right_text = all.substr(cut);
  NodePtr right = make_leaf(right_text, count_code_points(right_text));
  std::memcpy(leaf.text, all.data(), cut);
  leaf.bytes = cut;
  leaf.chars = all_chars - as_leaf(*right).chars;
  return right;
}

[[nodiscard]] NodePtr insert_into_leaf(Leaf& leaf, std::size_t pos, Piece piece) {
  const std::size_t at = leaf_byte_offset(leaf, pos);
  const std::size_t n = piece.utf8.size();
  if (leaf.bytes + n > kLeafCapacity) return split_leaf_inserting(leaf, at, piece);
  std::memmove(leaf.text + at + n, leaf.text + at, leaf.bytes - at);
  std::memcpy(leaf.text + at, piece.utf8.data(), n);
  leaf.bytes += n;
  leaf.chars += piece.chars;
  return nullptr;
}

// Inserts into the subtree under `node`; returns the new right sibling if `node` split.
[[nodiscard]] NodePtr insert_into(Node& node, std::size_t pos, Piece piece) {
  if (node.is_leaf) return insert_into_leaf(as_leaf(node), pos, piece);
  Branch& b = as_branch(node);
  const std::size_t i = child_for_insert(b, pos);
  NodePtr split = insert_into(*b.children[i], pos, piece);
  if (!split) {
    b.chars[i] += piece.chars;
    b.bytes[i] += piece.utf8.size();
    return nullptr;
  }
  refresh_counts(b, i);
  return insert_child(b, i + 1, std::move(split));
}

// ---- erase -------------------------------------------------------------------------------

struct Removed {
  std::size_t chars = 0;
  std::size_t bytes = 0;
};

[[nodiscard]] bool is_underfull(const Node& node) noexcept {
  if (node.is_leaf) return as_leaf(node).bytes < Rope::kMinLeafBytes;
  return as_branch(node).count < Rope::kMinChildren;
}

// Leaves `left` and `right` (adjacent, one underfull) hold more than one leaf's worth:
// moves bytes across the seam so each holds about half, cut on a code-point boundary.
void share_leaves(Leaf& left, Leaf& right) noexcept {
  const std::size_t half = (left.bytes + right.bytes) / 2;
  if (left.bytes < half) {
    const std::size_t moved = boundary_at_or_after(right.view(), half - left.bytes);
    const std::size_t moved_chars = count_code_points(right.view().substr(0, moved));
    std::memcpy(left.text + left.bytes, right.text, moved);
    std::memmove(right.text, right.text + moved, right.bytes - moved);
    left.bytes += moved;
    left.chars += moved_chars;
    right.bytes -= moved;
    right.chars -= moved_chars;
  } else {
    const std::size_t cut = boundary_at_or_after(left.view(), half);
    const std::size_t moved = left.bytes - cut;
    const std::size_t moved_chars = count_code_points(left.view().substr(cut));
    std::memmove(right.text + moved, right.text, right.bytes);
    std::memcpy(right.text, left.text + cut, moved);
    right.bytes += moved;
    right.chars += moved_chars;
    left.bytes = cut;
    left.chars -= moved_chars;
  }
}

// Merges children `l` and `l + 1` of `parent` (leaves) into one, or shares their bytes.
void rebalance_leaves(Branch& parent, std::size_t l) noexcept {
  Leaf& left = as_leaf(*parent.children[l]);
  Leaf& right = as_leaf(*parent.children[l + 1]);
  if (left.bytes + right.bytes <= kLeafCapacity) {
    std::memcpy(left.text + left.bytes, right.text, right.bytes);
    left.bytes += right.bytes;
    left.chars += right.chars;
    remove_child(parent, l + 1);
  } else {
    share_leaves(left, right);
    refresh_counts(parent, l + 1);
  }
  refresh_counts(parent, l);
}

// Merges children `l` and `l + 1` of `parent` (branches) into one, or shares children.
void rebalance_branches(Branch& parent, std::size_t l) noexcept {
  Branch& left = as_branch(*parent.children[l]);
  Branch& right = as_branch(*parent.children[l + 1]);
  const std::size_t total = left.count + right.count;
  if (total <= kMaxChildren) {
    transfer_children(right, 0, left, left.count, right.count);
    remove_child(parent, l + 1);
  } else {
    const std::size_t half = total / 2;
    if (left.count < half) {
      transfer_children(right, 0, left, left.count, half - left.count);
    } else {
      transfer_children(left, half, right, 0, left.count - half);
    }
    refresh_counts(parent, l + 1);
  }
  refresh_counts(parent, l);
}

// Child `i` of `parent` fell below its minimum: drop it if it is an empty leaf, else
// merge it with (or share with) a neighbour. A root with a single child has no
// neighbour to use; Rope::collapse_root() handles that case.
void fix_underfull_child(Branch& parent, std::size_t i) noexcept {
  if (parent.count == 1) return;
  const Node& child = *parent.children[i];
  if (child.is_leaf && as_leaf(child).bytes == 0) {
    remove_child(parent, i);
    return;
  }
  const std::size_t l = (i + 1 < parent.count) ? i : i - 1;
  if (child.is_leaf) {
    rebalance_leaves(parent, l);
  } else {
    rebalance_branches(parent, l);
  }
}

[[nodiscard]] Removed erase_from_leaf(Leaf& leaf, std::size_t pos, std::size_t count) noexcept {
  const std::size_t n = std::min(count, leaf.chars - pos);
  const std::size_t from = leaf_byte_offset(leaf, pos);
  const std::size_t to = (pos + n == leaf.chars) ? leaf.bytes : from + byte_offset_of(leaf.view().substr(from), n);
  std::memmove(leaf.text + from, leaf.text + to, leaf.bytes - to);
  leaf.bytes -= to - from;
  leaf.chars -= n;
  return {n, to - from};
}

// Erases up to `count` code points from `pos`, within the one leaf holding `pos`.
[[nodiscard]] Removed erase_from(Node& node, std::size_t pos, std::size_t count) noexcept {
  if (node.is_leaf) return erase_from_leaf(as_leaf(node), pos, count);
  Branch& b = as_branch(node);
  const std::size_t i = child_containing(b, pos);
  const Removed removed = erase_from(*b.children[i], pos, count);
  b.chars[i] -= removed.chars;
  b.bytes[i] -= removed.bytes;
  if (is_underfull(*b.children[i])) fix_underfull_child(b, i);
  return removed;
}

// ---- reading -----------------------------------------------------------------------------

// Appends code points [pos, pos + count) of the subtree (all inside it) to `out`.
void copy_range(const Node& node, std::size_t pos, std::size_t count, std::string& out) {
  if (node.is_leaf) {
    const Leaf& leaf = as_leaf(node);
    const std::size_t from = leaf_byte_offset(leaf, pos);
    const std::size_t to =
        (pos + count == leaf.chars) ? leaf.bytes : from + byte_offset_of(leaf.view().substr(from), count);
    out.append(leaf.text + from, to - from);
    return;
  }
  const Branch& b = as_branch(node);
  for (std::size_t i = child_containing(b, pos); count > 0; ++i, pos = 0) {
    const std::size_t take = std::min(count, b.chars[i] - pos);
    copy_range(*b.children[i], pos, take, out);
    count -= take;
  }
}

void append_all(const Node& node, std::string& out) {
  if (node.is_leaf) {
    out.append(as_leaf(node).view());
    return;
  }
  const Branch& b = as_branch(node);
  for (std::size_t i = 0; i < b.count; ++i) append_all(*b.children[i], out);
}

// Compares the subtree with `expected` starting at `offset`, advancing `offset`.
[[nodiscard]] bool equals_from(const Node& node, std::string_view expected, std::size_t& offset) {
  if (node.is_leaf) {
    const std::string_view text = as_leaf(node).view();
    if (expected.substr(offset, text.size()) != text) return false;
    offset += text.size();
    return true;
  }
  const Branch& b = as_branch(node);
  for (std::size_t i = 0; i < b.count; ++i) {
    if (!equals_from(*b.children[i], expected, offset)) return false;
  }
  return true;
}

// ---- checking ----------------------------------------------------------------------------

struct Checked {
  std::size_t chars = 0;
  std::size_t bytes = 0;
  std::size_t height = 0;
};

void require(bool holds, const char* what) {
  if (!holds) throw std::logic_error(std::string("Rope invariant broken: ") + what);
}

Checked check_leaf(const Leaf& leaf, bool is_root) {
  require(leaf.bytes <= kLeafCapacity, "leaf over capacity");
  require(leaf.bytes > 0, "empty leaf");
  require(is_root || leaf.bytes >= Rope::kMinLeafBytes, "non-root leaf under minimum");
  require(!is_continuation(leaf.text[0]), "leaf starts inside a code point");
  require(leaf.chars == count_code_points(leaf.view()), "leaf code-point count is stale");
  return {leaf.chars, leaf.bytes, 1};
}

Checked check_node(const Node& node, bool is_root) {
  if (node.is_leaf) return check_leaf(as_leaf(node), is_root);
  const Branch& b = as_branch(node);
  require(b.count <= kMaxChildren, "branch over capacity");
  require(b.count >= (is_root ? 2 : Rope::kMinChildren), "branch under minimum children");
  Checked total;
  for (std::size_t i = 0; i < b.count; ++i) {
    const Checked child = check_node(*b.children[i], false);
    require(child.chars == b.chars[i], "cached child code-point count is stale");
    require(child.bytes == b.bytes[i], "cached child byte count is stale");
    require(i == 0 || child.height == total.height, "leaves at different depths");
    total.chars += child.chars;
    total.bytes += child.bytes;
    total.height = child.height;
  }
  ++total.height;
  return total;
}

[[noreturn]] void throw_out_of_range(const char* operation, std::size_t pos, std::size_t count, std::size_t size) {
  throw std::out_of_range(std::string("Rope::") + operation + ": range [" + std::to_string(pos) + ", " +
                          std::to_string(pos) + " + " + std::to_string(count) + ") is outside the text of " +
                          std::to_string(size) + " code points");
}

}  // namespace

// ---- Rope --------------------------------------------------------------------------------

Rope::Rope() noexcept = default;

Rope::Rope(std::string_view utf8) : root_(build_tree(utf8)), chars_(count_code_points(utf8)), bytes_(utf8.size()) {}

Rope::Rope(const Rope& other)
    : root_(other.root_ ? clone(*other.root_) : nullptr), chars_(other.chars_), bytes_(other.bytes_) {}

Rope& Rope::operator=(const Rope& other) {
  if (this != &other) *this = Rope(other);
  return *this;
}

Rope::Rope(Rope&& other) noexcept
    : root_(std::move(other.root_)), chars_(std::exchange(other.chars_, 0)), bytes_(std::exchange(other.bytes_, 0)) {}

Rope& Rope::operator=(Rope&& other) noexcept {
  root_ = std::move(other.root_);
  chars_ = std::exchange(other.chars_, 0);
  bytes_ = std::exchange(other.bytes_, 0);
  return *this;
}

Rope::~Rope() = default;

void Rope::insert(std::size_t pos, std::string_view utf8) {
  if (pos > chars_) throw_out_of_range("insert", pos, 0, chars_);
  if (utf8.empty()) return;
  if (!root_) {
    *this = Rope(utf8);
    return;
  }
  while (!utf8.empty()) {
    std::size_t cut = utf8.size();
    if (cut > kMaxInsertChunk) {
      cut = kMaxInsertChunk;
      while (is_continuation(utf8[cut])) --cut;
    }
    const std::string_view piece = utf8.substr(0, cut);
    const std::size_t chars = count_code_points(piece);
    insert_chunk(pos, piece, chars);
    pos += chars;
    utf8.remove_prefix(cut);
  }
}

void Rope::insert_chunk(std::size_t pos, std::string_view utf8, std::size_t chars) {
  NodePtr split = insert_into(*root_, pos, Piece{utf8, chars});
  if (split) {
    auto new_root = NodePtr(new Branch());
    Branch& b = as_branch(*new_root);
    b.children[0] = std::move(root_);
    b.children[1] = std::move(split);
    b.count = 2;
    refresh_counts(b, 0);
    refresh_counts(b, 1);
    root_ = std::move(new_root);
  }
  chars_ += chars;
  bytes_ += utf8.size();
}

void Rope::erase(std::size_t pos, std::size_t count) {
  if (pos > chars_ || count > chars_ - pos) throw_out_of_range("erase", pos, count, chars_);
  while (count > 0) erase_within_one_leaf(pos, count);
}

void Rope::erase_within_one_leaf(std::size_t pos, std::size_t& count) {
  const Removed removed = erase_from(*root_, pos, count);
  count -= removed.chars;
  chars_ -= removed.chars;
  bytes_ -= removed.bytes;
  collapse_root();
}

void Rope::collapse_root() noexcept {
  while (!root_->is_leaf && as_branch(*root_).count == 1) {
    NodePtr only_child = std::move(as_branch(*root_).children[0]);
    root_ = std::move(only_child);
  }
  if (root_->is_leaf && as_leaf(*root_).bytes == 0) root_.reset();
}

std::string Rope::slice(std::size_t pos, std::size_t count) const {
  if (pos > chars_ || count > chars_ - pos) throw_out_of_range("slice", pos, count, chars_);
  std::string out;
  if (count == 0) return out;
  out.reserve(count);
  copy_range(*root_, pos, count, out);
  return out;
}

std::string Rope::to_string() const {
  std::string out;
  append_to(out);
  return out;
}

void Rope::append_to(std::string& out) const {
  if (!root_) return;
  out.reserve(out.size() + bytes_);
  append_all(*root_, out);
}

bool Rope::equals(std::string_view utf8) const {
  if (utf8.size() != bytes_) return false;
  if (!root_) return true;
  std::size_t offset = 0;
  return equals_from(*root_, utf8, offset);
}

std::size_t Rope::height() const noexcept {
  std::size_t levels = 0;
  for (const Node* node = root_.get(); node != nullptr; ++levels) {
    node = node->is_leaf ? nullptr : as_branch(*node).children[0].get();
  }
  return levels;
}

void Rope::check_invariants() const {
  if (!root_) {
    require(chars_ == 0 && bytes_ == 0, "empty tree with non-zero size");
    return;
  }
  const Checked total = check_node(*root_, true);
  require(total.chars == chars_, "rope code-point count is stale");
  require(total.bytes == bytes_, "rope byte count is stale");
}

}  // namespace otter::ot
