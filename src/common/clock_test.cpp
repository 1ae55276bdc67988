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

TEST(ParseTimeTest, ReadsWhatFormatTimeWrites) {
  const TimePoint time = TimePoint(std::chrono::milliseconds(1795314992123));
  EXPECT_EQ(ParseTime(FormatTime(time)), time);
  EXPECT_EQ(ParseTime("2026-11-24T02:16:32Z"), ParseTime("2026-11-24T02:16:32.000Z"));
  EXPECT_EQ(ParseTime("2024-02-29T00:00:00.000Z").has_value(), true);
}

TEST(ParseTimeTest, RefusesOtherShapes) {
  for (const char* text :
       {"", "2026-11-24", "2026-11-24 02:16:32Z", "2026-11-24T02:16:32", "2026-11-24T02:16:32.1Z",
        "2026-11-24T02:16:32.123+01:00", "2025-02-29T00:00:00Z", "2026-11-24T24:00:00Z",
        "2999-01-01T00:00:00Z", "2026-11-24T02:16:32Zx"}) {
    EXPECT_FALSE(ParseTime(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace maestro
