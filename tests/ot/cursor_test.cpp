#include "ot/cursor.hpp"

#include <gtest/gtest.h>

#include "op_testing.hpp"
#include "ot/apply.hpp"
#include "ot/utf8.hpp"

namespace otter::ot {
namespace {

using testing::generate_op;
using testing::Random;
using testing::random_text;
using testing::test_seed;
using testing::to_utf8;

Operation sample_op() {
  // "abcdef" -> "aXYbf": insert "XY" at 1, delete "cde" at 2..5.
  Operation op;
  op.retain(1).insert("XY").retain(1).erase(3).retain(1);
  return op;
}

TEST(CursorTransform, TextInsertedBeforeTheCursorShiftsItRight) {
  EXPECT_EQ(transform_position(2, sample_op(), Side::left), 4U);
  EXPECT_EQ(transform_position(0, sample_op(), Side::right), 0U);
}

TEST(CursorTransform, TextInsertedAtTheCursorGoesAfterItOnTheLeftSideAndBeforeItOnTheRight) {
  EXPECT_EQ(transform_position(1, sample_op(), Side::left), 1U);
  EXPECT_EQ(transform_position(1, sample_op(), Side::right), 3U);
}

TEST(CursorTransform, ACursorInsideADeletedRangeMovesToWhereTheRangeWas) {
  EXPECT_EQ(transform_position(3, sample_op(), Side::left), 4U);
  EXPECT_EQ(transform_position(4, sample_op(), Side::right), 4U);
  EXPECT_EQ(transform_position(5, sample_op(), Side::right), 4U);  // at the range's end
}

TEST(CursorTransform, DeletingRightAfterTheCursorDoesNotMoveIt) {
  Operation op;
  op.retain(2).erase(2);
  EXPECT_EQ(transform_position(2, op, Side::right), 2U);
}

TEST(CursorTransform, APositionPastTheEndIsClampedToTheEnd) {
  EXPECT_EQ(transform_position(99, sample_op(), Side::left), 5U);
}

TEST(CursorTransform, ASelectionMovesBothEnds) {
  const Selection moved = transform_selection(Selection{0, 6}, sample_op(), Side::right);
  EXPECT_EQ(moved, (Selection{0, 5}));
  const Selection cursor = transform_selection(Selection{3, 3}, sample_op(), Side::left);
  EXPECT_TRUE(cursor.empty());
}

// Law: a cursor moves exactly like a zero-length insert on the same side would: put a
// marker character at the cursor, transform that insert against op, and the marker lands
// where transform_position says. Also: the result stays inside the new text, and
// transform_position keeps the order of positions.
TEST(CursorTransformProperty, ACursorMovesLikeAnInsertAtItAndStaysInsideTheText) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("OTTER_SEED=" + std::to_string(seed));
  Random random(seed);
  const std::string marker = "\uE000";  // not in the generator's alphabet
  for (int i = 0; i < 3000; ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    const std::u32string s = random_text(random, 20);
    const testing::GeneratedOp generated = generate_op(random, s);
    const std::string after = to_utf8(generated.result);
    std::size_t previous = 0;
    for (std::size_t position = 0; position <= s.size(); ++position) {
      for (const Side side : {Side::left, Side::right}) {
        const std::size_t moved = transform_position(position, generated.op, side);
        ASSERT_LE(moved, generated.op.target_length());
        Operation cursor_as_insert;
        cursor_as_insert.retain(position).insert(marker).retain(s.size() - position);
        const Operation marker_after = transform(cursor_as_insert, generated.op, side).value().a_prime;
        const std::string with_marker = ot::apply(after, marker_after).value();
        ASSERT_EQ(moved, count_code_points(std::string_view(with_marker).substr(0, with_marker.find(marker))))
            << "op " << generated.op << " position " << position << " side "
            << (side == Side::left ? "left" : "right");
      }
      const std::size_t moved = transform_position(position, generated.op, Side::left);
      ASSERT_GE(moved, previous);
      previous = moved;
    }
  }
}

}  // namespace
}  // namespace otter::ot
