#include "ot/basic_expected.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

// The one template, tested once with an error type of the test's own: each layer's alias
// (ot::Expected, storage::Expected, net::Expected) only checks that its error fits.
namespace otter::ot {
namespace {

enum class TestCode { broken, missing };

std::string_view to_string(TestCode code) { return code == TestCode::broken ? "broken" : "missing"; }

// No default constructor: BasicExpected<void, E> must never have to make one up.
struct TestError {
  TestError(TestCode error_code, std::string error_message) : code(error_code), message(std::move(error_message)) {}
  TestCode code;
  std::string message;
};
static_assert(!std::is_default_constructible_v<TestError>);
static_assert(CodedError<TestError>);
static_assert(!CodedError<std::string>, "an error needs a code and a message");

template <class T>
using Expected = BasicExpected<T, TestError>;

using testing::HasSubstr;
using testing::ThrowsMessage;

TEST(BasicExpected, HoldsAValueOrAnError) {
  Expected<int> value = 7;
  ASSERT_TRUE(value.has_value());
  EXPECT_TRUE(static_cast<bool>(value));
  EXPECT_EQ(*value, 7);
  EXPECT_EQ(value.value(), 7);

  Expected<int> error = TestError{TestCode::missing, "no such thing"};
  ASSERT_FALSE(error.has_value());
  EXPECT_FALSE(static_cast<bool>(error));
  EXPECT_EQ(error.error().code, TestCode::missing);
  EXPECT_EQ(error.error().message, "no such thing");
}

TEST(BasicExpected, ReadingTheValueOfAnErrorThrowsALogicErrorNamingCodeAndMessage) {
  Expected<std::string> error = TestError{TestCode::broken, "it broke"};
  const auto names_the_error =
      ThrowsMessage<std::logic_error>("Expected holds an error, not a value: broken: it broke");
  EXPECT_THAT([&] { (void)error.value(); }, names_the_error);
  EXPECT_THAT([&] { (void)*error; }, names_the_error);
  EXPECT_THAT([&] { (void)error->size(); }, names_the_error);
  EXPECT_THAT([&] { (void)std::as_const(error).value(); }, names_the_error);
  EXPECT_THAT([&] { (void)std::move(error).value(); }, names_the_error);
}

TEST(BasicExpected, ReadingTheErrorOfAValueThrowsALogicError) {
  Expected<std::string> value = std::string("x");
  EXPECT_EQ(value->size(), 1U);
  EXPECT_THAT([&] { (void)value.error(); }, ThrowsMessage<std::logic_error>(HasSubstr("holds a value")));
  EXPECT_THAT([&] { (void)std::move(value).error(); }, ThrowsMessage<std::logic_error>(HasSubstr("holds a value")));
}

TEST(BasicExpected, AnRvalueGivesUpAMoveOnlyValueOrItsError) {
  Expected<std::unique_ptr<int>> value = std::make_unique<int>(5);
  const std::unique_ptr<int> taken = std::move(value).value();
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(*taken, 5);

  Expected<std::unique_ptr<int>> error = TestError{TestCode::broken, "a long enough sentence to live on the heap"};
  const TestError moved = std::move(error).error();
  EXPECT_EQ(moved.message, "a long enough sentence to live on the heap");
}

TEST(BasicExpected, VoidHoldsSuccessOrAnError) {
  const Expected<void> ok;
  EXPECT_TRUE(ok.has_value());
  EXPECT_TRUE(static_cast<bool>(ok));
  EXPECT_NO_THROW(ok.value());
  EXPECT_THAT([&] { (void)ok.error(); }, ThrowsMessage<std::logic_error>(HasSubstr("holds a value")));

  Expected<void> failed = TestError{TestCode::missing, "gone"};
  EXPECT_FALSE(failed.has_value());
  EXPECT_FALSE(static_cast<bool>(failed));
  EXPECT_EQ(failed.error().code, TestCode::missing);
  EXPECT_THAT([&] { failed.value(); },
              ThrowsMessage<std::logic_error>("Expected holds an error, not a value: missing: gone"));
  EXPECT_EQ(std::move(failed).error().message, "gone");
}

}  // namespace
}  // namespace otter::ot
