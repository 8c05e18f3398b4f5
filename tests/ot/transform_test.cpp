#include "ot/transform.hpp"

#include <gtest/gtest.h>

#include "op_testing.hpp"
#include "ot/apply.hpp"

namespace otter::ot {
namespace {

using testing::generate_op;
using testing::insert_at;
using testing::Random;
using testing::random_text;
using testing::test_seed;
using testing::to_utf8;

TEST(Transform, TheLeftInsertGoesFirstWhenBothInsertAtOnePlace) {
  const Operation a = insert_at(1, "A", 3);
  const Operation b = insert_at(1, "B", 3);
  const TransformedPair left = transform(a, b, Side::left).value();
  EXPECT_EQ(ot::apply(ot::apply("xyz", a).value(), left.b_prime).value(), "xAByz");
  EXPECT_EQ(ot::apply(ot::apply("xyz", b).value(), left.a_prime).value(), "xAByz");
  const TransformedPair right = transform(a, b, Side::right).value();
  EXPECT_EQ(ot::apply(ot::apply("xyz", a).value(), right.b_prime).value(), "xBAyz");
  EXPECT_EQ(ot::apply(ot::apply("xyz", b).value(), right.a_prime).value(), "xBAyz");
}

TEST(Transform, AnInsertInsideARangeTheOtherDeletesSurvives) {
  Operation a;
  a.retain(2).insert("\U0001F600").retain(2);  // "abcd": insert between b and c
  Operation b;
  b.retain(1).erase(2).retain(1);  // delete "bc"
  const TransformedPair pair = transform(a, b, Side::left).value();
  EXPECT_EQ(ot::apply(ot::apply("abcd", a).value(), pair.b_prime).value(), "a\U0001F600d");
  EXPECT_EQ(ot::apply(ot::apply("abcd", b).value(), pair.a_prime).value(), "a\U0001F600d");
}

TEST(Transform, OverlappingDeletesDeleteTheUnionOnce) {
  Operation a;
  a.retain(1).erase(3).retain(1);  // "abcde" -> "ae"
  Operation b;
  b.retain(2).erase(3);  // "abcde" -> "ab"
  const TransformedPair pair = transform(a, b, Side::left).value();
  Operation expected_a_prime;
  expected_a_prime.retain(1).erase(1);
  Operation expected_b_prime;
  expected_b_prime.retain(1).erase(1);
  EXPECT_EQ(pair.a_prime, expected_a_prime);
  EXPECT_EQ(pair.b_prime, expected_b_prime);
}

TEST(Transform, OpsOfDifferentBaseLengthsAreNotConcurrent) {
  const Expected<TransformedPair> pair = transform(Operation::identity(2), Operation::identity(3), Side::left);
  ASSERT_FALSE(pair);
  EXPECT_EQ(pair.error().code, ErrorCode::base_length_mismatch);
  EXPECT_EQ(pair.error().message, "cannot transform: op base lengths 2 and 3 differ, so the ops are not concurrent");
  EXPECT_FALSE(transform_against(Operation::identity(2), Operation::identity(3), Side::left));
  Operation out = Operation::identity(9);
  EXPECT_FALSE(transform_against(Operation::identity(2), Operation::identity(3), Side::left, out));
  EXPECT_EQ(out, Operation::identity(9));  // untouched on error
}

// Law (TP1): ot::apply(ot::apply(S, a), b') == ot::apply(ot::apply(S, b), a'), for either side.
TEST(TransformProperty, BothOrdersConvergeForEitherSide) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("OTTER_SEED=" + std::to_string(seed));
  Random random(seed);
  for (int i = 0; i < 4000; ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    const std::u32string s = random_text(random, 20);
    const std::string s8 = to_utf8(s);
    const testing::GeneratedOp a = generate_op(random, s);
    const testing::GeneratedOp b = generate_op(random, s);
    for (const Side side : {Side::left, Side::right}) {
      const Expected<TransformedPair> pair = transform(a.op, b.op, side);
      ASSERT_TRUE(pair) << pair.error().message;
      const Expected<std::string> ab = ot::apply(to_utf8(a.result), pair->b_prime);
      const Expected<std::string> ba = ot::apply(to_utf8(b.result), pair->a_prime);
      ASSERT_TRUE(ab && ba) << "a=" << a.op << " b=" << b.op;
      ASSERT_EQ(*ab, *ba) << "S=\"" << s8 << "\" a=" << a.op << " b=" << b.op
                          << " side=" << (side == Side::left ? "left" : "right");
    }
  }
}

TEST(TransformProperty, SwappingTheOpsAndTheSideSwapsTheResult) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("OTTER_SEED=" + std::to_string(seed));
  Random random(seed);
  for (int i = 0; i < 2000; ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    const std::u32string s = random_text(random, 16);
    const Operation a = generate_op(random, s).op;
    const Operation b = generate_op(random, s).op;
    const TransformedPair ab = transform(a, b, Side::left).value();
    const TransformedPair ba = transform(b, a, Side::right).value();
    ASSERT_EQ(ab.a_prime, ba.b_prime) << "a=" << a << " b=" << b;
    ASSERT_EQ(ab.b_prime, ba.a_prime) << "a=" << a << " b=" << b;
    ASSERT_EQ(transform_against(a, b, Side::left).value(), ab.a_prime);
    Operation reused = Operation::identity(3);
    ASSERT_TRUE(transform_against(a, b, Side::left, reused));
    ASSERT_EQ(reused, ab.a_prime);
  }
}

}  // namespace
}  // namespace otter::ot
