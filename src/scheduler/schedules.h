// Schedules: when work runs by itself (DATA-MODEL.md, schedules; API.md, /api/schedules).
//
// A schedule runs a task (webhook, sync, report, graph) with its args, either `every` a duration
// or on a 5-field `cron` (UTC). Each run is a job of the task's type, owned by the schedule's
// owner; only the owner sees and changes a schedule. Read-only fields (total_run_count,
// last_run_at, next_run_at, last_status, message) are kept by the scheduler and by JobFinished.
//
// Tasks are offered by the modules that run them (Offer): the args check and the job's limits. A
// task nobody offers cannot be scheduled (422), so no schedule waits for a module that is absent.
//
// Depletion: a schedule whose jobs fail `deplete_after` times in a row, or whose task reports that
// it cannot go on (a connection in danger: DepleteNow), is disabled with the reason in `message`.
// Chains: after a successful run, each schedule of `chain` runs after its countdown.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "jobs/jobs.h"
#include "jobs/workers.h"
#include "notify/events.h"
#include "store/store.h"

namespace maestro::scheduler {

struct TaskOffer {
  std::string task;  // also the job type
  // Problems of the task's args for this owner, as field errors under "args." (empty = fine).
  std::function<std::vector<FieldError>(const nlohmann::json& args, const std::string& owner_id)>
      check;
  int max_attempts = 3;
};

// The offer of a task whose args are `{id}`, the id of one of the owner's rows of `table` (the
// report and graph tasks); `noun` names such a row in messages ("report").
TaskOffer OfferForOwnRow(store::Store& store, std::string task, std::string table, std::string noun,
                         int max_attempts);

struct ScheduleSettings {
  int deplete_after = 5;  // failed runs in a row that disable a schedule
};

class Schedules {
 public:
  Schedules(store::Store& store, const Clock& clock, jobs::Jobs& jobs, notify::Events* events,
            ScheduleSettings settings = {});

  void Offer(TaskOffer offer);

  Result<nlohmann::json> List(const std::string& owner_id, int page, int limit);
  Result<nlohmann::json> Get(const std::string& owner_id, const std::string& id);
  Result<nlohmann::json> Create(const std::string& owner_id, const nlohmann::json& body);
  // PATCH (JSON merge patch) and PUT (whole replacement); If-Match through `version` (0 = none).
  Result<nlohmann::json> Patch(const std::string& owner_id, const std::string& id,
                               const nlohmann::json& patch, std::int64_t if_version);
  Result<nlohmann::json> Replace(const std::string& owner_id, const std::string& id,
                                 const nlohmann::json& body, std::int64_t if_version);
  // Deletes the schedule; its finished jobs stay, queued ones are cancelled.
  Status Delete(const std::string& owner_id, const std::string& id);
  // Runs the task now (counts as a run): the job, as the API shows it.
  Result<nlohmann::json> RunNow(const std::string& owner_id, const std::string& id);

  // For the scheduler: fires every enabled schedule due at `now` (at most `limit`), each exactly
  // once even when several schedulers race; returns how many fired.
  Result<int> FireDue(TimePoint now, int limit);
  // For workers: a job of a schedule ended.
  void JobFinished(const jobs::FinishedJob& job);
  // Disables a schedule with a reason (e.g. its connection is in danger).
  Status DepleteNow(const std::string& id, const std::string& reason);

 private:
  Result<nlohmann::json> Write(const std::string& owner_id, const std::string& id,
                               const nlohmann::json& body, std::int64_t if_version);

  store::Store& store_;
  const Clock& clock_;
  jobs::Jobs& jobs_;
  notify::Events* events_;
  const ScheduleSettings settings_;
  std::map<std::string, TaskOffer> offers_;
};

}  // namespace maestro::scheduler
