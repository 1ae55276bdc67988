// Jobs: durable background work (DATA-MODEL.md, jobs; API.md, Jobs).
//
// A job is a row of the jobs table: type, args, status queued → running → succeeded | failed |
// cancelled, progress {done, total, message}, result or error, attempts. Jobs are created here
// (Enqueue, or Insert inside a caller's transaction followed by Announce after its commit) and run
// by the Workers of any process, through a JobQueue (job_queue.h). Delivery is at least once: a
// job whose worker died runs again, so handlers are idempotent.
//
// Visibility: a job belongs to its owner (the user it works for); only they see it through the
// API. Jobs of the system (no owner) are seen by nobody through the API.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "store/store.h"

namespace maestro::jobs {

class JobQueue;

struct NewJob {
  std::string type;
  nlohmann::json args = nlohmann::json::object();
  std::string owner_id;     // empty: the system
  std::string schedule_id;  // the schedule that made it, if any
  int max_attempts = 3;     // runs at most, counting retries of transient failures
  std::chrono::milliseconds delay{0};
};

// A job as a worker holds it.
struct JobRow {
  std::string id;
  std::string type;
  std::string owner_id;
  std::string schedule_id;
  nlohmann::json args;
  int attempts = 0;  // including this run
  int max_attempts = 1;
  std::uint64_t delivery_tag = 0;  // AMQP
};

struct JobSettings {
  // A running job's worker renews its lease every lease/3; a job whose lease ran out (its process
  // died) goes back to the queue.
  std::chrono::milliseconds lease{15000};
};

class Jobs {
 public:
  Jobs(store::Store& store, const Clock& clock, JobSettings settings = {});

  // The queue that Announce and Enqueue tell. REQUIRES: called once, before any Enqueue.
  void SetQueue(JobQueue* queue) { queue_ = queue; }

  // Writes the job in its own transaction and tells the queue. Returns the job as the API shows it.
  Result<nlohmann::json> Enqueue(const NewJob& job);
  // Writes jobs inside the caller's transaction; call Announce with the ids after it commits.
  Result<std::vector<std::string>> Insert(store::Session& session, const std::vector<NewJob>& jobs);
  // Tells the queue that committed jobs are there (AMQP: publishes those that are due).
  void Announce(const std::vector<std::string>& ids);

  // API: the caller's jobs, newest first. Filters: status, type, schedule. Unknown values → 400.
  Result<nlohmann::json> List(const std::string& owner_id, const std::string& status,
                              const std::string& type, const std::string& schedule, int page,
                              int limit);
  // kNotFound unless the caller owns it.
  Result<nlohmann::json> Get(const std::string& owner_id, const std::string& id);
  // A queued job ends at once; a running one is asked to stop (its handler sees it at its next
  // progress point). Finished jobs: kConflict. Returns the job.
  Result<nlohmann::json> Cancel(const std::string& owner_id, const std::string& id);

  // ---- for workers and queues
  // Claims the oldest due queued job for `worker`; nullopt when there is none.
  Result<std::optional<JobRow>> ClaimDue(const std::string& worker);
  // Claims one job by id (a broker delivered it): when it is queued, or running with a lease that
  // ran out. nullopt when it is finished or another live worker runs it.
  Result<std::optional<JobRow>> ClaimById(const std::string& id, const std::string& worker,
                                          bool takeover);
  // ClaimById with `takeover` also claims a job another worker runs: the broker redelivered it
  // because that worker's connection died. The old worker's later writes are then ignored.
  // The writes of a worker about its job: ignored (false) when the job is no longer its own.
  Result<bool> Progress(const std::string& id, const std::string& worker,
                        const nlohmann::json& progress);
  // `scrub`: the args are emptied.
  Result<bool> Finish(const std::string& id, const std::string& worker, std::string_view status,
                      const nlohmann::json& result, const std::string& error, bool scrub = false);
  // Back to the queue after a transient failure, not before `delay`; `uncount`: this run does
  // not count as an attempt (its process is stopping).
  Result<bool> Retry(const std::string& id, const std::string& worker, const std::string& error,
                     std::chrono::milliseconds delay, bool uncount);
  bool CancelRequested(const std::string& id);
  // Keeps the leases of the jobs `worker` runs; puts jobs with run-out leases back in the queue.
  Status Renew(const std::string& worker);
  Result<std::int64_t> Reap();
  // Due jobs not yet handed to a broker: marks them handed and returns their ids.
  Result<std::vector<std::string>> TakeUndispatched(int limit);
  // Hands them back (publishing failed).
  Status Undispatch(const std::vector<std::string>& ids);
  // Jobs handed to the broker that still wait `stale` after they were due: their message may have
  // been lost with a broker that crashed, so they are handed over again (a duplicate message is
  // dropped by ClaimById). Returns how many.
  Result<std::int64_t> UndispatchStale(std::chrono::milliseconds stale);
  // Jobs waiting in the queue (for /metrics).
  Result<std::int64_t> QueuedCount();
  // The job as the API shows it, by id, whoever owns it (for events).
  Result<nlohmann::json> Read(const std::string& id);

  const Clock& clock() const { return clock_; }
  std::chrono::milliseconds lease() const { return settings_.lease; }
  store::Store& store() { return store_; }

 private:
  store::Store& store_;
  const Clock& clock_;
  const JobSettings settings_;
  JobQueue* queue_ = nullptr;
};

}  // namespace maestro::jobs
