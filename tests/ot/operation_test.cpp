#include "ot/operation.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

namespace otter::ot {
namespace {

std::string wire(const Operation& op) {
  std::ostringstream out;
  out << op;
  return out.str();
}

TEST(Operation, ADefaultOpIsEmptyAndAppliesToTheEmptyText) {
  const Operation op;
  EXPECT_TRUE(op.empty());
  EXPECT_TRUE(op.is_identity());
  EXPECT_EQ(op.base_length(), 0U);
  EXPECT_EQ(op.target_length(), 0U);
  EXPECT_EQ(wire(op), "[]");
}

TEST(Operation, BuildersTrackBaseAndTargetLengthsInCodePoints) {
  Operation op;
  op.retain(5).insert("a\u00e9\U0001F600").erase(2).retain(1);
  EXPECT_EQ(op.base_length(), 8U);    // 5 + 2 + 1
  EXPECT_EQ(op.target_length(), 9U);  // 5 + 3 + 1
  ASSERT_EQ(op.components().size(), 4U);
  EXPECT_EQ(op.components()[1].length(), 3U);
  EXPECT_EQ(op.components()[1].text(), "a\u00e9\U0001F600");
}

TEST(Operation, EmptyComponentsAreDropped) {
  Operation op;
  op.retain(0).insert("").erase(0);
  EXPECT_TRUE(op.empty());
  EXPECT_EQ(op, Operation{});
}

TEST(Operation, NeighboursOfOneKindMerge) {
  Operation op;
  op.retain(1).retain(2).insert("ab").insert("c").erase(1).erase(4);
  EXPECT_EQ(wire(op), "[3,\"abc\",-5]");
}

TEST(Operation, InsertAfterDeleteIsStoredBeforeIt) {
  Operation op;
  op.retain(1).erase(2).insert("x");
  EXPECT_EQ(wire(op), "[1,\"x\",-2]");

  Operation built_the_other_way;
  built_the_other_way.retain(1).insert("x").erase(2);
  EXPECT_EQ(op, built_the_other_way);
}

TEST(Operation, InsertAfterInsertAndDeleteJoinsTheEarlierInsert) {
  Operation op;
  op.insert("a").erase(1).insert("b").erase(1).insert("c");
  EXPECT_EQ(wire(op), "[\"abc\",-2]");
  EXPECT_EQ(op.base_length(), 2U);
  EXPECT_EQ(op.target_length(), 3U);
}

TEST(Operation, OpsWithTheSameEffectCompareEqualAndDifferentOnesDoNot) {
  Operation a;
  a.retain(2).insert("xy").erase(1).retain(3);
  Operation b;
  b.retain(1).retain(1).erase(1).insert("x").insert("y").retain(2).retain(1);
  EXPECT_EQ(a, b);
  Operation c;
  c.retain(2).insert("xz").erase(1).retain(3);
  EXPECT_NE(a, c);
}

TEST(Operation, IdentityOnlyRetains) {
  EXPECT_EQ(wire(Operation::identity(4)), "[4]");
  EXPECT_TRUE(Operation::identity(4).is_identity());
  EXPECT_EQ(Operation::identity(0), Operation{});
  Operation op;
  op.retain(1).erase(1);
  EXPECT_FALSE(op.is_identity());
}

TEST(Operation, InsertOfInvalidUtf8ThrowsAndLeavesTheOpUnchanged) {
  Operation op;
  op.retain(1);
  EXPECT_THROW(op.insert("\xC3"), std::invalid_argument);
  EXPECT_THROW(op.insert("\xED\xA0\x80"), std::invalid_argument);
  EXPECT_EQ(op, Operation::identity(1));
}

TEST(Operation, LengthsPastTheJavaScriptSafeIntegerLimitThrow) {
  Operation op;
  op.retain(kMaxLength);
  EXPECT_THROW(op.retain(1), std::length_error);
  EXPECT_THROW(op.erase(1), std::length_error);
  EXPECT_EQ(op.base_length(), kMaxLength);
  EXPECT_THROW(Operation{}.erase(kMaxLength + 1), std::length_error);
}

TEST(Operation, ClearKeepsNothingButCapacity) {
  Operation op;
  op.retain(3).insert("a");
  op.clear();
  EXPECT_EQ(op, Operation{});
}

TEST(Operation, PrintsTheWireFormWithJsonEscapes) {
  Operation op;
  op.insert("q\"b\\s\n\x01").retain(2);
  EXPECT_EQ(wire(op), "[\"q\\\"b\\\\s\\u000a\\u0001\",2]");
}

}  // namespace
}  // namespace otter::ot
