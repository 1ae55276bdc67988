#include "auth/rate_limiter.h"

#include <gtest/gtest.h>

namespace maestro::auth {
namespace {

TEST(RateLimiterTest, AllowsTheLimitThenSaysHowLongToWait) {
  ManualClock clock(TimePoint{} + std::chrono::hours(1000));
  RateLimiter limiter(clock, 3, std::chrono::seconds(60));
  EXPECT_FALSE(limiter.Hit("k"));
  clock.Advance(std::chrono::seconds(10));
  EXPECT_FALSE(limiter.Hit("k"));
  EXPECT_FALSE(limiter.Hit("k"));
  auto wait = limiter.Hit("k");
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, std::chrono::seconds(50)) << "until the first event leaves the window";
  EXPECT_FALSE(limiter.Hit("other")) << "keys are independent";
}

TEST(RateLimiterTest, TheWindowSlides) {
  ManualClock clock(TimePoint{} + std::chrono::hours(1000));
  RateLimiter limiter(clock, 2, std::chrono::seconds(60));
  limiter.Hit("k");
  limiter.Hit("k");
  EXPECT_TRUE(limiter.Check("k"));
  clock.Advance(std::chrono::seconds(61));
  EXPECT_FALSE(limiter.Check("k"));
  EXPECT_FALSE(limiter.Hit("k"));
}

TEST(RateLimiterTest, ResetForgetsAKey) {
  ManualClock clock(TimePoint{} + std::chrono::hours(1000));
  RateLimiter limiter(clock, 1, std::chrono::seconds(60));
  limiter.Hit("k");
  EXPECT_TRUE(limiter.Check("k"));
  limiter.Reset("k");
  EXPECT_FALSE(limiter.Check("k"));
}

}  // namespace
}  // namespace maestro::auth
