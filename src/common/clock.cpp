#include "common/clock.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

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

}  // namespace maestro
