#include "auth/rate_limiter.h"

namespace maestro::auth {

RateLimiter::RateLimiter(const Clock& clock, int limit, std::chrono::seconds window)
    : clock_(clock), limit_(limit), window_(window) {}

std::optional<std::chrono::seconds> RateLimiter::Wait(std::deque<TimePoint>& events,
                                                      TimePoint now) const {
  while (!events.empty() && events.front() <= now - window_) events.pop_front();
  if (static_cast<int>(events.size()) < limit_) return std::nullopt;
  const auto wait = std::chrono::ceil<std::chrono::seconds>(events.front() + window_ - now);
  return std::max(wait, std::chrono::seconds(1));
}

void RateLimiter::Prune(TimePoint now) {
  // Keys with no events in the window are dropped now and then, so memory stays bounded by the
  // number of keys active within one window.
  if (now - last_prune_ < window_) return;
  last_prune_ = now;
  for (auto it = events_.begin(); it != events_.end();) {
    while (!it->second.empty() && it->second.front() <= now - window_) it->second.pop_front();
    it = it->second.empty() ? events_.erase(it) : std::next(it);
  }
}

std::optional<std::chrono::seconds> RateLimiter::Hit(const std::string& key) {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mutex_);
  Prune(now);
  auto& events = events_[key];
  if (auto wait = Wait(events, now)) return wait;
  events.push_back(now);
  return std::nullopt;
}

std::optional<std::chrono::seconds> RateLimiter::Check(const std::string& key) {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mutex_);
  auto it = events_.find(key);
  if (it == events_.end()) return std::nullopt;
  return Wait(it->second, now);
}

void RateLimiter::Reset(const std::string& key) {
  std::lock_guard lock(mutex_);
  events_.erase(key);
}

}  // namespace maestro::auth
