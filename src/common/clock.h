// Time source seam. Production code takes a Clock& so tests can move time by hand.
// SystemClock and ManualClock are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace maestro {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// A clock that only moves when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_(start.time_since_epoch().count()) {}
  TimePoint Now() const override { return TimePoint(TimePoint::duration(now_.load())); }
  void Advance(std::chrono::milliseconds by) {
    now_ += std::chrono::duration_cast<TimePoint::duration>(by).count();
  }

 private:
  std::atomic<TimePoint::duration::rep> now_;
};

// RFC 3339 UTC with milliseconds: "2026-11-24T02:16:32.123Z". Sorts as text in time order.
std::string FormatTime(TimePoint time);
// Reads what FormatTime writes (milliseconds optional: "2026-11-24T02:16:32Z") for years 1900 to
// 2200; nullopt otherwise.
std::optional<TimePoint> ParseTime(std::string_view text);

}  // namespace maestro
