#include "ot/error.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>

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

TEST(Expected, HoldsAValueOrAnError) {
  Expected<int> value = 7;
  ASSERT_TRUE(value.has_value());
  EXPECT_TRUE(static_cast<bool>(value));
  EXPECT_EQ(*value, 7);
  EXPECT_EQ(value.value(), 7);

  Expected<int> error = Error{ErrorCode::stale_seq, "seq 1 is old"};
  ASSERT_FALSE(error.has_value());
  EXPECT_EQ(error.error().code, ErrorCode::stale_seq);
  EXPECT_EQ(error.error().message, "seq 1 is old");
}

TEST(Expected, ReadingTheWrongAlternativeThrowsInsteadOfUndefinedBehaviour) {
  Expected<std::string> error = Error{ErrorCode::malformed_op, "bad"};
  EXPECT_THROW((void)error.value(), std::logic_error);
  EXPECT_THROW((void)*error, std::logic_error);
  EXPECT_THROW((void)error->size(), std::logic_error);
  Expected<std::string> value = std::string("x");
  EXPECT_THROW((void)value.error(), std::logic_error);
  EXPECT_EQ(value->size(), 1U);
}

TEST(Expected, VoidHoldsSuccessOrAnError) {
  const Expected<void> ok;
  EXPECT_TRUE(ok.has_value());
  EXPECT_NO_THROW(ok.value());
  const Expected<void> failed = Error{ErrorCode::resync_required, "too old"};
  EXPECT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::resync_required);
  EXPECT_THROW(failed.value(), std::logic_error);
}

}  // namespace
}  // namespace otter::ot
