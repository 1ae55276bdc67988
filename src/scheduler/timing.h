// Scheduler timing: the pure maths of when a job runs next. Interval texts ("every": 30s, 5m, 6h,
// 14d, 2w), 5-field crontab expressions, the next run after a time, and retry backoff.
//
// All times are UTC; nothing here reads a clock, a time zone or the locale, so every function is
// deterministic and thread-safe (CronExpression is an immutable value once parsed). Bad input is
// reported as ErrorCode::kValidationFailed with a message naming the problem and what is expected.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.h"

namespace maestro::scheduler {

// An interval: a positive whole number and one unit, s (seconds), m (minutes), h (hours),
// d (days) or w (weeks), with no spaces: "30s", "5m", "6h", "14d", "2w". At most 366 days.
Result<std::chrono::seconds> ParseEvery(std::string_view text);

// A standard 5-field crontab expression, evaluated in UTC:
//   minute (0-59) hour (0-23) day-of-month (1-31) month (1-12 or jan-dec) day-of-week (0-7 or
//   sun-sat; 0 and 7 are Sunday)
// Each field is `*`, a number, a range `a-b`, a step `*/n`, `a-b/n` or `a/n` (a to the end of
// the field), or a comma list of those. Names are case-insensitive. Fields are separated by any
// run of spaces or tabs. The macros @yearly (= @annually), @monthly, @weekly, @daily
// (= @midnight) and @hourly stand for "0 0 1 1 *", "0 0 1 * *", "0 0 * * 0", "0 0 * * *" and
// "0 * * * *".
//
// Day rule (classic Vixie cron): when both day-of-month and day-of-week are restricted (neither
// field starts with `*`), a day matches if EITHER matches; otherwise both must match.
// "0 0 1,15 * mon" runs on the 1st, the 15th and every Monday.
//
// Parse rejects expressions that can never match (e.g. "0 0 30 2 *", "0 0 31 4 *"), so Next()
// always finds a time: usually within a year, within 8 years for Feb 29, within a few decades for
// the rarest combinations (Feb 29 that is also a Sunday: "0 0 29 2 */7").
class CronExpression {
 public:
  static Result<CronExpression> Parse(std::string_view text);

  // The first whole minute strictly after `after` that matches. Skips whole months, days and
  // hours that cannot match, so it is cheap even for rare expressions. Returns
  // time_point::max() only if nothing matches within 400 years, which Parse rules out.
  std::chrono::system_clock::time_point Next(std::chrono::system_clock::time_point after) const;

  // The expression as given to Parse, without leading and trailing whitespace.
  std::string text() const { return text_; }

 private:
  CronExpression() = default;
  bool DayMatches(std::chrono::year_month_day date, std::chrono::weekday weekday) const;

  std::string text_;
  std::uint64_t minutes_ = 0;   // bit n: minute n
  std::uint64_t hours_ = 0;     // bit n: hour n
  std::uint64_t days_ = 0;      // bit n: day of month n (1-31)
  std::uint64_t months_ = 0;    // bit n: month n (1-12)
  std::uint64_t weekdays_ = 0;  // bit n: weekday n (0 = Sunday ... 6 = Saturday)
  bool any_day_ = false;        // the day-of-month field starts with `*`
  bool any_weekday_ = false;    // the day-of-week field starts with `*`
};

// Exponential backoff before retry number `attempt` (1 = the first retry): base * 2^(attempt-1),
// but never more than cap. Deterministic: there is no jitter, so callers that want to spread
// retries of many jobs add their own. Never overflows (attempt 100 gives cap). attempt < 1 counts
// as 1; a negative base or cap counts as zero.
std::chrono::milliseconds Backoff(int attempt, std::chrono::milliseconds base,
                                  std::chrono::milliseconds cap);

// The next run of a job that runs every `every` from `anchor`: the first anchor + k * every
// (k >= 1) strictly after `now`. Runs missed while nothing was running are skipped, not fired one
// after another. When now is before anchor, the answer is anchor + every. A non-positive `every`
// never runs: time_point::max().
std::chrono::system_clock::time_point NextEvery(std::chrono::system_clock::time_point anchor,
                                                std::chrono::seconds every,
                                                std::chrono::system_clock::time_point now);

}  // namespace maestro::scheduler
