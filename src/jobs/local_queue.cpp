// The local JobQueue: the jobs table is the queue (job_queue.h).
#include <condition_variable>
#include <mutex>

#include "jobs/job_queue.h"

namespace maestro::jobs {
namespace {

class LocalQueue;

class LocalConsumer final : public Consumer {
 public:
  explicit LocalConsumer(LocalQueue& queue) : queue_(queue) {}
  Result<std::optional<JobRow>> Next(const std::string& worker,
                                     std::chrono::milliseconds wait) override;
  Status Done(const JobRow&) override { return {}; }

 private:
  LocalQueue& queue_;
};

class LocalQueue final : public JobQueue {
 public:
  LocalQueue(Jobs& jobs, std::chrono::milliseconds poll) : jobs_(jobs), poll_(poll) {}
  std::string Describe() const override { return "the database (local queue)"; }
  void Announce(const std::vector<std::string>& ids) override {
    {
      std::lock_guard lock(mutex_);
      announced_ += ids.size();
    }
    if (ids.size() == 1) {
      wake_.notify_one();
    } else {
      wake_.notify_all();
    }
  }
  Result<std::unique_ptr<Consumer>> Consume() override {
    return std::unique_ptr<Consumer>(std::make_unique<LocalConsumer>(*this));
  }
  Status Dispatch() override { return {}; }
  Status Ping() override { return {}; }
  void WakeAll() override {
    {
      std::lock_guard lock(mutex_);
      ++generation_;
    }
    wake_.notify_all();
  }

  Result<std::optional<JobRow>> Next(const std::string& worker, std::chrono::milliseconds wait) {
    // Claim first; when there is nothing, sleep until an announcement, a wake-up or the poll time.
    auto claimed = jobs_.ClaimDue(worker);
    if (!claimed || *claimed) return claimed;
    std::unique_lock lock(mutex_);
    if (announced_ > 0) {
      --announced_;
      lock.unlock();
      return jobs_.ClaimDue(worker);
    }
    const auto generation = generation_;
    wake_.wait_for(lock, std::min(wait, poll_),
                   [&] { return announced_ > 0 || generation_ != generation; });
    if (announced_ > 0) --announced_;
    lock.unlock();
    return jobs_.ClaimDue(worker);
  }

 private:
  Jobs& jobs_;
  const std::chrono::milliseconds poll_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::size_t announced_ = 0;  // announcements no worker has looked at yet
  std::uint64_t generation_ = 0;
};

Result<std::optional<JobRow>> LocalConsumer::Next(const std::string& worker,
                                                  std::chrono::milliseconds wait) {
  return queue_.Next(worker, wait);
}

}  // namespace

std::unique_ptr<JobQueue> MakeLocalQueue(Jobs& jobs, std::chrono::milliseconds poll) {
  return std::make_unique<LocalQueue>(jobs, poll);
}

}  // namespace maestro::jobs
