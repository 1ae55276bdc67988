#include "jobs/jobs.h"

#include <fmt/format.h>

#include <array>

#include "common/ids.h"
#include "common/json_util.h"
#include "jobs/job_queue.h"

namespace maestro::jobs {
namespace {

using nlohmann::json;

constexpr std::array kStatuses = {"queued", "running", "succeeded", "failed", "cancelled"};
constexpr std::string_view kColumns =
    "id, type, status, owner_id, schedule_id, args, progress, result, error, attempts, "
    "max_attempts, run_after, created_at, started_at, finished_at, cancel_requested";
constexpr std::string_view kClaimed =
    "id, type, owner_id, schedule_id, args, attempts, max_attempts";

store::Value OrNull(const std::string& text) {
  return text.empty() ? store::Value(nullptr) : store::Value(text);
}

json JsonOr(const store::Value& value, json fallback) {
  if (store::IsNull(value)) return fallback;
  auto parsed = ParseJson(store::AsString(value));
  return parsed ? std::move(*parsed) : fallback;
}

json TextOrNull(const store::Value& value) {
  return store::IsNull(value) ? json(nullptr) : json(store::AsString(value));
}

json JobJson(const store::Rows& rows, std::size_t i) {
  const auto& row = rows.rows.at(i);
  json progress = JsonOr(row[6], json::object());
  if (!progress.contains("done")) progress = {{"done", 0}, {"total", 0}, {"message", ""}};
  return {{"id", store::AsString(row[0])},
          {"type", store::AsString(row[1])},
          {"status", store::AsString(row[2])},
          {"schedule", TextOrNull(row[4])},
          {"args", JsonOr(row[5], json::object())},
          {"progress", std::move(progress)},
          {"result", JsonOr(row[7], nullptr)},
          {"error", TextOrNull(row[8])},
          {"attempts", store::AsInt(row[9])},
          {"max_attempts", store::AsInt(row[10])},
          {"run_after", store::AsString(row[11])},
          {"created_at", store::AsString(row[12])},
          {"started_at", TextOrNull(row[13])},
          {"finished_at", TextOrNull(row[14])},
          {"cancel_requested", store::AsBool(row[15])}};
}

std::optional<JobRow> ClaimedRow(const store::Rows& rows) {
  if (rows.empty()) return std::nullopt;
  const auto& row = rows.rows.front();
  return JobRow{.id = store::AsString(row[0]),
                .type = store::AsString(row[1]),
                .owner_id = store::AsString(row[2]),
                .schedule_id = store::AsString(row[3]),
                .args = JsonOr(row[4], json::object()),
                .attempts = static_cast<int>(store::AsInt(row[5])),
                .max_attempts = static_cast<int>(store::AsInt(row[6]))};
}

std::string_view SkipLocked(store::Dialect dialect) {
  return dialect == store::Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
}

Result<bool> Changed(const Result<std::int64_t>& changed) {
  if (!changed) return Fail(changed.error());
  return *changed > 0;
}

}  // namespace

Jobs::Jobs(store::Store& store, const Clock& clock, JobSettings settings)
    : store_(store), clock_(clock), settings_(settings) {}

Result<std::vector<std::string>> Jobs::Insert(store::Session& session,
                                              const std::vector<NewJob>& jobs) {
  constexpr std::size_t kPerStatement = 100;
  std::vector<std::string> ids;
  ids.reserve(jobs.size());
  const TimePoint now = clock_.Now();
  const std::string created = FormatTime(now);
  for (std::size_t start = 0; start < jobs.size(); start += kPerStatement) {
    const std::size_t end = std::min(jobs.size(), start + kPerStatement);
    std::string sql =
        "INSERT INTO jobs (id, type, status, owner_id, schedule_id, args, max_attempts, "
        "run_after, created_at) VALUES ";
    store::Params params;
    for (std::size_t i = start; i < end; ++i) {
      const NewJob& job = jobs[i];
      ids.push_back(NewId());
      sql += i == start ? "(?, ?, 'queued', ?, ?, ?, ?, ?, ?)"
                        : ", (?, ?, 'queued', ?, ?, ?, ?, ?, ?)";
      params.insert(
          params.end(),
          {ids.back(), job.type, OrNull(job.owner_id), OrNull(job.schedule_id), job.args.dump(),
           std::int64_t{std::max(1, job.max_attempts)}, FormatTime(now + job.delay), created});
    }
    if (auto inserted = session.Exec(sql, params); !inserted) return Fail(inserted.error());
  }
  return ids;
}

void Jobs::Announce(const std::vector<std::string>& ids) {
  if (queue_ != nullptr && !ids.empty()) queue_->Announce(ids);
}

Result<json> Jobs::Enqueue(const NewJob& job) {
  std::vector<std::string> ids;
  auto written = store_.Transaction([&](store::Session& session) -> Status {
    auto inserted = Insert(session, {job});
    if (!inserted) return Fail(inserted.error());
    ids = std::move(*inserted);
    return {};
  });
  if (!written) return Fail(written.error());
  Announce(ids);
  return Read(ids.front());
}

Result<json> Jobs::Read(const std::string& id) {
  auto rows = store_.Query(fmt::format("SELECT {} FROM jobs WHERE id = ?", kColumns), {id});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(ErrorCode::kNotFound, fmt::format("no job {}", id));
  return JobJson(*rows, 0);
}

Result<json> Jobs::List(const std::string& owner_id, const std::string& status,
                        const std::string& type, const std::string& schedule, int page, int limit) {
  std::string where = "owner_id = ?";
  store::Params params = {owner_id};
  if (!status.empty()) {
    if (std::find(kStatuses.begin(), kStatuses.end(), status) == kStatuses.end()) {
      return Fail(ErrorCode::kBadRequest,
                  fmt::format("status '{}' is not one of queued, running, succeeded, failed, "
                              "cancelled",
                              status));
    }
    where += " AND status = ?";
    params.emplace_back(status);
  }
  if (!type.empty()) {
    where += " AND type = ?";
    params.emplace_back(type);
  }
  if (!schedule.empty()) {
    where += " AND schedule_id = ?";
    params.emplace_back(schedule);
  }
  auto found =
      store::ReadPage(store_, kColumns, "jobs WHERE " + where, params, "id DESC", page, limit);
  if (!found) return Fail(found.error());
  json items = json::array();
  for (std::size_t i = 0; i < found->rows.size(); ++i) items.push_back(JobJson(found->rows, i));
  return json{
      {"items", std::move(items)}, {"total", found->total}, {"page", page}, {"limit", limit}};
}

Result<json> Jobs::Get(const std::string& owner_id, const std::string& id) {
  auto rows = store_.Query(
      fmt::format("SELECT {} FROM jobs WHERE id = ? AND owner_id = ?", kColumns), {id, owner_id});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(ErrorCode::kNotFound, fmt::format("no job {}", id));
  return JobJson(*rows, 0);
}

Result<json> Jobs::Cancel(const std::string& owner_id, const std::string& id) {
  auto job = Get(owner_id, id);
  if (!job) return job;
  const std::string now = FormatTime(clock_.Now());
  auto ended = store_.Exec(
      "UPDATE jobs SET status = 'cancelled', finished_at = ?, cancel_requested = 1, error = "
      "'cancelled before it started' WHERE id = ? AND status = 'queued'",
      {now, id});
  if (!ended) return Fail(ended.error());
  if (*ended == 0) {
    auto asked = store_.Exec(
        "UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND status = 'running'", {id});
    if (!asked) return Fail(asked.error());
    if (*asked == 0) {
      return Fail(ErrorCode::kConflict, fmt::format("job {} has already ended ({})", id,
                                                    (*job)["status"].get<std::string>()));
    }
  }
  return Read(id);
}

Result<std::optional<JobRow>> Jobs::ClaimDue(const std::string& worker) {
  const std::string now = FormatTime(clock_.Now());
  const std::string lease = FormatTime(clock_.Now() + settings_.lease);
  std::optional<JobRow> claimed;
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    auto rows = session.Query(
        fmt::format("UPDATE jobs SET status = 'running', worker = ?, lease_until = ?, attempts = "
                    "attempts + 1, started_at = COALESCE(started_at, ?) WHERE status = 'queued' "
                    "AND id = (SELECT id FROM jobs WHERE status = 'queued' AND run_after <= ? "
                    "ORDER BY run_after LIMIT 1{}) RETURNING {}",
                    SkipLocked(session.dialect()), kClaimed),
        {worker, lease, now, now});
    if (!rows) return Fail(rows.error());
    claimed = ClaimedRow(*rows);
    return {};
  });
  if (!done) return Fail(done.error());
  return claimed;
}

Result<std::optional<JobRow>> Jobs::ClaimById(const std::string& id, const std::string& worker,
                                              bool takeover) {
  const std::string now = FormatTime(clock_.Now());
  auto rows = store_.Query(
      fmt::format("UPDATE jobs SET status = 'running', worker = ?, lease_until = ?, attempts = "
                  "attempts + 1, started_at = COALESCE(started_at, ?) WHERE id = ? AND (status = "
                  "'queued' OR (status = 'running' AND (lease_until < ? OR ?))) RETURNING {}",
                  kClaimed),
      {worker, FormatTime(clock_.Now() + settings_.lease), now, id, now, takeover});
  if (!rows) return Fail(rows.error());
  return ClaimedRow(*rows);
}

Result<bool> Jobs::Progress(const std::string& id, const std::string& worker,
                            const json& progress) {
  return Changed(
      store_.Exec("UPDATE jobs SET progress = ? WHERE id = ? AND worker = ? AND status = 'running'",
                  {progress.dump(), id, worker}));
}

Result<bool> Jobs::Finish(const std::string& id, const std::string& worker, std::string_view status,
                          const json& result, const std::string& error, bool scrub) {
  return Changed(store_.Exec(
      "UPDATE jobs SET status = ?, result = ?, error = ?, finished_at = ?, lease_until = NULL, "
      "args = CASE WHEN ? THEN '{}' ELSE args END WHERE id = ? AND worker = ? AND status = "
      "'running'",
      {std::string(status), result.is_null() ? store::Value(nullptr) : store::Value(result.dump()),
       OrNull(error), FormatTime(clock_.Now()), scrub, id, worker}));
}

Result<bool> Jobs::Retry(const std::string& id, const std::string& worker, const std::string& error,
                         std::chrono::milliseconds delay, bool uncount) {
  return Changed(store_.Exec(
      "UPDATE jobs SET status = 'queued', error = ?, run_after = ?, dispatched = 0, worker = "
      "NULL, lease_until = NULL, attempts = attempts - ? WHERE id = ? AND worker = ? AND status "
      "= 'running'",
      {OrNull(error), FormatTime(clock_.Now() + delay), std::int64_t{uncount ? 1 : 0}, id,
       worker}));
}

bool Jobs::CancelRequested(const std::string& id) {
  auto rows = store_.Query("SELECT cancel_requested FROM jobs WHERE id = ?", {id});
  return rows && !rows->empty() && store::AsBool(rows->rows.at(0).at(0));
}

Status Jobs::Renew(const std::string& worker) {
  auto renewed =
      store_.Exec("UPDATE jobs SET lease_until = ? WHERE worker = ? AND status = 'running'",
                  {FormatTime(clock_.Now() + settings_.lease), worker});
  if (!renewed) return Fail(renewed.error());
  return {};
}

Result<std::int64_t> Jobs::Reap() {
  const std::string now = FormatTime(clock_.Now());
  std::int64_t back = 0;
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    // A job that took its worker down every time it ran stops here.
    auto failed = session.Exec(
        "UPDATE jobs SET status = 'failed', finished_at = ?, error = 'its worker stopped while "
        "running it, on every attempt', lease_until = NULL WHERE status = 'running' AND "
        "lease_until < ? AND attempts >= max_attempts",
        {now, now});
    if (!failed) return Fail(failed.error());
    auto queued = session.Exec(
        "UPDATE jobs SET status = 'queued', worker = NULL, lease_until = NULL, dispatched = 0 "
        "WHERE status = 'running' AND lease_until < ?",
        {now});
    if (!queued) return Fail(queued.error());
    back = *queued;
    return {};
  });
  if (!done) return Fail(done.error());
  return back;
}

Result<std::vector<std::string>> Jobs::TakeUndispatched(int limit) {
  const std::string now = FormatTime(clock_.Now());
  std::vector<std::string> ids;
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    auto rows = session.Query(
        fmt::format("UPDATE jobs SET dispatched = 1 WHERE dispatched = 0 AND id IN (SELECT id "
                    "FROM jobs WHERE status = 'queued' AND dispatched = 0 AND run_after <= ? "
                    "ORDER BY run_after LIMIT ?{}) RETURNING id",
                    SkipLocked(session.dialect())),
        {now, std::int64_t{limit}});
    if (!rows) return Fail(rows.error());
    for (const auto& row : rows->rows) ids.push_back(store::AsString(row.at(0)));
    return {};
  });
  if (!done) return Fail(done.error());
  return ids;
}

Status Jobs::Undispatch(const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    if (auto back = store_.Exec("UPDATE jobs SET dispatched = 0 WHERE id = ?", {id}); !back) {
      return Fail(back.error());
    }
  }
  return {};
}

Result<std::int64_t> Jobs::UndispatchStale(std::chrono::milliseconds stale) {
  return store_.Exec(
      "UPDATE jobs SET dispatched = 0 WHERE status = 'queued' AND dispatched = 1 AND run_after < ?",
      {FormatTime(clock_.Now() - stale)});
}

Result<std::int64_t> Jobs::QueuedCount() {
  auto rows = store_.Query("SELECT COUNT(*) FROM jobs WHERE status = 'queued'", {});
  if (!rows) return Fail(rows.error());
  return store::AsInt(rows->rows.at(0).at(0));
}

}  // namespace maestro::jobs
