// Workers: the threads that run jobs, and the handlers they run.
//
// Each job type has a handler and a timeout. A handler reports progress through its JobContext;
// Progress() fails once the job was cancelled or ran past its timeout, and the handler returns
// that error, so both are honoured at progress points. A handler's kUnavailable error is
// transient: the job is retried with exponential backoff until max_attempts; other errors fail it.
// Every change of status (and progress, at most every 250 ms) goes to the owner as a `job` event.
// After a scheduled job ends, `on_finished` lets the scheduler count it and run its chain.
//
// Thread-safe. Register every type before Start.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.h"
#include "jobs/job_queue.h"
#include "jobs/jobs.h"
#include "notify/events.h"

namespace maestro::jobs {

class JobContext {
 public:
  JobContext(Jobs& jobs, notify::Events* events, const JobRow& job,
             std::chrono::steady_clock::time_point deadline, std::atomic<bool>& cancelled,
             const std::string& worker);
  const JobRow& job() const { return job_; }
  const nlohmann::json& args() const { return job_.args; }
  // Records progress; fails (and the handler should return the error) once the job must stop.
  Status Progress(std::int64_t done, std::int64_t total, std::string message = {});
  // Fails once the job must stop, without recording progress.
  Status Check();
  bool cancelled() const { return cancelled_; }
  bool timed_out() const { return timed_out_; }
  // The progress last recorded (what the jobs table holds).
  const nlohmann::json& progress() const { return progress_; }

 private:
  Jobs& jobs_;
  notify::Events* events_;
  const JobRow& job_;
  const std::chrono::steady_clock::time_point deadline_;
  std::atomic<bool>& cancelled_;
  const std::string& worker_;
  bool timed_out_ = false;
  nlohmann::json progress_ = {{"done", 0}, {"total", 0}, {"message", ""}};
  std::chrono::steady_clock::time_point last_sent_{};
  std::chrono::steady_clock::time_point last_checked_{};
};

using JobHandler = std::function<Result<nlohmann::json>(JobContext&)>;

struct JobType {
  std::string name;
  JobHandler handler;
  std::chrono::seconds timeout{600};
  bool keep_args = true;  // false: args are emptied when the job ends (they hold secrets)
};

struct FinishedJob {
  std::string id;
  std::string type;
  std::string owner_id;
  std::string schedule_id;
  std::string status;  // succeeded, failed, cancelled
  std::string error;
};

struct WorkerSettings {
  std::size_t threads = 2;
  std::chrono::milliseconds retry_base{2000};
  std::chrono::milliseconds retry_cap{300000};
};

class Workers {
 public:
  Workers(Jobs& jobs, JobQueue& queue, notify::Events* events, MetricsRegistry* metrics,
          WorkerSettings settings);
  ~Workers();
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  void Register(JobType type);
  void OnFinished(std::function<void(const FinishedJob&)> callback);
  // Starts the threads (and the lease keeper). kUnavailable when the queue cannot be consumed.
  Status Start();
  // Stops taking jobs, lets running ones finish (they are asked to stop), joins. Idempotent.
  void Stop();
  const std::string& id() const { return id_; }

 private:
  void Run(Consumer& consumer);
  void Execute(const JobRow& job);
  void Keep();  // renews leases, reaps, dispatches

  Jobs& jobs_;
  JobQueue& queue_;
  notify::Events* events_;
  MetricsRegistry* metrics_;
  const WorkerSettings settings_;
  const std::string id_;
  std::map<std::string, JobType> types_;
  std::vector<std::function<void(const FinishedJob&)>> on_finished_;
  std::atomic<bool> stopping_ = false;
  std::mutex mutex_;
  std::condition_variable keeper_wake_;
  std::map<std::string, std::atomic<bool>*> running_;  // job id → its cancel flag
  std::vector<std::unique_ptr<Consumer>> consumers_;
  std::vector<std::thread> threads_;
  std::thread keeper_;
};

}  // namespace maestro::jobs
