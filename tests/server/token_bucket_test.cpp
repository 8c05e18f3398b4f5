#include "server/token_bucket.hpp"

#include <gtest/gtest.h>

namespace otter::server {
namespace {

using namespace std::chrono_literals;

TEST(TokenBucketTest, ABurstUpToTheRateIsAllowedThenRefused) {
  const auto start = TokenBucket::Clock::time_point{};
  TokenBucket bucket(3, 3, start);
  EXPECT_TRUE(bucket.try_take(start));
  EXPECT_TRUE(bucket.try_take(start));
  EXPECT_TRUE(bucket.try_take(start));
  EXPECT_FALSE(bucket.try_take(start));
}

TEST(TokenBucketTest, TokensComeBackAtTheRate) {
  const auto start = TokenBucket::Clock::time_point{};
  TokenBucket bucket(2, 2, start);
  EXPECT_TRUE(bucket.try_take(start));
  EXPECT_TRUE(bucket.try_take(start));
  EXPECT_FALSE(bucket.try_take(start + 100ms));
  EXPECT_TRUE(bucket.try_take(start + 500ms));   // one token per 500 ms
  EXPECT_FALSE(bucket.try_take(start + 600ms));
  EXPECT_TRUE(bucket.try_take(start + 10s));     // refilled, but never past the burst
  EXPECT_TRUE(bucket.try_take(start + 10s));
  EXPECT_FALSE(bucket.try_take(start + 10s));
}

TEST(TokenBucketTest, AZeroRateMeansNoLimit) {
  TokenBucket bucket(0, 0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(bucket.try_take());
}

}  // namespace
}  // namespace otter::server
