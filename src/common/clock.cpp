#include "common/clock.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cctype>
#include <cstdio>

namespace maestro {

std::string FormatTime(TimePoint time) {
  using namespace std::chrono;
  const auto ms = time_point_cast<milliseconds>(time);
  const auto days = floor<std::chrono::days>(ms);
  const year_month_day date{days};
  const hh_mm_ss clock{ms - days};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count(),
                     clock.subseconds().count());
}

std::optional<TimePoint> ParseTime(std::string_view text) {
  using namespace std::chrono;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  char end = 0;
  const std::string copy(text);
  const int read =
      std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &sec, &end);
  if (read != 7) return std::nullopt;
  if (end == '.') {
    std::size_t digits = 0;
    const auto dot = copy.find('.');
    for (std::size_t i = dot + 1; i < copy.size() && std::isdigit(copy[i]) && digits < 3; ++i) {
      ms = ms * 10 + (copy[i] - '0');
      ++digits;
    }
    if (digits != 3 || copy.substr(dot + 4) != "Z") return std::nullopt;
  } else if (end != 'Z' || copy.size() != 20) {
    return std::nullopt;
  }
  const year_month_day date{year(y), month(static_cast<unsigned>(mo)),
                            day(static_cast<unsigned>(d))};
  // TimePoint counts nanoseconds: it ends in 2262.
  if (!date.ok() || y < 1900 || y > 2200 || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  return TimePoint(sys_days(date)) + hours(h) + minutes(mi) + seconds(sec) + milliseconds(ms);
}

}  // namespace maestro
