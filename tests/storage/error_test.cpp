#include "storage/error.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <type_traits>

#include "storage/expected.hpp"

namespace otter::storage {
namespace {

// The template itself is tested in tests/ot/basic_expected_test.cpp; this checks
// storage::Error fits it.
TEST(Expected, NamesTheStorageErrorWhenReadWithoutAValue) {
  static_assert(std::is_same_v<Expected<int>, ot::BasicExpected<int, Error>>);
  const Expected<int> missing = Error{ErrorCode::not_found, "no document \"notes\""};
  EXPECT_THAT([&] { (void)missing.value(); },
              testing::ThrowsMessage<std::logic_error>(
                  "Expected holds an error, not a value: not_found: no document \"notes\""));
}

}  // namespace
}  // namespace otter::storage
