#include "scheduler/timing.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdio>

#include "common/clock.h"

namespace maestro::scheduler {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

// "2025-03-01T10:07" or "2025-03-01T10:07:30" as a UTC time point.
system_clock::time_point At(const char* text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  const int read = std::sscanf(text, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s);
  EXPECT_GE(read, 5) << text;
  const std::chrono::sys_days day{std::chrono::year{y} / mo / d};
  return day + std::chrono::hours{h} + std::chrono::minutes{mi} + seconds{s};
}

// Next() as "2025-03-01T10:15", for readable failures.
std::string NextOf(const CronExpression& cron, system_clock::time_point after) {
  return FormatTime(cron.Next(after)).substr(0, 16);
}

// ---- ParseEvery ----

TEST(ParseEveryTest, AcceptsAWholeNumberAndOneUnit) {
  const std::vector<std::pair<const char*, seconds>> cases = {
      {"30s", 30s},
      {"1s", 1s},
      {"5m", 5min},
      {"6h", 6h},
      {"14d", 336h},
      {"2w", 336h},
      {"366d", 366 * 24h},
      {"52w", 52 * 7 * 24h},
      {"90m", 90min},
      {"8784h", 8784h},
      {"31622400s", 31622400s},
      {"007m", 7min},
  };
  for (const auto& [text, expected] : cases) {
    const auto every = ParseEvery(text);
    ASSERT_TRUE(every) << text << ": " << every.error().message;
    EXPECT_EQ(*every, expected) << text;
  }
}

TEST(ParseEveryTest, RejectsEverythingElseSayingWhatIsExpected) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"", "whole number followed by s, m, h, d or w (30s, 5m, 6h, 14d, 2w)"},
      {"s", "whole number followed by"},
      {"5", "whole number followed by"},
      {"-5m", "whole number followed by"},
      {"+5m", "whole number followed by"},
      {"5 m", "whole number followed by"},
      {" 5m", "whole number followed by"},
      {"5m ", "whole number followed by"},
      {"5M", "whole number followed by"},
      {"5mm", "whole number followed by"},
      {"5min", "whole number followed by"},
      {"5x", "whole number followed by"},
      {"1.5h", "whole number followed by"},
      {"0s", "more than zero"},
      {"0w", "more than zero"},
      {"367d", "at most 366 days"},
      {"53w", "at most 366 days"},
      {"31622401s", "at most 366 days"},
      {"99999999999999999999999s", "at most 366 days"},
  };
  for (const auto& [text, problem] : cases) {
    const auto every = ParseEvery(text);
    ASSERT_FALSE(every) << text;
    EXPECT_EQ(every.error().code, ErrorCode::kValidationFailed) << text;
    EXPECT_NE(every.error().message.find(problem), std::string::npos)
        << text << ": " << every.error().message;
  }
}

// ---- CronExpression::Parse ----

TEST(CronParseTest, RejectsBadExpressionsNamingTheFieldAndTheProblem) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"61 * * * *", "cron minute field: 61 is out of range 0-59"},
      {"* 24 * * *", "cron hour field: 24 is out of range 0-23"},
      {"* * 0 * *", "cron day-of-month field: 0 is out of range 1-31"},
      {"* * 32 * *", "cron day-of-month field: 32 is out of range 1-31"},
      {"* * * 0 *", "cron month field: 0 is out of range 1-12"},
      {"* * * 13 *", "cron month field: 13 is out of range 1-12"},
      {"* * * * 8", "cron day-of-week field: 8 is out of range 0-7"},
      {"0-60 * * * *", "cron minute field: 60 is out of range 0-59"},
      {"99999999999999999999 * * * *", "cron minute field: 99999999999999999999 is out of range"},
      {"*/0 * * * *", "cron minute field: step '0' in '*/0' must be a whole number from 1 to 60"},
      {"* */25 * * *", "cron hour field: step '25' in '*/25' must be a whole number from 1 to 24"},
      {"*/ * * * *", "cron minute field: step '' in '*/'"},
      {"*/x * * * *", "cron minute field: step 'x'"},
      {"*/5/2 * * * *", "cron minute field: step '5/2'"},
      {"5-1 * * * *", "cron minute field: range '5-1' is reversed"},
      {"* * * dec-jan *", "cron month field: range 'dec-jan' is reversed"},
      {"* * * * 5-1", "cron day-of-week field: range '5-1' is reversed"},
      {"* * * * * *", "cron needs 5 fields (minute hour day month weekday), got 6"},
      {"* * * *", "cron needs 5 fields (minute hour day month weekday), got 4"},
      {"*", "got 1"},
      {"", "cron expression is empty"},
      {" \t ", "cron expression is empty"},
      {"* * * foo *", "cron month field: 'foo' is neither a number 1-12 nor a name jan-dec"},
      {"* * * january *", "cron month field: 'january' is neither"},
      {"* * * * funday",
       "cron day-of-week field: 'funday' is neither a number 0-7 nor a name sun-sat"},
      {"mon * * * *", "cron minute field: 'mon' is not a number"},
      {"* * jan * *", "cron day-of-month field: 'jan' is not a number"},
      {"+5 * * * *", "cron minute field: '+5' is not a number"},
      {"1.5 * * * *", "cron minute field: '1.5' is not a number"},
      {"-5 * * * *", "cron minute field: '-5' is missing a number"},
      {"5- * * * *", "cron minute field: '5-' is missing a number"},
      {"1-2-3 * * * *", "cron minute field: '2-3' is not a number"},
      {"1,,2 * * * *", "cron minute field: has an empty list item"},
      {"1, * * * *", "cron minute field: has an empty list item"},
      {"@reboot", "cron macro '@reboot' is unknown; expected @yearly"},
      {"@daily *", "cron macro '@daily *' is unknown"},
      {"0 0 30 2 *", "cron day-of-month field: day '30' never occurs in month '2'"},
      {"0 0 30,31 feb *", "never occurs in month 'feb'"},
      {"0 0 31 apr *", "never occurs"},
      {"0 0 31 4,6,9,11 *", "never occurs"},
      {"0 0 31 2 */7", "never occurs"},
  };
  for (const auto& [text, problem] : cases) {
    const auto cron = CronExpression::Parse(text);
    ASSERT_FALSE(cron) << "'" << text << "' parsed";
    EXPECT_EQ(cron.error().code, ErrorCode::kValidationFailed) << text;
    EXPECT_NE(cron.error().message.find(problem), std::string::npos)
        << "'" << text << "': " << cron.error().message;
  }
}

TEST(CronParseTest, AcceptsTheCrontabSyntax) {
  for (const char* text : {"* * * * *",
                           "0 0 29 2 *",
                           "0 0 30 2 mon",
                           "0 0 31 * *",
                           "0,15,30,45 */2 1-15 jan-jun *",
                           "0 9 * * MON-FRI",
                           "0 9 * * Mon-Sun",
                           "0 9 * * 1-7",
                           "5/20 * * * *",
                           "0 0 1 JaN,jUl *",
                           "10-30/10 8-18/5 * * 0,7",
                           "@yearly",
                           "@annually",
                           "@monthly",
                           "@weekly",
                           "@daily",
                           "@midnight",
                           "@hourly",
                           "@DAILY",
                           "0 0 31 1-4 *"}) {
    const auto cron = CronExpression::Parse(text);
    EXPECT_TRUE(cron) << text << ": " << cron.error().message;
  }
}

TEST(CronParseTest, TextIsTheTrimmedExpression) {
  EXPECT_EQ(CronExpression::Parse("  0\t\t9   * *  mon \n")->text(), "0\t\t9   * *  mon");
  EXPECT_EQ(CronExpression::Parse("@Weekly ")->text(), "@Weekly");
}

// ---- CronExpression::Next ----

struct NextCase {
  const char* cron;
  const char* after;
  const char* expected;
};

TEST(CronNextTest, FindsTheFirstMatchingMinuteStrictlyAfter) {
  const std::vector<NextCase> cases = {
      // every minute; strictly after, also from an exact minute and from within one
      {"* * * * *", "2025-03-01T10:00", "2025-03-01T10:01"},
      {"* * * * *", "2025-03-01T10:00:59", "2025-03-01T10:01"},
      {"* * * * *", "2025-12-31T23:59:30", "2026-01-01T00:00"},
      // steps
      {"*/15 * * * *", "2025-03-01T10:07", "2025-03-01T10:15"},
      {"*/15 * * * *", "2025-03-01T10:15", "2025-03-01T10:30"},
      {"*/15 * * * *", "2025-03-01T10:45", "2025-03-01T11:00"},
      {"5/20 * * * *", "2025-03-01T10:46", "2025-03-01T11:05"},
      // hourly at :30 across a day end and a month end
      {"30 * * * *", "2025-03-01T10:29", "2025-03-01T10:30"},
      {"30 * * * *", "2025-03-01T23:30", "2025-03-02T00:30"},
      {"30 * * * *", "2025-06-30T23:45", "2025-07-01T00:30"},
      // month ends: the 31st skips 30-day months and February
      {"0 0 31 * *", "2025-04-01T00:00", "2025-05-31T00:00"},
      {"0 0 31 * *", "2025-05-31T00:00", "2025-07-31T00:00"},
      {"0 0 31 * *", "2025-01-31T00:00", "2025-03-31T00:00"},
      {"0 0 30 * *", "2025-01-30T00:00", "2025-03-30T00:00"},
      // leap days, including 2100 which is not a leap year
      {"0 0 29 2 *", "2025-03-01T00:00", "2028-02-29T00:00"},
      {"0 0 29 2 *", "2024-02-28T12:00", "2024-02-29T00:00"},
      {"0 0 29 2 *", "2096-02-29T00:00", "2104-02-29T00:00"},
      {"0 0 29 2 */7", "2025-01-01T00:00", "2032-02-29T00:00"},  // a Feb 29 that is a Sunday
      // year end
      {"0 0 1 1 *", "2025-12-31T23:59", "2026-01-01T00:00"},
      {"59 23 31 12 *", "2025-12-31T23:59", "2026-12-31T23:59"},
      {"@yearly", "2025-01-01T00:00", "2026-01-01T00:00"},
      {"0 0 1 1 *", "1969-06-01T00:00", "1970-01-01T00:00"},
      // month names and lists
      {"0 0 1 jan,JUL *", "2025-03-01T00:00", "2025-07-01T00:00"},
      {"0 0 1 jan-dec/5 *", "2025-03-01T00:00", "2025-06-01T00:00"},
      // day-of-week names; Sunday as 0, 7 and sun (2025-03-01 is a Saturday)
      {"0 9 * * mon-fri", "2025-03-01T00:00", "2025-03-03T09:00"},
      {"0 9 * * mon-fri", "2025-03-07T09:00", "2025-03-10T09:00"},
      {"0 12 * * 0", "2025-03-01T00:00", "2025-03-02T12:00"},
      {"0 12 * * 7", "2025-03-01T00:00", "2025-03-02T12:00"},
      {"0 12 * * SUN", "2025-03-01T00:00", "2025-03-02T12:00"},
      {"0 12 * * 5-7", "2025-03-02T12:00", "2025-03-07T12:00"},
      {"0 12 * * fri-sun", "2025-03-01T12:00", "2025-03-02T12:00"},
      // both day fields restricted: either matches (the 13th is a Thursday, Fridays are 7, 14)
      {"0 0 13 * fri", "2025-03-01T00:00", "2025-03-07T00:00"},
      {"0 0 13 * fri", "2025-03-08T00:00", "2025-03-13T00:00"},
      {"0 0 13 * fri", "2025-03-13T00:00", "2025-03-14T00:00"},
      {"0 0 30 2 mon", "2025-02-01T00:00", "2025-02-03T00:00"},
      // a day field starting with `*` restricts by AND: odd days that are Mondays (3rd, 17th)
      {"0 0 */2 * mon", "2025-03-01T00:00", "2025-03-03T00:00"},
      {"0 0 */2 * mon", "2025-03-03T00:00", "2025-03-17T00:00"},
      {"0 0 1 * */7", "2025-03-01T00:00", "2025-06-01T00:00"},  // June 1st 2025 is a Sunday
      // ranges with steps: minutes 10, 20, 30 of hours 8, 13, 18
      {"10-30/10 8-18/5 * * *", "2025-03-01T13:25", "2025-03-01T13:30"},
      {"10-30/10 8-18/5 * * *", "2025-03-01T13:30", "2025-03-01T18:10"},
      {"10-30/10 8-18/5 * * *", "2025-03-01T18:30", "2025-03-02T08:10"},
      {"10-30/10 8-18/5 * * *", "2025-03-01T00:00", "2025-03-01T08:10"},
      // macros
      {"@weekly", "2025-03-01T00:00", "2025-03-02T00:00"},
      {"@weekly", "2025-03-02T00:00", "2025-03-09T00:00"},
      {"@monthly", "2025-03-01T00:00", "2025-04-01T00:00"},
      {"@daily", "2025-03-01T23:59:59", "2025-03-02T00:00"},
      {"@midnight", "2025-03-01T00:00", "2025-03-02T00:00"},
      {"@hourly", "2025-03-01T10:00", "2025-03-01T11:00"},
  };
  for (const auto& c : cases) {
    const auto cron = CronExpression::Parse(c.cron);
    ASSERT_TRUE(cron) << c.cron << ": " << cron.error().message;
    EXPECT_EQ(NextOf(*cron, At(c.after)), c.expected) << "'" << c.cron << "' after " << c.after;
  }
}

TEST(CronNextTest, ChainsWithoutGapsOrRepeats) {
  const auto cron = CronExpression::Parse("*/15 * * * *");
  ASSERT_TRUE(cron);
  auto time = At("2025-12-31T12:00");
  for (int i = 0; i < 96; ++i) {
    const auto next = cron->Next(time);
    EXPECT_EQ(next - time, 15min) << FormatTime(time);
    time = next;
  }
  EXPECT_EQ(FormatTime(time), "2026-01-01T12:00:00.000Z");
}

TEST(CronNextTest, RareExpressionsAreCheap) {
  const auto cron = CronExpression::Parse("0 0 29 2 */7");
  ASSERT_TRUE(cron);
  auto time = At("2000-01-01T00:00");
  for (int i = 0; i < 5; ++i) time = cron->Next(time);  // five Sunday leap days: over a century
  EXPECT_EQ(std::chrono::weekday{std::chrono::floor<std::chrono::days>(time)}, std::chrono::Sunday);
  EXPECT_GT(time, At("2100-01-01T00:00"));
}

// ---- Backoff ----

TEST(BackoffTest, DoublesFromBaseUpToTheCap) {
  struct Case {
    int attempt;
    milliseconds base;
    milliseconds cap;
    milliseconds expected;
  };
  const std::vector<Case> cases = {
      {1, 1s, 60s, 1s},
      {2, 1s, 60s, 2s},
      {3, 1s, 60s, 4s},
      {6, 1s, 60s, 32s},
      {7, 1s, 60s, 60s},
      {100, 1s, 60s, 60s},
      {INT_MAX, 1s, 60s, 60s},
      {0, 1s, 60s, 1s},
      {-5, 1s, 60s, 1s},
      {3, 250ms, 1h, 1s},
      {1, 10s, 5s, 5s},
      {5, 0ms, 60s, 0ms},
      {5, 1s, 0ms, 0ms},
      {5, -1s, 60s, 0ms},
      {63, 1ms, milliseconds::max(), milliseconds{std::int64_t{1} << 62}},
      {64, 1ms, milliseconds::max(), milliseconds::max()},
      {1000, 3ms, milliseconds::max(), milliseconds::max()},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Backoff(c.attempt, c.base, c.cap), c.expected)
        << "attempt " << c.attempt << " base " << c.base.count() << " cap " << c.cap.count();
  }
}

// ---- NextEvery ----

TEST(NextEveryTest, FirstRunStrictlyAfterNowSkippingMissedRuns) {
  const auto anchor = At("2025-03-01T00:00");
  struct Case {
    system_clock::time_point now;
    seconds every;
    system_clock::time_point expected;
  };
  const std::vector<Case> cases = {
      {anchor - 24h, 1h, anchor + 1h},  // before the anchor
      {anchor, 1h, anchor + 1h},
      {anchor + 30min, 1h, anchor + 1h},
      {anchor + 1h, 1h, anchor + 2h},  // exactly on a run: the next one
      {anchor + 10h + 1ns, 1h, anchor + 11h},
      {anchor + 72h, 1h, anchor + 73h},  // 72 missed runs, one next run
      {anchor + 100s, 30s, anchor + 120s},
      {anchor + 400 * 24h, 14 * 24h, anchor + 406 * 24h},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(FormatTime(NextEvery(anchor, c.every, c.now)), FormatTime(c.expected))
        << "now " << FormatTime(c.now) << " every " << c.every.count();
  }
}

TEST(NextEveryTest, NonPositiveIntervalNeverRuns) {
  const auto anchor = At("2025-03-01T00:00");
  EXPECT_EQ(NextEvery(anchor, 0s, anchor), system_clock::time_point::max());
  EXPECT_EQ(NextEvery(anchor, -5s, anchor), system_clock::time_point::max());
}

}  // namespace
}  // namespace maestro::scheduler
