#include "ot/error.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "ot/expected.hpp"

namespace otter::ot {
namespace {

TEST(ErrorCode, EveryCodeHasADistinctSnakeCaseName) {
  const ErrorCode all[] = {ErrorCode::invalid_json,       ErrorCode::malformed_op,         ErrorCode::invalid_utf8,
                           ErrorCode::op_too_large,       ErrorCode::base_length_mismatch, ErrorCode::doc_too_large,
                           ErrorCode::revision_in_future, ErrorCode::resync_required,      ErrorCode::stale_seq,
                           ErrorCode::seq_out_of_order,   ErrorCode::no_outstanding_op};
  std::set<std::string_view> names;
  for (const ErrorCode code : all) {
    const std::string_view name = to_string(code);
    EXPECT_NE(name, "unknown_error");
    EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_"), std::string_view::npos) << name;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), std::size(all));
  EXPECT_EQ(to_string(ErrorCode::base_length_mismatch), "base_length_mismatch");
}

// The template itself is tested in basic_expected_test.cpp; this checks ot::Error fits it.
TEST(Expected, NamesTheOtErrorWhenReadWithoutAValue) {
  static_assert(std::is_same_v<Expected<int>, BasicExpected<int, Error>>);
  const Expected<void> failed = Error{ErrorCode::resync_required, "too old"};
  EXPECT_THAT([&] { failed.value(); },
              testing::ThrowsMessage<std::logic_error>("Expected holds an error, not a value: resync_required: too old"));
}

}  // namespace
}  // namespace otter::ot
