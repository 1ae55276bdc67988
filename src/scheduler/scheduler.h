// Scheduler: fires due schedules as jobs, from one process at a time (ARCHITECTURE.md).
//
// Any number of schedulers may run; one leads. Leadership is a PostgreSQL session advisory lock on
// a connection of its own (released by the server the moment the leader's process dies), or on
// SQLite a lease row renewed every second and taken over when it is `lease` old. Only the leader
// fires; and firing is a compare-and-set on each schedule's next_run_at, so a run fires once even
// in the moment two processes both believe they lead. The leader also prunes old events hourly.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/error.h"
#include "notify/events.h"
#include "scheduler/schedules.h"
#include "store/store.h"

namespace maestro::scheduler {

struct SchedulerSettings {
  std::chrono::milliseconds tick{200};    // how often the leader looks for due schedules
  std::chrono::milliseconds lease{5000};  // SQLite: a leader silent this long is replaced
  int batch = 500;                        // schedules fired per transaction
};

class Scheduler {
 public:
  Scheduler(store::Store& store, const Clock& clock, Schedules& schedules, notify::Events* events,
            SchedulerSettings settings = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void Start();
  void Stop();  // idempotent; a leader gives up its leadership
  bool leading() const { return leading_; }
  const std::string& id() const { return id_; }

 private:
  void Run();
  bool Lead();  // true while this process leads (acquires or keeps leadership)
  void Resign();

  store::Store& store_;
  const Clock& clock_;
  Schedules& schedules_;
  notify::Events* events_;
  const SchedulerSettings settings_;
  const std::string id_;
  std::atomic<bool> stopping_ = false;
  std::atomic<bool> leading_ = false;
  std::unique_ptr<store::Held> lock_;  // PostgreSQL
  std::chrono::steady_clock::time_point last_check_{};
  std::chrono::steady_clock::time_point last_prune_{};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace maestro::scheduler
