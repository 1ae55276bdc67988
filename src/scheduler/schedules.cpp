#include "scheduler/schedules.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <optional>

#include "common/ids.h"
#include "common/json_util.h"
#include "common/validation.h"
#include "scheduler/timing.h"

namespace maestro::scheduler {
namespace {

using nlohmann::json;

constexpr std::string_view kColumns =
    "id, owner_id, name, task, args, every, cron, enabled, run_immediately, chain, "
    "total_run_count, failures, last_run_at, next_run_at, last_status, message, version, "
    "created_at, updated_at";
constexpr std::array kReadOnly = {"id",          "total_run_count", "failures", "last_run_at",
                                  "next_run_at", "last_status",     "message",  "version",
                                  "created_at",  "updated_at"};
// The tasks of DATA-MODEL.md; those no module offers (it is switched off) are refused as not
// available.
constexpr std::array kTasks = {"webhook", "sync", "report", "graph"};
constexpr std::string_view kTaskList = "webhook, sync, report or graph";
constexpr int kMaxChain = 10;
constexpr std::int64_t kMaxCountdown = 86400;

json TextOrNull(const store::Value& value) {
  return store::IsNull(value) ? json(nullptr) : json(store::AsString(value));
}

json ParsedOr(const store::Value& value, json fallback) {
  auto parsed = ParseJson(store::AsString(value));
  return parsed ? std::move(*parsed) : fallback;
}

json ScheduleJson(const std::vector<store::Value>& row) {
  return {{"id", store::AsString(row[0])},
          {"name", store::AsString(row[2])},
          {"task", store::AsString(row[3])},
          {"args", ParsedOr(row[4], json::object())},
          {"every", TextOrNull(row[5])},
          {"cron", TextOrNull(row[6])},
          {"enabled", store::AsBool(row[7])},
          {"run_immediately", store::AsBool(row[8])},
          {"chain", ParsedOr(row[9], json::array())},
          {"total_run_count", store::AsInt(row[10])},
          {"failures", store::AsInt(row[11])},
          {"last_run_at", TextOrNull(row[12])},
          {"next_run_at", TextOrNull(row[13])},
          {"last_status", TextOrNull(row[14])},
          {"message", TextOrNull(row[15])},
          {"version", store::AsInt(row[16])},
          {"created_at", store::AsString(row[17])},
          {"updated_at", store::AsString(row[18])}};
}

// The fields a person writes, checked.
struct Fields {
  std::string name;
  std::string task;
  json args = json::object();
  std::string every;
  std::string cron;
  bool enabled = true;
  bool run_immediately = false;
  json chain = json::array();
};

// When a schedule with these fields runs next after `now`; `anchor` keeps an interval's cadence.
std::optional<TimePoint> NextRun(const Fields& fields, TimePoint now, TimePoint anchor) {
  if (!fields.enabled) return std::nullopt;
  if (!fields.every.empty()) {
    auto every = ParseEvery(fields.every);
    if (!every) return std::nullopt;
    return NextEvery(anchor, *every, now);
  }
  auto cron = CronExpression::Parse(fields.cron);
  if (!cron) return std::nullopt;
  return cron->Next(now);
}

store::Value TimeOrNull(const std::optional<TimePoint>& time) {
  return time ? store::Value(FormatTime(*time)) : store::Value(nullptr);
}

// The 0/1 of an INTEGER flag column (PostgreSQL does not cast a boolean parameter to it).
store::Value Flag(bool on) { return std::int64_t{on ? 1 : 0}; }

store::Value TextValue(const std::string& text) {
  return text.empty() ? store::Value(nullptr) : store::Value(text);
}

}  // namespace

Schedules::Schedules(store::Store& store, const Clock& clock, jobs::Jobs& jobs,
                     notify::Events* events, ScheduleSettings settings)
    : store_(store), clock_(clock), jobs_(jobs), events_(events), settings_(settings) {}

void Schedules::Offer(TaskOffer offer) {
  std::string task = offer.task;
  offers_.emplace(std::move(task), std::move(offer));
}

Result<json> Schedules::List(const std::string& owner_id, int page, int limit) {
  auto found = store::ReadPage(store_, kColumns, "schedules WHERE owner_id = ?", {owner_id},
                               "name, id", page, limit);
  if (!found) return Fail(found.error());
  json items = json::array();
  for (const auto& row : found->rows.rows) items.push_back(ScheduleJson(row));
  return json{
      {"items", std::move(items)}, {"total", found->total}, {"page", page}, {"limit", limit}};
}

Result<json> Schedules::Get(const std::string& owner_id, const std::string& id) {
  auto rows =
      store_.Query(fmt::format("SELECT {} FROM schedules WHERE id = ? AND owner_id = ?", kColumns),
                   {id, owner_id});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(ErrorCode::kNotFound, fmt::format("no schedule {}", id));
  return ScheduleJson(rows->rows.front());
}

namespace {

// Checks a whole schedule body; `self` is the schedule's own id (chains may not name it).
Result<Fields> Check(const json& body, const std::map<std::string, TaskOffer>& offers,
                     const std::string& owner_id, const std::string& self, store::Store& store) {
  if (!body.is_object()) return Fail(ErrorCode::kBadRequest, "a schedule is a JSON object");
  FieldCheck check(body);
  Fields fields;
  for (const char* name : kReadOnly) {
    check.Allow(name);  // one problem each: read-only, not also unknown
    if (body.contains(name)) check.Problem(name, "is read-only");
  }
  fields.name = check.RequiredText("name", {.min = 1, .max = 200}).value_or("");
  fields.enabled = check.Boolean("enabled").value_or(true);
  fields.run_immediately = check.Boolean("run_immediately").value_or(false);

  check.Allow("task");
  const TaskOffer* offer = nullptr;
  if (!body.contains("task") || body["task"].is_null()) {
    check.Problem("task", fmt::format("is required: {}", kTaskList));
  } else if (!body["task"].is_string()) {
    check.Problem("task", fmt::format("must be text: {}", kTaskList));
  } else {
    fields.task = body["task"];
    if (auto found = offers.find(fields.task); found != offers.end()) {
      offer = &found->second;
    } else if (std::find(kTasks.begin(), kTasks.end(), fields.task) != kTasks.end()) {
      check.Problem("task",
                    fmt::format("'{}' is not available on this server (its module is switched off)",
                                fields.task));
    } else {
      check.Problem("task", fmt::format("must be one of {}", kTaskList));
    }
  }
  check.Allow("args");
  if (body.contains("args") && !body["args"].is_null()) {
    if (!body["args"].is_object()) {
      check.Problem("args", "must be an object");
    } else {
      fields.args = body["args"];
    }
  }
  if (offer != nullptr && fields.args.is_object()) {
    for (auto& problem : offer->check(fields.args, owner_id)) {
      check.Problem(problem.field, problem.problem);
    }
  }

  check.Allow("every");
  check.Allow("cron");
  const bool has_every = body.contains("every") && !body["every"].is_null();
  const bool has_cron = body.contains("cron") && !body["cron"].is_null();
  if (has_every == has_cron) {
    check.Problem(has_every ? "cron" : "every",
                  has_every ? "cannot be given with every: choose one"
                            : "is required, or cron: give exactly one (every: 30s, 5m, 6h, 14d, "
                              "2w; cron: 5 fields, UTC)");
  } else if (has_every) {
    if (!body["every"].is_string()) {
      check.Problem("every", "must be text such as 30s, 5m, 6h, 14d or 2w");
    } else if (auto every = ParseEvery(body["every"].get<std::string>()); !every) {
      check.Problem("every", every.error().message);
    } else {
      fields.every = body["every"];
    }
  } else {
    if (!body["cron"].is_string()) {
      check.Problem("cron", "must be text with 5 fields (minute hour day month weekday)");
    } else if (auto cron = CronExpression::Parse(body["cron"].get<std::string>()); !cron) {
      std::string problem = cron.error().message;  // "cron minute field: …"
      if (problem.starts_with("cron ")) problem.erase(0, 5);
      check.Problem("cron", problem);
    } else {
      fields.cron = cron->text();
    }
  }

  check.Allow("chain");
  if (body.contains("chain") && !body["chain"].is_null()) {
    const json& chain = body["chain"];
    if (!chain.is_array()) {
      check.Problem("chain", "must be a list of {schedule, countdown_s}");
    } else if (chain.size() > kMaxChain) {
      check.Problem("chain", fmt::format("may name at most {} schedules", kMaxChain));
    } else {
      for (std::size_t i = 0; i < chain.size(); ++i) {
        const std::string at = fmt::format("chain.{}", i);
        const json& link = chain[i];
        if (!link.is_object()) {
          check.Problem(at, "must be an object {schedule, countdown_s}");
          continue;
        }
        for (const auto& [key, value] : link.items()) {
          if (key != "schedule" && key != "countdown_s") {
            check.Problem(at + "." + key, "is not a field of a chain link");
          }
        }
        if (!link.contains("schedule") || !link["schedule"].is_string()) {
          check.Problem(at + ".schedule", "is required: the id of one of your schedules");
          continue;
        }
        const std::string target = link["schedule"];
        std::int64_t countdown = 0;
        if (link.contains("countdown_s")) {
          if (!link["countdown_s"].is_number_integer() || link["countdown_s"] < 0 ||
              link["countdown_s"] > kMaxCountdown) {
            check.Problem(
                at + ".countdown_s",
                fmt::format("must be a whole number of seconds from 0 to {}", kMaxCountdown));
            continue;
          }
          countdown = link["countdown_s"];
        }
        if (target == self) {
          check.Problem(at + ".schedule", "cannot be the schedule itself");
          continue;
        }
        auto found = store.Query("SELECT 1 FROM schedules WHERE id = ? AND owner_id = ?",
                                 {target, owner_id});
        if (!found) return Fail(found.error());
        if (found->empty()) {
          check.Problem(at + ".schedule", fmt::format("no schedule {} of yours", target));
          continue;
        }
        fields.chain.push_back({{"schedule", target}, {"countdown_s", countdown}});
      }
    }
  }
  if (auto finished = check.Finish("schedule"); !finished) return Fail(finished.error());
  return fields;
}

}  // namespace

Result<json> Schedules::Create(const std::string& owner_id, const json& body) {
  const std::string id = NewId();
  auto fields = Check(body, offers_, owner_id, id, store_);
  if (!fields) return Fail(fields.error());
  const TimePoint now = clock_.Now();
  const std::optional<TimePoint> next =
      fields->enabled && fields->run_immediately ? std::optional(now) : NextRun(*fields, now, now);
  auto inserted = store_.Exec(
      "INSERT INTO schedules (id, owner_id, name, task, args, every, cron, enabled, "
      "run_immediately, chain, next_run_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
      "?, ?, ?, ?, ?, ?)",
      {id, owner_id, fields->name, fields->task, fields->args.dump(), TextValue(fields->every),
       TextValue(fields->cron), Flag(fields->enabled), Flag(fields->run_immediately),
       fields->chain.dump(), TimeOrNull(next), FormatTime(now), FormatTime(now)});
  if (!inserted) return Fail(inserted.error());
  if (events_ != nullptr) (void)events_->Signal({.user_id = owner_id}, "schedules-update", id);
  return Get(owner_id, id);
}

Result<json> Schedules::Patch(const std::string& owner_id, const std::string& id, const json& patch,
                              std::int64_t if_version) {
  if (!patch.is_object()) return Fail(ErrorCode::kBadRequest, "a merge patch is a JSON object");
  auto current = Get(owner_id, id);
  if (!current) return current;
  json merged = json::object();
  for (const char* key :
       {"name", "task", "args", "every", "cron", "enabled", "run_immediately", "chain"}) {
    if (!(*current)[key].is_null()) merged[key] = (*current)[key];
  }
  // args is replaced whole: a patch of one header must not keep another's stale value silently.
  json body = merged;
  body.merge_patch(patch);
  if (patch.contains("args") && patch["args"].is_object()) body["args"] = patch["args"];
  // Giving one of every / cron replaces the other.
  if (patch.contains("every") && !patch["every"].is_null() && !patch.contains("cron")) {
    body.erase("cron");
  }
  if (patch.contains("cron") && !patch["cron"].is_null() && !patch.contains("every")) {
    body.erase("every");
  }
  return Write(owner_id, id, body, if_version);
}

Result<json> Schedules::Replace(const std::string& owner_id, const std::string& id,
                                const json& body, std::int64_t if_version) {
  return Write(owner_id, id, body, if_version);
}

Result<json> Schedules::Write(const std::string& owner_id, const std::string& id, const json& body,
                              std::int64_t if_version) {
  auto fields = Check(body, offers_, owner_id, id, store_);
  if (!fields) return Fail(fields.error());
  auto written = store_.Transaction([&](store::Session& session) -> Status {
    auto rows =
        session.Query(fmt::format("SELECT {} FROM schedules WHERE id = ? AND owner_id = ?{}",
                                  kColumns, store::ForUpdate(session.dialect())),
                      {id, owner_id});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(ErrorCode::kNotFound, fmt::format("no schedule {}", id));
    const json old = ScheduleJson(rows->rows.front());
    if (if_version != 0 && old["version"] != if_version) {
      return Fail(ErrorCode::kPreconditionFailed,
                  fmt::format("schedule {} changed meanwhile (version {} now): reload it", id,
                              old["version"].get<std::int64_t>()));
    }
    const TimePoint now = clock_.Now();
    // The next run moves when the timing changes or the schedule is switched on; else it stays.
    const bool timing_changed =
        old["every"] != (fields->every.empty() ? json(nullptr) : json(fields->every)) ||
        old["cron"] != (fields->cron.empty() ? json(nullptr) : json(fields->cron));
    const bool switched_on = fields->enabled && !old["enabled"].get<bool>();
    std::optional<TimePoint> next;
    if (fields->enabled) {
      if (fields->run_immediately && (switched_on || !old["run_immediately"].get<bool>())) {
        next = now;
      } else if (timing_changed || switched_on || old["next_run_at"].is_null()) {
        next = NextRun(*fields, now, now);
      } else {
        next = ParseTime(old["next_run_at"].get<std::string>());
      }
    }
    auto updated = session.Exec(
        "UPDATE schedules SET name = ?, task = ?, args = ?, every = ?, cron = ?, enabled = ?, "
        "run_immediately = ?, chain = ?, next_run_at = ?, failures = CASE WHEN ? THEN 0 ELSE "
        "failures END, message = CASE WHEN ? THEN NULL ELSE message END, version = version + 1, "
        "updated_at = ? WHERE id = ?",
        {fields->name, fields->task, fields->args.dump(), TextValue(fields->every),
         TextValue(fields->cron), Flag(fields->enabled), Flag(fields->run_immediately),
         fields->chain.dump(), TimeOrNull(next), switched_on, switched_on, FormatTime(now), id});
    if (!updated) return Fail(updated.error());
    return {};
  });
  if (!written) return Fail(written.error());
  if (events_ != nullptr) (void)events_->Signal({.user_id = owner_id}, "schedules-update", id);
  return Get(owner_id, id);
}

Status Schedules::Delete(const std::string& owner_id, const std::string& id) {
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    auto deleted =
        session.Exec("DELETE FROM schedules WHERE id = ? AND owner_id = ?", {id, owner_id});
    if (!deleted) return Fail(deleted.error());
    if (*deleted == 0) return Fail(ErrorCode::kNotFound, fmt::format("no schedule {}", id));
    auto cancelled = session.Exec(
        "UPDATE jobs SET status = 'cancelled', finished_at = ?, error = 'its schedule was "
        "deleted' WHERE schedule_id = ? AND status = 'queued'",
        {FormatTime(clock_.Now()), id});
    if (!cancelled) return Fail(cancelled.error());
    return {};
  });
  if (!done) return done;
  if (events_ != nullptr) (void)events_->Signal({.user_id = owner_id}, "schedules-update", id);
  return {};
}

Result<json> Schedules::RunNow(const std::string& owner_id, const std::string& id) {
  auto schedule = Get(owner_id, id);
  if (!schedule) return schedule;
  const std::string task = (*schedule)["task"];
  const auto offer = offers_.find(task);
  if (offer == offers_.end()) {
    return Fail(
        ErrorCode::kValidationFailed,
        fmt::format("task '{}' is not available on this server (its module is switched off)",
                    task));
  }
  std::vector<std::string> ids;
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    auto inserted = jobs_.Insert(session, {{.type = task,
                                            .args = (*schedule)["args"],
                                            .owner_id = owner_id,
                                            .schedule_id = id,
                                            .max_attempts = offer->second.max_attempts}});
    if (!inserted) return Fail(inserted.error());
    ids = std::move(*inserted);
    auto counted = session.Exec(
        "UPDATE schedules SET total_run_count = total_run_count + 1, last_run_at = ?, "
        "last_status = 'queued' WHERE id = ?",
        {FormatTime(clock_.Now()), id});
    if (!counted) return Fail(counted.error());
    return {};
  });
  if (!done) return Fail(done.error());
  jobs_.Announce(ids);
  return jobs_.Read(ids.front());
}

Result<int> Schedules::FireDue(TimePoint now, int limit) {
  std::vector<std::string> ids;
  std::vector<std::string> owners;
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    auto rows = session.Query(
        fmt::format(
            "SELECT id, owner_id, task, args, every, cron, next_run_at FROM schedules "
            "WHERE enabled = ? AND next_run_at <= ? ORDER BY next_run_at LIMIT ?{}",
            session.dialect() == store::Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : ""),
        {Flag(true), FormatTime(now), std::int64_t{limit}});
    if (!rows) return Fail(rows.error());
    const std::string fired_at = FormatTime(now);
    // Each due schedule's next run, then one compare-and-set on next_run_at for all of them: a
    // run fires once even if two schedulers race, and a batch is one statement, not one per row.
    struct Due {
      std::string owner;
      std::string task;
      json args;
    };
    std::map<std::string, Due> by_id;
    std::string sql =
        "UPDATE schedules SET next_run_at = v.column3, last_run_at = ?, "
        "total_run_count = total_run_count + 1, last_status = 'queued', "
        "run_immediately = ? FROM (VALUES ";
    store::Params params = {fired_at, Flag(false)};
    for (const auto& row : rows->rows) {
      const std::string id = store::AsString(row[0]);
      Fields fields{.every = store::AsString(row[4]), .cron = store::AsString(row[5])};
      const std::string previous = store::AsString(row[6]);
      const auto next = NextRun(fields, now, ParseTime(previous).value_or(now));
      sql += by_id.empty() ? "(?, ?, ?)" : ", (?, ?, ?)";
      params.insert(params.end(), {id, previous, TimeOrNull(next)});
      by_id[id] = {store::AsString(row[1]), store::AsString(row[2]),
                   ParsedOr(row[3], json::object())};
    }
    std::vector<jobs::NewJob> due;
    if (!by_id.empty()) {
      sql +=
          ") AS v WHERE schedules.id = v.column1 AND schedules.next_run_at = v.column2 "
          "RETURNING schedules.id";
      auto moved = session.Query(sql, params);
      if (!moved) return Fail(moved.error());
      for (const auto& row : moved->rows) {
        const auto& fired = by_id.at(store::AsString(row[0]));
        const auto offer = offers_.find(fired.task);
        due.push_back({.type = fired.task,
                       .args = fired.args,
                       .owner_id = fired.owner,
                       .schedule_id = store::AsString(row[0]),
                       .max_attempts = offer == offers_.end() ? 1 : offer->second.max_attempts});
      }
    }
    auto inserted = jobs_.Insert(session, due);
    if (!inserted) return Fail(inserted.error());
    ids = std::move(*inserted);
    return {};
  });
  if (!done) return Fail(done.error());
  jobs_.Announce(ids);
  return static_cast<int>(ids.size());
}

void Schedules::JobFinished(const jobs::FinishedJob& job) {
  if (job.schedule_id.empty()) return;
  auto rows = store_.Query(fmt::format("SELECT {} FROM schedules WHERE id = ?", kColumns),
                           {job.schedule_id});
  if (!rows || rows->empty()) return;  // deleted meanwhile
  const json schedule = ScheduleJson(rows->rows.front());
  const std::string name = schedule["name"];
  const std::string now = FormatTime(clock_.Now());
  if (job.status == "succeeded") {
    (void)store_.Exec(
        "UPDATE schedules SET failures = 0, last_status = 'succeeded', message = NULL WHERE id = ?",
        {job.schedule_id});
    // The chain: each enabled schedule of the owner runs after its countdown.
    for (const auto& link : schedule["chain"]) {
      auto next = store_.Query(
          "SELECT task, args FROM schedules WHERE id = ? AND owner_id = ? AND enabled = ?",
          {link.value("schedule", ""), job.owner_id, Flag(true)});
      if (!next || next->empty()) continue;
      const std::string task = store::AsString(next->rows[0][0]);
      const auto offer = offers_.find(task);
      auto queued = jobs_.Enqueue(
          {.type = task,
           .args = ParsedOr(next->rows[0][1], json::object()),
           .owner_id = job.owner_id,
           .schedule_id = link.value("schedule", ""),
           .max_attempts = offer == offers_.end() ? 1 : offer->second.max_attempts,
           .delay = std::chrono::seconds(link.value("countdown_s", std::int64_t{0}))});
      if (queued) {
        (void)store_.Exec(
            "UPDATE schedules SET total_run_count = total_run_count + 1, last_run_at = ?, "
            "last_status = 'queued' WHERE id = ?",
            {now, link.value("schedule", "")});
      }
    }
    if (events_ != nullptr) {
      (void)events_->Notify({.user_id = job.owner_id}, fmt::format("Schedule {} ran", name),
                            fmt::format("The {} task succeeded.", job.type), "success", "scheduler",
                            "schedules", job.schedule_id);
    }
  } else if (job.status == "failed") {
    const std::int64_t failures = schedule["failures"].get<std::int64_t>() + 1;
    const bool deplete = failures >= settings_.deplete_after;
    const std::string message =
        deplete ? fmt::format("disabled after {} failed runs in a row; the last: {}", failures,
                              job.error)
                : job.error;
    (void)store_.Exec(
        "UPDATE schedules SET failures = ?, last_status = 'failed', message = ?, enabled = "
        "CASE WHEN ? THEN ? ELSE enabled END, next_run_at = CASE WHEN ? THEN NULL ELSE "
        "next_run_at END WHERE id = ?",
        {failures, message, deplete, Flag(false), deplete, job.schedule_id});
    if (deplete) spdlog::warn("schedule {} ({}) {}", job.schedule_id, name, message);
    if (events_ != nullptr) {
      (void)events_->Notify({.user_id = job.owner_id},
                            deplete ? fmt::format("Schedule {} was disabled", name)
                                    : fmt::format("Schedule {} failed", name),
                            message, deplete ? "danger" : "warning", "scheduler", "schedules",
                            job.schedule_id);
    }
  } else {
    (void)store_.Exec("UPDATE schedules SET last_status = ? WHERE id = ?",
                      {job.status, job.schedule_id});
  }
  if (events_ != nullptr) {
    (void)events_->Signal({.user_id = job.owner_id}, "schedules-update", job.schedule_id);
  }
}

Status Schedules::DepleteNow(const std::string& id, const std::string& reason) {
  auto updated = store_.Exec(
      "UPDATE schedules SET enabled = ?, next_run_at = NULL, last_status = 'failed', message = ? "
      "WHERE id = ?",
      {Flag(false), reason, id});
  if (!updated) return Fail(updated.error());
  return {};
}

TaskOffer OfferForOwnRow(store::Store& store, std::string task, std::string table, std::string noun,
                         int max_attempts) {
  return {
      .task = std::move(task),
      .check =
          [&store, table = std::move(table), noun = std::move(noun)](const nlohmann::json& args,
                                                                     const std::string& owner_id) {
            std::vector<FieldError> problems;
            for (const auto& [key, value] : args.items()) {
              if (key != "id") {
                problems.push_back({"args." + key, "is not a " + noun + " argument (id)"});
              }
            }
            if (!args.contains("id") || !args["id"].is_string()) {
              problems.push_back({"args.id", "is required: the id of one of your " + noun + "s"});
              return problems;
            }
            auto found = store.Query("SELECT 1 FROM " + table + " WHERE id = ? AND owner_id = ?",
                                     {args["id"].get<std::string>(), owner_id});
            if (found && found->empty()) {
              problems.push_back({"args.id", "is not one of your " + noun + "s"});
            }
            return problems;
          },
      .max_attempts = max_attempts};
}

}  // namespace maestro::scheduler
