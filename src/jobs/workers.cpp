#include "jobs/workers.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/ids.h"
#include "scheduler/timing.h"

namespace maestro::jobs {
namespace {

using nlohmann::json;
using std::chrono::steady_clock;

constexpr auto kProgressEvery = std::chrono::milliseconds(250);

}  // namespace

JobContext::JobContext(Jobs& jobs, notify::Events* events, const JobRow& job,
                       steady_clock::time_point deadline, std::atomic<bool>& cancelled,
                       const std::string& worker)
    : jobs_(jobs),
      events_(events),
      job_(job),
      deadline_(deadline),
      cancelled_(cancelled),
      worker_(worker) {}

Status JobContext::Check() {
  const auto now = steady_clock::now();
  if (now >= deadline_) timed_out_ = true;
  if (!cancelled_ && now - last_checked_ >= kProgressEvery) {
    last_checked_ = now;
    if (jobs_.CancelRequested(job_.id)) cancelled_ = true;  // asked through another process
  }
  if (cancelled_) return Fail(ErrorCode::kConflict, "the job was cancelled");
  if (timed_out_) return Fail(ErrorCode::kUnavailable, "the job ran past its time limit");
  return {};
}

Status JobContext::Progress(std::int64_t done, std::int64_t total, std::string message) {
  const auto now = steady_clock::now();
  if (now - last_sent_ >= kProgressEvery || done >= total) {
    last_sent_ = now;
    progress_ = {{"done", done}, {"total", total}, {"message", std::move(message)}};
    if (auto stored = jobs_.Progress(job_.id, worker_, progress_); !stored) {
      spdlog::warn("job {}: progress not recorded: {}", job_.id, stored.error().message);
    }
    if (events_ != nullptr) {
      (void)events_->Job(job_.owner_id, {{"id", job_.id},
                                         {"job_type", job_.type},
                                         {"status", "running"},
                                         {"progress", progress_}});
    }
  }
  return Check();
}

Workers::Workers(Jobs& jobs, JobQueue& queue, notify::Events* events, MetricsRegistry* metrics,
                 WorkerSettings settings)
    : jobs_(jobs),
      queue_(queue),
      events_(events),
      metrics_(metrics),
      settings_(settings),
      id_(ProcessTag()) {
  if (metrics_ != nullptr) {
    metrics_->Describe("maestro_jobs_total", MetricType::kCounter,
                       "Jobs this process ran, by type and outcome.");
  }
}

Workers::~Workers() { Stop(); }

void Workers::Register(JobType type) {
  std::string name = type.name;
  types_.emplace(std::move(name), std::move(type));
}

void Workers::OnFinished(std::function<void(const FinishedJob&)> callback) {
  on_finished_.push_back(std::move(callback));
}

Status Workers::Start() {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, settings_.threads); ++i) {
    auto consumer = queue_.Consume();
    if (!consumer) return Fail(consumer.error());
    consumers_.push_back(std::move(*consumer));
  }
  for (auto& consumer : consumers_) {
    threads_.emplace_back([this, raw = consumer.get()] { Run(*raw); });
  }
  keeper_ = std::thread([this] { Keep(); });
  spdlog::info("{} job workers on {} (worker id {})", threads_.size(), queue_.Describe(), id_);
  return {};
}

void Workers::Stop() {
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, cancelled] : running_) *cancelled = true;
  }
  queue_.WakeAll();
  keeper_wake_.notify_all();
  for (auto& thread : threads_) thread.join();
  if (keeper_.joinable()) keeper_.join();
  threads_.clear();
}

void Workers::Run(Consumer& consumer) {
  while (!stopping_) {
    auto next = consumer.Next(id_, std::chrono::milliseconds(500));
    if (!next) {
      spdlog::warn("job worker: {}; trying again in 2 s", next.error().message);
      for (int i = 0; i < 20 && !stopping_; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      continue;
    }
    if (!*next) continue;
    Execute(**next);
    if (auto done = consumer.Done(**next); !done) {
      spdlog::warn("job {}: {}", (*next)->id, done.error().message);
    }
  }
}

void Workers::Execute(const JobRow& job) {
  std::atomic<bool> cancelled = false;
  {
    std::lock_guard lock(mutex_);
    running_[job.id] = &cancelled;
  }
  const auto type = types_.find(job.type);
  const auto timeout = type == types_.end() ? std::chrono::seconds(1) : type->second.timeout;
  JobContext context(jobs_, events_, job, steady_clock::now() + timeout, cancelled, id_);
  if (events_ != nullptr) {
    (void)events_->Job(job.owner_id, {{"id", job.id},
                                      {"job_type", job.type},
                                      {"status", "running"},
                                      {"progress", context.progress()}});
  }
  Result<json> outcome = json(nullptr);
  if (type == types_.end()) {
    outcome = Fail(ErrorCode::kInternal,
                   fmt::format("no handler for jobs of type '{}' in this version", job.type));
  } else if (auto checked = context.Check(); !checked) {
    outcome = Fail(checked.error());
  } else {
    try {
      outcome = type->second.handler(context);
    } catch (const std::exception& e) {
      outcome =
          Fail(ErrorCode::kInternal, fmt::format("the job failed unexpectedly: {}", e.what()));
    }
  }
  {
    std::lock_guard lock(mutex_);
    running_.erase(job.id);
  }

  std::string status = "succeeded";
  std::string error;
  const bool scrub = type != types_.end() && !type->second.keep_args;
  Result<bool> written = true;
  if (outcome) {
    written = jobs_.Finish(job.id, id_, status, *outcome, "", scrub);
  } else if (context.cancelled() && !stopping_) {
    status = "cancelled";
    error = "cancelled while running";
    written = jobs_.Finish(job.id, id_, status, nullptr, error, scrub);
  } else if (stopping_ && context.cancelled()) {
    // This process stops: the job goes back to the queue, and this run does not count.
    status = "queued";
    error = "interrupted: its worker stopped";
    written = jobs_.Retry(job.id, id_, error, std::chrono::milliseconds(0), /*uncount=*/true);
  } else if (context.timed_out()) {
    status = "failed";
    error = fmt::format("timed out after {} s", timeout.count());
    written = jobs_.Finish(job.id, id_, status, nullptr, error, scrub);
  } else if (outcome.error().code == ErrorCode::kUnavailable && job.attempts < job.max_attempts) {
    status = "queued";
    error = outcome.error().message;
    written =
        jobs_.Retry(job.id, id_, error,
                    scheduler::Backoff(job.attempts, settings_.retry_base, settings_.retry_cap),
                    /*uncount=*/false);
  } else {
    status = "failed";
    error = outcome.error().message;
    written = jobs_.Finish(job.id, id_, status, nullptr, error, scrub);
  }
  if (!written) {
    spdlog::error("job {}: its outcome ({}) was not recorded: {}", job.id, status,
                  written.error().message);
    return;
  }
  if (!*written) {
    spdlog::info("job {}: ended here ({}) after another worker took it over", job.id, status);
    return;
  }
  if (status == "queued") {
    spdlog::info("job {} ({}) will run again: {}", job.id, job.type, error);
    queue_.Announce({});  // AMQP: publish it when due (the keeper also does)
  } else if (status == "failed") {
    spdlog::warn("job {} ({}) failed: {}", job.id, job.type, error);
  }
  if (metrics_ != nullptr) {
    metrics_->Add("maestro_jobs_total", {{"type", job.type}, {"status", status}}, 1);
  }
  if (events_ != nullptr) {  // what the row now holds, without reading it back
    (void)events_->Job(job.owner_id, {{"id", job.id},
                                      {"job_type", job.type},
                                      {"status", status},
                                      {"progress", context.progress()},
                                      {"error", error.empty() ? json(nullptr) : json(error)}});
  }
  if (status == "queued") return;
  const FinishedJob finished{.id = job.id,
                             .type = job.type,
                             .owner_id = job.owner_id,
                             .schedule_id = job.schedule_id,
                             .status = status,
                             .error = error};
  for (const auto& callback : on_finished_) callback(finished);
}

void Workers::Keep() {
  // Leases are renewed three times in their life, and looked at as often.
  const auto renew_every = jobs_.lease() / 3;
  const auto period = std::min<std::chrono::milliseconds>(std::chrono::seconds(1), renew_every);
  auto last_renew = steady_clock::now();
  while (!stopping_) {
    {
      std::unique_lock lock(mutex_);
      keeper_wake_.wait_for(lock, period, [&] { return stopping_.load(); });
    }
    if (stopping_) break;
    bool running = false;
    {
      std::lock_guard lock(mutex_);
      running = !running_.empty();
    }
    if (running && steady_clock::now() - last_renew >= renew_every) {  // no write when idle
      last_renew = steady_clock::now();
      if (auto renewed = jobs_.Renew(id_); !renewed) {
        spdlog::warn("job leases not renewed: {}", renewed.error().message);
      }
    }
    if (auto reaped = jobs_.Reap(); !reaped) {
      spdlog::warn("jobs of stopped workers not recovered: {}", reaped.error().message);
    } else if (*reaped > 0) {
      spdlog::info("{} jobs of stopped workers are back in the queue", *reaped);
      queue_.Announce({});
    }
    if (auto dispatched = queue_.Dispatch(); !dispatched) {
      spdlog::warn("jobs not handed to the broker: {}", dispatched.error().message);
    }
  }
}

}  // namespace maestro::jobs
