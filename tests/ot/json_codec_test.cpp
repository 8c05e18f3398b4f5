#include "ot/json_codec.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "op_testing.hpp"

namespace otter::ot {
namespace {

using testing::generate_op;
using testing::Random;
using testing::random_text;
using testing::test_seed;

ErrorCode decode_error(std::string_view text) {
  const Expected<Operation> op = decode(text);
  EXPECT_FALSE(op) << "decoded " << text << " as " << *op;
  return op ? ErrorCode::malformed_op : op.error().code;
}

TEST(JsonCodec, EncodesRetainInsertDeleteAsPositiveStringNegative) {
  Operation op;
  op.retain(5).insert("abc").erase(2);
  EXPECT_EQ(encode(op), "[5,\"abc\",-2]");
  EXPECT_EQ(encode(Operation{}), "[]");
}

TEST(JsonCodec, WritesMultiByteTextAsUtf8AndEscapesControlCharacters) {
  Operation op;
  op.insert("\u00e9\U0001F600\"\n");
  EXPECT_EQ(encode(op), "[\"\u00e9\U0001F600\\\"\\n\"]");
}

TEST(JsonCodec, DecodesTheWireForm) {
  Operation expected;
  expected.retain(5).insert("abc").erase(2);
  EXPECT_EQ(decode("[5, \"abc\", -2]").value(), expected);
  EXPECT_EQ(decode("[]").value(), Operation{});
  EXPECT_EQ(decode(" [ \"\\u00e9\\ud83d\\ude00\" ] ").value().target_length(), 2U);
}

TEST(JsonCodec, DecodeCanonicalizes) {
  EXPECT_EQ(encode(decode("[1, 2, \"a\", \"b\", -1, -1]").value()), "[3,\"ab\",-2]");
  EXPECT_EQ(encode(decode("[-1, \"a\", 2]").value()), "[\"a\",-1,2]");
}

TEST(JsonCodec, RejectsTextThatIsNotJson) {
  EXPECT_EQ(decode_error(""), ErrorCode::invalid_json);
  EXPECT_EQ(decode_error("[1,"), ErrorCode::invalid_json);
  EXPECT_EQ(decode_error("[1] [2]"), ErrorCode::invalid_json);
}

TEST(JsonCodec, RejectsValuesThatAreNotOps) {
  EXPECT_EQ(decode_error("{\"ops\": [1]}"), ErrorCode::malformed_op);
  EXPECT_EQ(decode_error("5"), ErrorCode::malformed_op);
  EXPECT_EQ(decode_error("[true]"), ErrorCode::malformed_op);
  EXPECT_EQ(decode_error("[null]"), ErrorCode::malformed_op);
  EXPECT_EQ(decode_error("[[1]]"), ErrorCode::malformed_op);
  EXPECT_EQ(decode_error("[{}]"), ErrorCode::malformed_op);
}

TEST(JsonCodec, RejectsZeroComponentsAndFloats) {
  EXPECT_EQ(decode_error("[0]"), ErrorCode::malformed_op);
  EXPECT_EQ(decode_error("[-0]"), ErrorCode::malformed_op);
  EXPECT_EQ(decode_error("[3, \"\"]"), ErrorCode::malformed_op);
  EXPECT_EQ(decode_error("[2.0]"), ErrorCode::malformed_op);
  EXPECT_EQ(decode_error("[1.5]"), ErrorCode::malformed_op);
  EXPECT_EQ(decode_error("[1e2]"), ErrorCode::malformed_op);
  const Expected<Operation> zero = decode("[1, 0]");
  EXPECT_EQ(zero.error().message, "component at index 1 is 0; zero-length components are not allowed");
}

TEST(JsonCodec, RejectsCountsAndLengthsBeyondTheSafeIntegerLimit) {
  EXPECT_EQ(decode_error("[9007199254740992]"), ErrorCode::op_too_large);   // 2^53
  EXPECT_EQ(decode_error("[-9007199254740992]"), ErrorCode::op_too_large);  // 2^53
  EXPECT_EQ(decode_error("[9223372036854775807]"), ErrorCode::op_too_large);
  EXPECT_EQ(decode_error("[-9223372036854775808]"), ErrorCode::op_too_large);  // INT64_MIN
  EXPECT_EQ(decode_error("[18446744073709551615]"), ErrorCode::op_too_large);  // parses as uint64
  EXPECT_EQ(decode_error("[99999999999999999999]"), ErrorCode::malformed_op);  // beyond uint64: a double
  EXPECT_EQ(decode_error("[9007199254740991, 1]"), ErrorCode::op_too_large);   // running total
  EXPECT_EQ(decode_error("[4503599627370496, -4503599627370496]"), ErrorCode::op_too_large);
  EXPECT_EQ(decode("[9007199254740991]").value().base_length(), kMaxLength);
}

TEST(JsonCodec, RejectsInvalidUtf8) {
  EXPECT_EQ(decode_error("[\"\xC3\"]"), ErrorCode::invalid_utf8);
  EXPECT_EQ(decode_error("[\"\xED\xA0\x80\"]"), ErrorCode::invalid_utf8);
  // Built programmatically, a boost::json::string can hold any bytes: from_json checks too.
  boost::json::array json;
  json.emplace_back(boost::json::string_view("\xF5\x80"));
  const Expected<Operation> op = from_json(json);
  ASSERT_FALSE(op);
  EXPECT_EQ(op.error().code, ErrorCode::invalid_utf8);
}

TEST(JsonCodec, ALoneSurrogateEscapeIsRejectedAsInvalidJson) {
  // \ud800 alone encodes no character; Boost.JSON refuses it while parsing.
  EXPECT_EQ(decode_error("[\"\\ud800\"]"), ErrorCode::invalid_json);
  EXPECT_EQ(decode_error("[\"\\udc00\\ud800\"]"), ErrorCode::invalid_json);
}

TEST(JsonCodec, AcceptsAnEscapedNul) { EXPECT_EQ(decode("[\"\\u0000\"]").value().target_length(), 1U); }

TEST(JsonCodec, ToJsonAndFromJsonWorkOnBoostValues) {
  Operation op;
  op.retain(1).insert("\u4e2d").erase(3);
  const boost::json::value json = to_json(op);
  EXPECT_EQ(boost::json::serialize(json), "[1,\"\u4e2d\",-3]");
  EXPECT_EQ(from_json(json).value(), op);
}

// Canonical form is stable under the wire: decode(encode(op)) == op, and re-encoding the
// decoded op gives the same bytes.
TEST(JsonCodecProperty, CanonicalFormSurvivesARoundTrip) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("OTTER_SEED=" + std::to_string(seed));
  Random random(seed);
  for (int i = 0; i < 3000; ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    const Operation op = generate_op(random, random_text(random, 20)).op;
    const std::string wire = encode(op);
    const Expected<Operation> decoded = decode(wire);
    ASSERT_TRUE(decoded) << wire << ": " << decoded.error().message;
    ASSERT_EQ(*decoded, op) << wire;
    ASSERT_EQ(encode(*decoded), wire);
  }
}

}  // namespace
}  // namespace otter::ot
