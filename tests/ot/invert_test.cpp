#include "ot/invert.hpp"

#include <gtest/gtest.h>

#include "op_testing.hpp"
#include "ot/apply.hpp"
#include "ot/rope.hpp"

namespace otter::ot {
namespace {

using testing::generate_op;
using testing::Random;
using testing::random_text;
using testing::test_seed;
using testing::to_utf8;

TEST(Invert, ReinsertsDeletedTextAndDeletesInsertedText) {
  Operation op;
  op.retain(1).insert("XY").erase(2).retain(1);  // "a\u00e9\U0001F600d" -> "aXYd"
  Operation expected;
  expected.retain(1).insert("\u00e9\U0001F600").erase(2).retain(1);
  EXPECT_EQ(invert(op, "a\u00e9\U0001F600d").value(), expected);
  EXPECT_EQ(invert(op, Rope("a\u00e9\U0001F600d")).value(), expected);
}

TEST(Invert, NeedsTheTextTheOpWasAppliedTo) {
  Operation op;
  op.erase(3);
  const Expected<Operation> inverse = invert(op, "ab");
  ASSERT_FALSE(inverse);
  EXPECT_EQ(inverse.error().code, ErrorCode::base_length_mismatch);
  EXPECT_FALSE(invert(op, Rope("ab")));
}

// Law: ot::apply(ot::apply(S, op), invert(op, S)) == S.
TEST(InvertProperty, TheInverseUndoesTheOp) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("OTTER_SEED=" + std::to_string(seed));
  Random random(seed);
  for (int i = 0; i < 3000; ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    const std::u32string s = random_text(random, 20);
    const std::string s8 = to_utf8(s);
    const testing::GeneratedOp generated = generate_op(random, s);
    const Expected<Operation> inverse = invert(generated.op, s8);
    ASSERT_TRUE(inverse);
    EXPECT_EQ(inverse->base_length(), generated.op.target_length());
    EXPECT_EQ(inverse->target_length(), generated.op.base_length());
    ASSERT_EQ(ot::apply(to_utf8(generated.result), *inverse).value(), s8) << generated.op << " inverse " << *inverse;
    ASSERT_EQ(invert(generated.op, Rope(s8)).value(), *inverse);
  }
}

}  // namespace
}  // namespace otter::ot
