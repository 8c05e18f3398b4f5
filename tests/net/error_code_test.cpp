#include "net/error_code.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "net/expected.hpp"

namespace otter::net {
namespace {

TEST(ErrorCodes, HaveUniqueSnakeCaseNamesThatParseBack) {
  std::set<std::string_view> names;
  for (const ErrorCode code : kAllErrorCodes) {
    const std::string_view name = to_string(code);
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_0123456789"), std::string_view::npos) << name;
    EXPECT_EQ(parse_error_code(name), code);
  }
  EXPECT_EQ(names.size(), 25U);  // the rows of docs/protocol.md's table
  EXPECT_EQ(parse_error_code("nope"), std::nullopt);
  EXPECT_EQ(parse_error_code("BAD_JSON"), std::nullopt);
}

TEST(ErrorCodes, MatchTheNamesOfTheProtocolTable) {
  EXPECT_EQ(to_string(ErrorCode::bad_json), "bad_json");
  EXPECT_EQ(to_string(ErrorCode::frame_too_large), "frame_too_large");
  EXPECT_EQ(to_string(ErrorCode::invalid_doc_id), "invalid_doc_id");
  EXPECT_EQ(to_string(ErrorCode::seq_out_of_order), "seq_out_of_order");
  EXPECT_EQ(to_string(ErrorCode::storage_unavailable), "storage_unavailable");
  EXPECT_EQ(to_string(ErrorCode::shutting_down), "shutting_down");
}

TEST(ErrorCodes, OnlyTheFatalOnesCarryACloseCode) {
  EXPECT_EQ(close_code(ErrorCode::frame_too_large), 1009);
  EXPECT_EQ(close_code(ErrorCode::slow_consumer), 1008);
  EXPECT_EQ(close_code(ErrorCode::shutting_down), 1001);
  EXPECT_EQ(close_code(ErrorCode::unsupported_version), 1002);
  int fatal = 0;
  for (const ErrorCode code : kAllErrorCodes) fatal += is_fatal(code) ? 1 : 0;
  EXPECT_EQ(fatal, 4);
  EXPECT_FALSE(is_fatal(ErrorCode::bad_json));
  EXPECT_FALSE(is_fatal(ErrorCode::binary_frame));
}

TEST(ErrorCodes, MapOtErrorsToProtocolErrors) {
  EXPECT_EQ(from_ot(ot::ErrorCode::malformed_op), ErrorCode::invalid_op);
  EXPECT_EQ(from_ot(ot::ErrorCode::op_too_large), ErrorCode::invalid_op);
  EXPECT_EQ(from_ot(ot::ErrorCode::invalid_utf8), ErrorCode::invalid_utf8);
  EXPECT_EQ(from_ot(ot::ErrorCode::base_length_mismatch), ErrorCode::base_length_mismatch);
  EXPECT_EQ(from_ot(ot::ErrorCode::doc_too_large), ErrorCode::doc_too_large);
  EXPECT_EQ(from_ot(ot::ErrorCode::revision_in_future), ErrorCode::revision_in_future);
  EXPECT_EQ(from_ot(ot::ErrorCode::resync_required), ErrorCode::resync_required);
  EXPECT_EQ(from_ot(ot::ErrorCode::seq_out_of_order), ErrorCode::seq_out_of_order);
}

// The template itself is tested in tests/ot/basic_expected_test.cpp; this checks the
// wire's ErrorMessage fits it.
TEST(Expected, NamesTheProtocolErrorWhenReadWithoutAValue) {
  static_assert(std::is_same_v<Expected<int>, ot::BasicExpected<int, ErrorMessage>>);
  const Expected<int> bad = make_error(ErrorCode::bad_json, "not JSON");
  EXPECT_THAT([&] { (void)bad.value(); },
              testing::ThrowsMessage<std::logic_error>("Expected holds an error, not a value: bad_json: not JSON"));
}

}  // namespace
}  // namespace otter::net
