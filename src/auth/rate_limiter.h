// RateLimiter: at most `limit` events per key in any sliding `window`. In memory, per process
// (several API nodes each apply the limit). Thread-safe.
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/clock.h"

namespace maestro::auth {

class RateLimiter {
 public:
  RateLimiter(const Clock& clock, int limit, std::chrono::seconds window);

  // Seconds to wait when the key is at its limit (the event is then not recorded), else nullopt
  // and the event is recorded.
  std::optional<std::chrono::seconds> Hit(const std::string& key);
  // Like Hit() without recording anything.
  std::optional<std::chrono::seconds> Check(const std::string& key);
  // Forgets a key (e.g. after a successful login).
  void Reset(const std::string& key);

 private:
  std::optional<std::chrono::seconds> Wait(std::deque<TimePoint>& events, TimePoint now) const;
  void Prune(TimePoint now);

  const Clock& clock_;
  const int limit_;
  const std::chrono::seconds window_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<TimePoint>> events_;
  TimePoint last_prune_{};
};

}  // namespace maestro::auth
