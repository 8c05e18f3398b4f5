#include "ot/apply.hpp"

#include <gtest/gtest.h>

#include "op_testing.hpp"
#include "ot/rope.hpp"

namespace otter::ot {
namespace {

using testing::generate_op;
using testing::Random;
using testing::random_text;
using testing::test_seed;
using testing::to_utf8;

TEST(Apply, RetainsInsertsAndDeletesCodePoints) {
  Operation op;
  op.retain(1).insert("XY").erase(2).retain(1);
  EXPECT_EQ(ot::apply("abcd", op).value(), "aXYd");
}

TEST(Apply, CountsMultiByteCharactersAsOne) {
  Operation op;
  op.retain(1).erase(1).insert("\U0001F44D").retain(2);  // replace the emoji
  EXPECT_EQ(ot::apply("\u00e9\U0001F600\u4e2dz", op).value(), "\u00e9\U0001F44D\u4e2dz");
}

TEST(Apply, TreatsACombiningMarkAsItsOwnCodePoint) {
  Operation op;
  op.retain(1).erase(1);  // "e" + U+0301: delete only the accent
  EXPECT_EQ(ot::apply("e\u0301", op).value(), "e");
}

TEST(Apply, TheEmptyOpAppliesToTheEmptyText) {
  EXPECT_EQ(ot::apply("", Operation{}).value(), "");
  Operation op;
  op.insert("hi");
  EXPECT_EQ(ot::apply("", op).value(), "hi");
}

TEST(Apply, ABaseLengthMismatchIsAnErrorThatNamesBothLengths) {
  Operation op;
  op.retain(7);
  const Expected<std::string> result = ot::apply("hello", op);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::base_length_mismatch);
  EXPECT_EQ(result.error().message, "op base length 7 does not match document length 5");
}

TEST(Apply, AnOpShorterThanTheTextIsAlsoAMismatchBecauseNoTrailingRetainIsImplied) {
  Operation op;
  op.retain(2).insert("x");
  EXPECT_FALSE(ot::apply("abc", op));
}

TEST(ApplyToRope, EditsInPlace) {
  Rope rope("h\u00e9llo w\U0001F600rld");
  Operation op;
  op.retain(7).erase(1).insert("o").retain(3).insert("!");
  ASSERT_TRUE(ot::apply(rope, op));
  EXPECT_EQ(rope.to_string(), "h\u00e9llo world!");
}

TEST(ApplyToRope, AMismatchLeavesTheRopeUntouched) {
  Rope rope("abc");
  Operation op;
  op.erase(2).insert("x").retain(2);  // base length 4
  const Expected<void> result = ot::apply(rope, op);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::base_length_mismatch);
  EXPECT_EQ(rope.to_string(), "abc");
}

// Property: apply produces exactly the text the generator computed, on both text types.
TEST(ApplyProperty, ProducesTheGeneratorsExpectedTextForStringsAndRopes) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("OTTER_SEED=" + std::to_string(seed));
  Random random(seed);
  for (int i = 0; i < 3000; ++i) {
    const std::u32string text = random_text(random, 20);
    const testing::GeneratedOp generated = generate_op(random, text);
    const std::string expected = to_utf8(generated.result);
    SCOPED_TRACE("case " + std::to_string(i) + " text \"" + to_utf8(text) + "\"");
    const Expected<std::string> applied = ot::apply(to_utf8(text), generated.op);
    ASSERT_TRUE(applied) << applied.error().message;
    ASSERT_EQ(*applied, expected) << generated.op;
    Rope rope(to_utf8(text));
    ASSERT_TRUE(ot::apply(rope, generated.op));
    ASSERT_EQ(rope.to_string(), expected) << generated.op;
    ASSERT_EQ(rope.size(), generated.op.target_length());
  }
}

}  // namespace
}  // namespace otter::ot
