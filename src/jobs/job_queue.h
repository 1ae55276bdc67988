// JobQueue: how workers hear of jobs (ARCHITECTURE.md, deployment shapes).
//
// LocalQueue (default): the jobs table is the queue; workers of any process claim due rows, and
// Announce wakes this process's idle workers at once (others poll every `poll`).
// AmqpQueue (MAESTRO_BROKER_URL=amqp://…): each due job's id is published, persistent, to a durable
// RabbitMQ queue; every worker thread consumes on its own connection with a bounded prefetch and
// acknowledges a message only after the job's outcome is committed, so the broker redelivers the
// jobs of a worker that dies. Job state still lives in the jobs table, which also keeps
// deduplication: a redelivered job that finished, or that a live worker runs, is dropped.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/error.h"
#include "jobs/jobs.h"

namespace maestro::jobs {

// One worker thread's side of the queue.
class Consumer {
 public:
  virtual ~Consumer() = default;
  // The next job, already claimed for `worker` (status running), waiting at most `wait`.
  virtual Result<std::optional<JobRow>> Next(const std::string& worker,
                                             std::chrono::milliseconds wait) = 0;
  // The job's outcome is committed.
  virtual Status Done(const JobRow& job) = 0;
};

class JobQueue {
 public:
  virtual ~JobQueue() = default;
  virtual std::string Describe() const = 0;
  // Committed jobs are there (REQUIRES: due now or later; later ones are found by polling).
  virtual void Announce(const std::vector<std::string>& ids) = 0;
  virtual Result<std::unique_ptr<Consumer>> Consume() = 0;
  // Publishes due jobs that were never handed over (a broker that was down, retries). No-op for
  // the local queue.
  virtual Status Dispatch() = 0;
  // kUnavailable when the broker does not answer (/ready).
  virtual Status Ping() = 0;
  // Wakes every consumer waiting in Next (shutdown).
  virtual void WakeAll() = 0;
};

std::unique_ptr<JobQueue> MakeLocalQueue(Jobs& jobs,
                                         std::chrono::milliseconds poll = std::chrono::seconds(1));

struct AmqpSettings {
  std::string url;  // amqp://user:password@host:port/vhost
  std::string queue = "maestro.jobs";
  int prefetch = 8;  // unacknowledged messages per worker thread
  // A published job still queued this long after it was due is published again (its message may
  // have been lost with a broker that crashed; publishing has no confirms).
  std::chrono::milliseconds republish_after{std::chrono::minutes(10)};
};
// kBadRequest when the URL cannot be read; kUnavailable when the broker does not answer.
Result<std::unique_ptr<JobQueue>> MakeAmqpQueue(Jobs& jobs, AmqpSettings settings);

}  // namespace maestro::jobs
