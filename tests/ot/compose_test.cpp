#include "ot/compose.hpp"

#include <gtest/gtest.h>

#include "op_testing.hpp"
#include "ot/apply.hpp"

namespace otter::ot {
namespace {

using testing::generate_op;
using testing::Random;
using testing::random_text;
using testing::test_seed;
using testing::to_utf8;

TEST(Compose, TypingTwoCharactersComposesIntoOneInsert) {
  Operation a;
  a.retain(2).insert("x").retain(1);
  Operation b;
  b.retain(3).insert("y").retain(1);
  Operation expected;
  expected.retain(2).insert("xy").retain(1);
  EXPECT_EQ(compose(a, b).value(), expected);
}

TEST(Compose, DeletingJustInsertedTextLeavesNoTrace) {
  Operation a;
  a.retain(1).insert("\U0001F600\u00e9").retain(1);
  Operation b;
  b.retain(1).erase(2).retain(1);
  EXPECT_EQ(compose(a, b).value(), Operation::identity(2));
}

TEST(Compose, DeletesOfBothOpsAddUpOverTheOriginalText) {
  Operation a;
  a.erase(1).retain(3);  // "abcd" -> "bcd"
  Operation b;
  b.retain(1).erase(1).retain(1);  // "bcd" -> "bd"
  Operation expected;
  expected.erase(1).retain(1).erase(1).retain(1);
  EXPECT_EQ(compose(a, b).value(), expected);
}

TEST(Compose, SplitsAMultiByteInsertOnCodePointBoundaries) {
  Operation a;
  a.insert("\u4e2d\U0001F600\u00e9");
  Operation b;
  b.retain(1).erase(1).retain(1);
  Operation expected;
  expected.insert("\u4e2d\u00e9");
  EXPECT_EQ(compose(a, b).value(), expected);
}

TEST(Compose, MismatchedLengthsAreAnError) {
  Operation a;
  a.retain(2).insert("x");  // target 3
  const Expected<Operation> composed = compose(a, Operation::identity(2));
  ASSERT_FALSE(composed);
  EXPECT_EQ(composed.error().code, ErrorCode::base_length_mismatch);
  EXPECT_EQ(composed.error().message,
            "cannot compose: the first op's target length 3 does not match the second op's base length 2");
}

// Law: ot::apply(ot::apply(S, A), B) == ot::apply(S, compose(A, B)), and the composed lengths are A's
// base and B's target.
TEST(ComposeProperty, ComposedOpHasTheEffectOfBothInSequence) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("OTTER_SEED=" + std::to_string(seed));
  Random random(seed);
  for (int i = 0; i < 3000; ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    const std::u32string s = random_text(random, 20);
    const testing::GeneratedOp a = generate_op(random, s);
    const testing::GeneratedOp b = generate_op(random, a.result);
    const Expected<Operation> ab = compose(a.op, b.op);
    ASSERT_TRUE(ab) << ab.error().message;
    EXPECT_EQ(ab->base_length(), a.op.base_length());
    EXPECT_EQ(ab->target_length(), b.op.target_length());
    const Expected<std::string> applied = ot::apply(to_utf8(s), *ab);
    ASSERT_TRUE(applied);
    ASSERT_EQ(*applied, to_utf8(b.result)) << "A=" << a.op << " B=" << b.op << " AB=" << *ab;
  }
}

TEST(ComposeProperty, ComposeIsAssociative) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("OTTER_SEED=" + std::to_string(seed));
  Random random(seed);
  for (int i = 0; i < 2000; ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    const std::u32string s = random_text(random, 16);
    const testing::GeneratedOp a = generate_op(random, s);
    const testing::GeneratedOp b = generate_op(random, a.result);
    const testing::GeneratedOp c = generate_op(random, b.result);
    const Operation left = compose(compose(a.op, b.op).value(), c.op).value();
    const Operation right = compose(a.op, compose(b.op, c.op).value()).value();
    ASSERT_EQ(left, right) << "A=" << a.op << " B=" << b.op << " C=" << c.op;
  }
}

}  // namespace
}  // namespace otter::ot
