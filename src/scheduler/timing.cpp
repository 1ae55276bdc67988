#include "scheduler/timing.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <optional>
#include <span>
#include <vector>

namespace maestro::scheduler {
namespace {

using std::chrono::system_clock;

constexpr std::string_view kSpace = " \t\r\n\f\v";

bool IsDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A whole number written in decimal digits only; nullopt when it is not one or does not fit.
std::optional<std::int64_t> Digits(std::string_view text) {
  if (!IsDigits(text)) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// ---- cron fields ----

constexpr std::array<std::string_view, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kWeekdayNames = {"sun", "mon", "tue", "wed",
                                                           "thu", "fri", "sat"};

struct FieldSpec {
  std::string_view name;  // as written in messages
  int min;
  int max;
  std::span<const std::string_view> names;  // names[i] stands for min_name + i
  int min_name = 0;
  std::string_view name_hint = {};  // "jan-dec"
};

const std::array<FieldSpec, 5> kFields = {{
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day-of-month", 1, 31, {}},
    {"month", 1, 12, kMonthNames, 1, "jan-dec"},
    {"day-of-week", 0, 7, kWeekdayNames, 0, "sun-sat"},
}};
constexpr int kDayOfWeek = 4;

tl::unexpected<Error> FieldProblem(const FieldSpec& field, std::string problem) {
  return Fail(ErrorCode::kValidationFailed,
              fmt::format("cron {} field: {}", field.name, std::move(problem)));
}

struct Value {
  int number;
  bool named;
};

// One end of a range, a number or (for month and day-of-week) a name.
Result<Value> ParseValue(std::string_view token, std::string_view item, const FieldSpec& field) {
  if (token.empty()) {
    return FieldProblem(field, fmt::format("'{}' is missing a number", item));
  }
  if (IsDigits(token)) {
    const auto number = Digits(token);
    if (!number || *number < field.min || *number > field.max) {
      return FieldProblem(field,
                          fmt::format("{} is out of range {}-{}", token, field.min, field.max));
    }
    return Value{static_cast<int>(*number), false};
  }
  if (field.names.empty()) {
    return FieldProblem(field, fmt::format("'{}' is not a number", token));
  }
  const std::string lower = LowerAscii(token);
  for (std::size_t i = 0; i < field.names.size(); ++i) {
    if (field.names[i] == lower) return Value{field.min_name + static_cast<int>(i), true};
  }
  return FieldProblem(field, fmt::format("'{}' is neither a number {}-{} nor a name {}", token,
                                         field.min, field.max, field.name_hint));
}

// One list item: `*`, `a`, `a-b`, each optionally followed by `/step`.
Result<std::uint64_t> ParseItem(std::string_view item, const FieldSpec& field, int index) {
  if (item.empty()) {
    return FieldProblem(field, "has an empty list item (two commas, or a comma at an end)");
  }
  const auto slash = item.find('/');
  const std::string_view range = item.substr(0, slash);
  std::optional<int> step;
  if (slash != std::string_view::npos) {
    const std::string_view step_text = item.substr(slash + 1);
    const int largest = field.max - field.min + 1;
    const auto number = Digits(step_text);
    if (!number || *number < 1 || *number > largest) {
      return FieldProblem(
          field, fmt::format("step '{}' in '{}' must be a whole number from 1 to {}", step_text,
                             item, largest));
    }
    step = static_cast<int>(*number);
  }

  int low = 0;
  int high = 0;
  if (range == "*") {
    low = field.min;
    high = field.max;
  } else if (const auto dash = range.find('-'); dash != std::string_view::npos) {
    auto first = ParseValue(range.substr(0, dash), item, field);
    if (!first) return Fail(std::move(first.error()));
    auto last = ParseValue(range.substr(dash + 1), item, field);
    if (!last) return Fail(std::move(last.error()));
    low = first->number;
    high = last->number;
    // "mon-sun", "fri-sun": a Sunday written by name closes the week.
    if (index == kDayOfWeek && last->named && high == 0 && low > 0) high = 7;
    if (low > high) {
      return FieldProblem(
          field, fmt::format("range '{}' is reversed; write the smaller value first", range));
    }
  } else {
    auto value = ParseValue(range, item, field);
    if (!value) return Fail(std::move(value.error()));
    low = value->number;
    high = step ? field.max : low;  // `a/n`: from a to the end of the field
  }

  std::uint64_t bits = 0;
  for (int n = low; n <= high; n += step.value_or(1)) {
    bits |= std::uint64_t{1} << (index == kDayOfWeek && n == 7 ? 0 : n);
  }
  return bits;
}

Result<std::uint64_t> ParseField(std::string_view text, int index) {
  const FieldSpec& field = kFields[static_cast<std::size_t>(index)];
  std::uint64_t bits = 0;
  std::size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    auto item = ParseItem(text.substr(start, comma - start), field, index);
    if (!item) return item;
    bits |= *item;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return bits;
}

struct Macro {
  std::string_view name;
  std::string_view fields;
};
constexpr std::array<Macro, 7> kMacros = {{
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
    {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
}};

constexpr std::array<unsigned, 13> kLongestMonth = {0,  31, 29, 31, 30, 31, 30,
                                                    31, 31, 30, 31, 30, 31};

bool Has(std::uint64_t bits, unsigned n) { return (bits >> n) & 1U; }

// The smallest set bit at or above `from` (from < 64), or -1.
int NextBit(std::uint64_t bits, int from) {
  const std::uint64_t rest = bits >> from;
  return rest == 0 ? -1 : from + std::countr_zero(rest);
}

}  // namespace

// ---- every ----

Result<std::chrono::seconds> ParseEvery(std::string_view text) {
  constexpr std::int64_t kMaxSeconds = 366LL * 24 * 60 * 60;
  const auto expected = [&] {
    return Fail(ErrorCode::kValidationFailed,
                fmt::format("every must be a whole number followed by s, m, h, d or w (30s, 5m, "
                            "6h, 14d, 2w), got '{}'",
                            text));
  };
  if (text.size() < 2) return expected();
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 60 * 60;
      break;
    case 'd':
      unit = 24 * 60 * 60;
      break;
    case 'w':
      unit = 7 * 24 * 60 * 60;
      break;
    default:
      return expected();
  }
  const std::string_view digits = text.substr(0, text.size() - 1);
  if (!IsDigits(digits)) return expected();
  const auto count = Digits(digits);
  if (!count || *count > kMaxSeconds / unit) {
    return Fail(ErrorCode::kValidationFailed,
                fmt::format("every must be at most 366 days (366d, 52w), got '{}'", text));
  }
  if (*count == 0) {
    return Fail(ErrorCode::kValidationFailed,
                fmt::format("every must be more than zero (30s, 5m, 6h, 14d, 2w), got '{}'", text));
  }
  return std::chrono::seconds(*count * unit);
}

// ---- cron ----

Result<CronExpression> CronExpression::Parse(std::string_view text) {
  const std::string_view trimmed = Trim(text);
  if (trimmed.empty()) {
    return Fail(ErrorCode::kValidationFailed,
                "cron expression is empty; it needs 5 fields (minute hour day month weekday), "
                "e.g. '*/15 * * * *', or a macro such as @daily");
  }
  std::string_view fields_text = trimmed;
  if (trimmed.front() == '@') {
    const std::string lower = LowerAscii(trimmed);
    const auto macro = std::find_if(kMacros.begin(), kMacros.end(),
                                    [&](const Macro& m) { return m.name == lower; });
    if (macro == kMacros.end()) {
      return Fail(ErrorCode::kValidationFailed,
                  fmt::format("cron macro '{}' is unknown; expected @yearly, @annually, @monthly, "
                              "@weekly, @daily, @midnight or @hourly",
                              trimmed));
    }
    fields_text = macro->fields;
  }

  std::vector<std::string_view> fields;
  for (std::size_t at = 0; at < fields_text.size();) {
    const auto start = fields_text.find_first_not_of(kSpace, at);
    if (start == std::string_view::npos) break;
    const auto end = std::min(fields_text.find_first_of(kSpace, start), fields_text.size());
    fields.push_back(fields_text.substr(start, end - start));
    at = end;
  }
  if (fields.size() != kFields.size()) {
    return Fail(
        ErrorCode::kValidationFailed,
        fmt::format("cron needs 5 fields (minute hour day month weekday), got {}", fields.size()));
  }

  std::array<std::uint64_t, 5> bits{};
  for (int i = 0; i < 5; ++i) {
    auto field = ParseField(fields[static_cast<std::size_t>(i)], i);
    if (!field) return Fail(std::move(field.error()));
    bits[static_cast<std::size_t>(i)] = *field;
  }

  CronExpression cron;
  cron.text_ = std::string(trimmed);
  cron.minutes_ = bits[0];
  cron.hours_ = bits[1];
  cron.days_ = bits[2];
  cron.months_ = bits[3];
  cron.weekdays_ = bits[4];
  cron.any_day_ = fields[2].front() == '*';
  cron.any_weekday_ = fields[4].front() == '*';

  // When both day fields are restricted, any weekday of any month is enough. Otherwise a day must
  // exist in some chosen month; every such date falls on every weekday over the years.
  if (cron.any_day_ || cron.any_weekday_) {
    bool possible = false;
    for (unsigned month = 1; month <= 12 && !possible; ++month) {
      if (!Has(cron.months_, month)) continue;
      for (unsigned day = 1; day <= kLongestMonth[month] && !possible; ++day) {
        possible = Has(cron.days_, day);
      }
    }
    if (!possible) {
      return Fail(ErrorCode::kValidationFailed,
                  fmt::format("cron day-of-month field: day '{}' never occurs in month '{}', so "
                              "the expression would never run",
                              fields[2], fields[3]));
    }
  }
  return cron;
}

bool CronExpression::DayMatches(std::chrono::year_month_day date,
                                std::chrono::weekday weekday) const {
  const bool day = Has(days_, static_cast<unsigned>(date.day()));
  const bool week = Has(weekdays_, weekday.c_encoding());
  return any_day_ || any_weekday_ ? day && week : day || week;
}

system_clock::time_point CronExpression::Next(system_clock::time_point after) const {
  using namespace std::chrono;
  const auto start = floor<minutes>(after) + minutes{1};
  sys_days day = floor<days>(start);
  int hour = static_cast<int>(duration_cast<hours>(start - day).count());
  int minute = static_cast<int>((start - day - hours{hour}).count());
  const year last = year_month_day{day}.year() + years{400};  // the calendar repeats every 400
  while (true) {
    const year_month_day date{day};
    if (date.year() > last) return system_clock::time_point::max();
    if (!Has(months_, static_cast<unsigned>(date.month()))) {
      day = sys_days{(date.year() / date.month() + months{1}) / 1};
      hour = minute = 0;
      continue;
    }
    if (!DayMatches(date, weekday{day})) {
      day += days{1};
      hour = minute = 0;
      continue;
    }
    const int next_hour = NextBit(hours_, hour);
    if (next_hour < 0) {
      day += days{1};
      hour = minute = 0;
      continue;
    }
    if (next_hour != hour) {
      hour = next_hour;
      minute = 0;
    }
    const int next_minute = NextBit(minutes_, minute);
    if (next_minute < 0) {
      minute = 0;
      if (++hour == 24) {
        day += days{1};
        hour = 0;
      }
      continue;
    }
    return day + hours{hour} + minutes{next_minute};
  }
}

// ---- retries and intervals ----

std::chrono::milliseconds Backoff(int attempt, std::chrono::milliseconds base,
                                  std::chrono::milliseconds cap) {
  using std::chrono::milliseconds;
  base = std::max(base, milliseconds{0});
  cap = std::max(cap, milliseconds{0});
  if (base == milliseconds{0}) return base;
  if (base >= cap) return cap;
  const int shift = std::max(attempt, 1) - 1;
  // base << shift <= cap exactly when base <= cap >> shift; checking that way cannot overflow.
  if (shift >= 63 || base.count() > (cap.count() >> shift)) return cap;
  return milliseconds{base.count() << shift};
}

system_clock::time_point NextEvery(system_clock::time_point anchor, std::chrono::seconds every,
                                   system_clock::time_point now) {
  if (every <= std::chrono::seconds{0}) return system_clock::time_point::max();
  const auto step = std::chrono::duration_cast<system_clock::duration>(every);
  if (now < anchor) return anchor + step;
  const auto runs = (now - anchor) / step + 1;  // k: the first multiple strictly after now
  return anchor + runs * step;
}

}  // namespace maestro::scheduler
