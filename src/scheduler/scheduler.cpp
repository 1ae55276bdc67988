#include "scheduler/scheduler.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/ids.h"

namespace maestro::scheduler {
namespace {

constexpr std::int64_t kLockKey = 0x6d61657374726f;  // "maestro"
constexpr auto kCheckEvery = std::chrono::seconds(1);

}  // namespace

Scheduler::Scheduler(store::Store& store, const Clock& clock, Schedules& schedules,
                     notify::Events* events, SchedulerSettings settings)
    : store_(store),
      clock_(clock),
      schedules_(schedules),
      events_(events),
      settings_(settings),
      id_(ProcessTag()) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void Scheduler::Stop() {
  if (stopping_.exchange(true)) return;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  Resign();
}

bool Scheduler::Lead() {
  const auto now = std::chrono::steady_clock::now();
  if (leading_ && now - last_check_ < kCheckEvery) return true;
  last_check_ = now;
  bool lead = false;
  if (store_.dialect() == store::Dialect::kPostgres) {
    if (lock_ && !lock_->Alive()) lock_.reset();
    if (!lock_) {
      auto held = store_.TryHoldLock(kLockKey);
      if (!held) {
        spdlog::warn("scheduler: cannot ask for leadership: {}", held.error().message);
      } else {
        lock_ = std::move(*held);
      }
    }
    lead = lock_ != nullptr;
  } else {
    // Take the lease when it is ours or has run out; then read who holds it.
    const TimePoint time = clock_.Now();
    auto taken = store_.Exec(
        "INSERT INTO leases (name, holder, until) VALUES ('scheduler', ?, ?) ON CONFLICT (name) "
        "DO UPDATE SET holder = excluded.holder, until = excluded.until WHERE leases.holder = "
        "excluded.holder OR leases.until < ?",
        {id_, FormatTime(time + settings_.lease), FormatTime(time)});
    if (!taken) {
      spdlog::warn("scheduler: cannot renew leadership: {}", taken.error().message);
      lead = false;
    } else {
      lead = *taken > 0;
    }
  }
  if (lead != leading_) {
    if (lead) {
      spdlog::info("scheduler {}: leading, firing schedules", id_);
    } else {
      spdlog::info("scheduler {}: standing by (another scheduler leads)", id_);
    }
  }
  leading_ = lead;
  return lead;
}

void Scheduler::Resign() {
  if (store_.dialect() == store::Dialect::kPostgres) {
    lock_.reset();
  } else if (leading_) {
    (void)store_.Exec("DELETE FROM leases WHERE name = 'scheduler' AND holder = ?", {id_});
  }
  leading_ = false;
}

void Scheduler::Run() {
  spdlog::info("scheduler {} started", id_);
  while (!stopping_) {
    if (Lead()) {
      // Fire until nothing more is due, a batch per transaction.
      while (!stopping_) {
        auto fired = schedules_.FireDue(clock_.Now(), settings_.batch);
        if (!fired) {
          spdlog::warn("scheduler: firing failed: {}", fired.error().message);
          break;
        }
        if (*fired < settings_.batch) break;
      }
      const auto now = std::chrono::steady_clock::now();
      if (events_ != nullptr && now - last_prune_ >= std::chrono::hours(1)) {
        last_prune_ = now;
        if (auto pruned = events_->Prune(); pruned && *pruned > 0) {
          spdlog::info("events: {} older than their keep time deleted", *pruned);
        }
      }
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, settings_.tick, [&] { return stopping_.load(); });
  }
}

}  // namespace maestro::scheduler
