#include "common/clock.h"

#include <gtest/gtest.h>

namespace maestro {
namespace {

TEST(FormatTimeTest, WritesRfc3339UtcWithMilliseconds) {
  const TimePoint epoch{};
  EXPECT_EQ(FormatTime(epoch), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTime(epoch + std::chrono::milliseconds(1'795'400'592'123)),
            "2026-11-23T02:23:12.123Z");
}

TEST(ManualClockTest, MovesOnlyWhenAdvanced) {
  ManualClock clock(TimePoint{} + std::chrono::seconds(10));
  const auto before = clock.Now();
  clock.Advance(std::chrono::milliseconds(1500));
  EXPECT_EQ(clock.Now() - before, std::chrono::milliseconds(1500));
}

}  // namespace
}  // namespace maestro
