// Rope: unit tests on code-point positions over multi-byte text, leaf boundaries and
// errors; a seeded property test against a std::u32string model; a balance test.
#include "ot/rope.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>

#include "tests/support/test_seed.hpp"
#include "tests/support/utf8_text.hpp"

namespace otter::ot {
namespace {

constexpr std::uint64_t kDefaultSeed = 20261121;

using otter::testing::to_utf8;

std::uint64_t test_seed() { return otter::testing::test_seed(kDefaultSeed); }

// "é" as e + COMBINING ACUTE ACCENT: two code points, one user-perceived character.
const std::string kCombined = "e\xCC\x81";
const std::string kEuro = "\xE2\x82\xAC";          // U+20AC, 3 bytes
const std::string kGrinning = "\xF0\x9F\x98\x80";  // U+1F600, 4 bytes

TEST(Rope, a_default_constructed_rope_is_empty) {
  const Rope rope;
  EXPECT_EQ(rope.size(), 0U);
  EXPECT_EQ(rope.size_bytes(), 0U);
  EXPECT_TRUE(rope.empty());
  EXPECT_EQ(rope.to_string(), "");
  EXPECT_EQ(rope.slice(0, 0), "");
  EXPECT_TRUE(rope.equals(""));
  EXPECT_EQ(rope.height(), 0U);
  rope.check_invariants();
}

TEST(Rope, sizes_count_code_points_and_bytes_separately) {
  const Rope rope("a\xC3\xA9" + kEuro + kGrinning + kCombined);
  EXPECT_EQ(rope.size(), 6U);  // a, é, €, 😀, e, U+0301
  EXPECT_EQ(rope.size_bytes(), 1U + 2 + 3 + 4 + 3);
}

TEST(Rope, insert_positions_count_code_points_not_bytes) {
  Rope rope(kGrinning + kGrinning);
  rope.insert(1, "x");
  EXPECT_EQ(rope.to_string(), kGrinning + "x" + kGrinning);
  rope.insert(3, kEuro);
  EXPECT_EQ(rope.to_string(), kGrinning + "x" + kGrinning + kEuro);
  rope.insert(0, "\xC3\xA9");
  EXPECT_EQ(rope.to_string(), "\xC3\xA9" + kGrinning + "x" + kGrinning + kEuro);
  EXPECT_EQ(rope.size(), 5U);
  rope.check_invariants();
}

TEST(Rope, erase_removes_whole_code_points) {
  Rope rope("a" + kGrinning + "b" + kEuro + "c");
  rope.erase(1, 1);
  EXPECT_EQ(rope.to_string(), "ab" + kEuro + "c");
  rope.erase(2, 2);
  EXPECT_EQ(rope.to_string(), "ab");
  EXPECT_EQ(rope.size_bytes(), 2U);
}

TEST(Rope, a_combining_mark_is_its_own_code_point) {
  Rope rope("x" + kCombined + "y");
  EXPECT_EQ(rope.size(), 4U);
  EXPECT_EQ(rope.slice(1, 1), "e");
  EXPECT_EQ(rope.slice(2, 1), "\xCC\x81");
  rope.erase(2, 1);
  EXPECT_EQ(rope.to_string(), "xey");
}

TEST(Rope, slice_returns_the_code_points_asked_for) {
  const Rope rope("h\xC3\xA9llo " + kGrinning + " w" + kEuro + "rld");
  EXPECT_EQ(rope.slice(0, 5), "h\xC3\xA9llo");
  EXPECT_EQ(rope.slice(6, 1), kGrinning);
  EXPECT_EQ(rope.slice(8, 3), "w" + kEuro + "r");
  EXPECT_EQ(rope.slice(rope.size(), 0), "");
}

TEST(Rope, erasing_everything_leaves_a_rope_that_accepts_inserts) {
  Rope rope(std::string(5000, 'a'));
  rope.erase(0, rope.size());
  EXPECT_TRUE(rope.empty());
  EXPECT_EQ(rope.size_bytes(), 0U);
  EXPECT_EQ(rope.height(), 0U);
  rope.insert(0, kGrinning);
  EXPECT_EQ(rope.to_string(), kGrinning);
  rope.check_invariants();
}

TEST(Rope, out_of_range_positions_throw_and_change_nothing) {
  Rope rope("ab" + kGrinning);
  EXPECT_THROW(rope.insert(4, "x"), std::out_of_range);
  EXPECT_THROW(rope.erase(3, 1), std::out_of_range);
  EXPECT_THROW(rope.erase(4, 0), std::out_of_range);
  EXPECT_THROW(rope.erase(1, SIZE_MAX), std::out_of_range);  // pos + count overflows
  EXPECT_THROW((void)rope.slice(2, 2), std::out_of_range);
  EXPECT_THROW((void)rope.slice(SIZE_MAX, 1), std::out_of_range);
  EXPECT_THROW(Rope().insert(1, "x"), std::out_of_range);
  EXPECT_EQ(rope.to_string(), "ab" + kGrinning);
  EXPECT_NO_THROW(rope.erase(3, 0));
  EXPECT_NO_THROW(rope.insert(3, ""));
}

TEST(Rope, equals_compares_the_whole_text) {
  const std::string text = std::string(3000, 'q') + kEuro;
  const Rope rope(text);
  EXPECT_TRUE(rope.equals(text));
  std::string last_byte_differs = text;
  last_byte_differs.back() = '\xAD';
  EXPECT_FALSE(rope.equals(last_byte_differs));
  EXPECT_FALSE(rope.equals(text.substr(1)));
  EXPECT_FALSE(rope.equals(text + "!"));
}

TEST(Rope, append_to_keeps_what_is_already_in_the_string) {
  const Rope rope(kEuro + "z");
  std::string out = "prefix:";
  rope.append_to(out);
  EXPECT_EQ(out, "prefix:" + kEuro + "z");
}

TEST(Rope, a_long_insert_of_four_byte_characters_is_cut_between_code_points) {
  // Longer than one leaf and than one insert chunk, with no ASCII to cut on.
  std::string emoji;
  for (int i = 0; i < 1000; ++i) emoji += kGrinning;
  Rope rope("[" + kEuro + "]");
  rope.insert(2, emoji);
  EXPECT_EQ(rope.to_string(), "[" + kEuro + emoji + "]");
  EXPECT_EQ(rope.size(), 1003U);
  EXPECT_EQ(rope.slice(2, 1), kGrinning);
  EXPECT_EQ(rope.slice(1001, 2), kGrinning + "]");
  rope.check_invariants();
  rope.erase(1, 1000);
  EXPECT_EQ(rope.to_string(), "[" + kGrinning + "]");
  rope.check_invariants();
}

TEST(Rope, edits_at_every_leaf_boundary_of_a_multi_leaf_text_stay_correct) {
  std::u32string model;
  for (int i = 0; i < 6000; ++i) model += static_cast<char32_t>(i % 7 == 0 ? 0x1F600 + i % 50 : 'a' + i % 26);
  Rope rope(to_utf8(model));
  ASSERT_GT(rope.height(), 1U);
  // Insert at a stride that crosses every leaf edge of a ~900-byte-leaf tree.
  for (std::size_t pos = 0; pos <= model.size(); pos += 97) {
    rope.insert(pos, kEuro);
    model.insert(pos, 1, U'\u20AC');
  }
  rope.check_invariants();
  ASSERT_EQ(rope.to_string(), to_utf8(model));
  for (std::size_t pos = 0; pos + 10 <= model.size(); pos += 89) {
    rope.erase(pos, 10);
    model.erase(pos, 10);
  }
  rope.check_invariants();
  EXPECT_EQ(rope.to_string(), to_utf8(model));
}

// Code-point offsets inside a leaf are found by scanning blocks, words and bytes, from
// whichever end is nearer: every position of a mixed-width leaf exercises each path.
TEST(Rope, every_position_in_a_leaf_of_mixed_widths_is_found) {
  std::u32string model;
  for (int i = 0; i < 300; ++i) {
    static constexpr char32_t kWidths[] = {U'a', U'\u00E9', U'\u20AC', U'\U0001F600', U'z', U'\u0301'};
    model += kWidths[(i * 7 + i / 5) % 6];
  }
  Rope rope(to_utf8(model));
  ASSERT_EQ(rope.height(), 1U) << "the text should fit in one leaf for this test";
  for (std::size_t pos = 0; pos < model.size(); ++pos) {
    ASSERT_EQ(rope.slice(pos, 1), to_utf8(model.substr(pos, 1))) << "at " << pos;
    rope.insert(pos, "#");
    ASSERT_EQ(rope.slice(pos, 2), "#" + to_utf8(model.substr(pos, 1))) << "at " << pos;
    rope.erase(pos, 1);
  }
  EXPECT_EQ(rope.to_string(), to_utf8(model));
}

TEST(Rope, a_copy_is_independent_and_a_move_empties_the_source) {
  Rope original(std::string(4000, 'o'));
  Rope copy = original;
  copy.insert(2000, kGrinning);
  EXPECT_EQ(original.size(), 4000U);
  EXPECT_EQ(copy.size(), 4001U);
  copy.check_invariants();
  Rope moved = std::move(copy);
  EXPECT_EQ(moved.size(), 4001U);
  EXPECT_EQ(copy.size(), 0U);  // NOLINT(bugprone-use-after-move): documented state
  EXPECT_TRUE(copy.equals(""));
  copy.insert(0, "again");
  EXPECT_EQ(copy.to_string(), "again");
}

// ---- property test -------------------------------------------------------------------

// Code points from every UTF-8 length, plus a combining mark.
char32_t random_code_point(std::mt19937_64& rng) {
  static constexpr char32_t kAlphabet[] = {U'a',      U'b',      U' ',      U'\n',         U'\u00E9',
                                           U'\u0301', U'\u20AC', U'\u4E2D', U'\U0001F600', U'\U0001F9D1'};
  return kAlphabet[std::uniform_int_distribution<std::size_t>(0, std::size(kAlphabet) - 1)(rng)];
}

std::u32string random_text(std::mt19937_64& rng, std::size_t max_length) {
  std::u32string text(std::uniform_int_distribution<std::size_t>(0, max_length)(rng), U'\0');
  for (char32_t& c : text) c = random_code_point(rng);
  return text;
}

// Invariant: after any sequence of inserts and erases, the rope holds exactly the model's
// text, its sizes match the model, every slice matches, and the tree invariants hold.
TEST(RopeProperty, random_edits_match_a_code_point_string_model) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (rerun with OTTER_SEED=" + std::to_string(seed) + ")");
  std::mt19937_64 rng(seed);
  std::u32string model = random_text(rng, 3000);
  Rope rope(to_utf8(model));
  constexpr int kSteps = 4000;
  std::size_t tallest = 0;
  for (int step = 0; step < kSteps; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    const auto pick = [&](std::size_t hi) { return std::uniform_int_distribution<std::size_t>(0, hi)(rng); };
    const std::size_t choice = pick(99);
    if (choice < 45) {
      // Mostly keystrokes, sometimes pastes longer than a leaf.
      const std::u32string text = random_text(rng, choice < 40 ? 3 : 3000);
      const std::size_t pos = pick(model.size());
      rope.insert(pos, to_utf8(text));
      model.insert(pos, text);
    } else if (choice < 90) {
      const std::size_t pos = pick(model.size());
      const std::size_t count = pick(std::min<std::size_t>(model.size() - pos, choice < 85 ? 3 : 5000));
      rope.erase(pos, count);
      model.erase(pos, count);
    } else {
      const std::size_t pos = pick(model.size());
      const std::size_t count = pick(model.size() - pos);
      ASSERT_EQ(rope.slice(pos, count), to_utf8(model.substr(pos, count)));
    }
    ASSERT_EQ(rope.size(), model.size());
    tallest = std::max(tallest, rope.height());
    if (step % 16 == 0) {
      ASSERT_NO_THROW(rope.check_invariants());
      ASSERT_TRUE(rope.equals(to_utf8(model)));
    }
  }
  rope.check_invariants();
  EXPECT_EQ(rope.to_string(), to_utf8(model));
  EXPECT_EQ(rope.size_bytes(), to_utf8(model).size());
  EXPECT_GE(tallest, 3U) << "the edits never grew a tree with branches below the root";
}

// ---- balance -------------------------------------------------------------------------

// A B-tree of height h whose root has >= 2 children and other branches >= kMinChildren
// has at least 2 * kMinChildren^(h-2) leaves; non-root leaves hold >= kMinLeafBytes.
std::size_t height_bound(std::size_t bytes) {
  const double max_leaves = std::max(2.0, static_cast<double>(bytes) / Rope::kMinLeafBytes);
  return 2 + static_cast<std::size_t>(
                 std::floor(std::log(max_leaves / 2) / std::log(static_cast<double>(Rope::kMinChildren))));
}

TEST(RopeBalance, a_large_text_stays_shallow_after_100k_random_edits) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::string initial(2'000'000, 'x');
  Rope rope(initial);
  std::size_t expected_size = initial.size();
  for (int step = 0; step < 100'000; ++step) {
    const std::size_t pos = std::uniform_int_distribution<std::size_t>(0, rope.size())(rng);
    const int kind = std::uniform_int_distribution<int>(0, 9)(rng);
    if (kind < 5) {
      rope.insert(pos, kind == 0 ? kGrinning + kEuro + "yz" : "y");
      expected_size += kind == 0 ? 4 : 1;
    } else if (pos < rope.size()) {
      const std::size_t count = std::min<std::size_t>(rope.size() - pos, kind == 9 ? 20 : 1);
      rope.erase(pos, count);
      expected_size -= count;
    }
  }
  ASSERT_EQ(rope.size(), expected_size);
  ASSERT_NO_THROW(rope.check_invariants());
  EXPECT_LE(rope.height(), height_bound(rope.size_bytes()));
  EXPECT_GE(rope.height(), 3U);  // 2 MB cannot fit in fewer levels: the test measures a tree
}

TEST(RopeBalance, typing_a_long_text_at_the_end_keeps_the_tree_shallow) {
  Rope rope;
  for (int i = 0; i < 300'000; ++i) rope.insert(rope.size(), i % 60 == 59 ? "\n" : "t");
  ASSERT_NO_THROW(rope.check_invariants());
  EXPECT_EQ(rope.size(), 300'000U);
  EXPECT_LE(rope.height(), height_bound(rope.size_bytes()));
}

}  // namespace
}  // namespace otter::ot
