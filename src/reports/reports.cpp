#include "reports/reports.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>

#include "auth/roles.h"
#include "common/ids.h"
#include "common/json_util.h"
#include "common/validation.h"

namespace maestro::reports {
namespace {

using nlohmann::json;

// With the state of the report's pending job, so that a generation cancelled or lost before it
// started shows as failed rather than queued for ever.
constexpr std::string_view kColumns =
    "r.id, r.owner_id, r.name, r.type, r.spec, r.status, r.message, r.total, r.job_id, "
    "r.result_id, r.generated_at, r.version, r.created_at, r.updated_at, j.status, j.error";
constexpr std::string_view kFrom = "reports r LEFT JOIN jobs j ON j.id = r.job_id";
constexpr std::array kReadOnly = {"id",         "kind",         "status",     "message",
                                  "total",      "job",          "version",    "created_at",
                                  "updated_at", "generated_at", "row_columns"};
constexpr std::size_t kChunk = 5000;  // rows built and written together
// The columns of report_rows that generation writes, in the order of its values.
const std::vector<std::string> kRowsTable = {"result_id", "n", "data", "csv"};
constexpr std::size_t kReadRows = 2000;    // stored rows read at a time (exports, aggregates)
constexpr std::size_t kReadLines = 10000;  // stored CSV lines read at a time
constexpr int kMaxRowsLimit = 10000;
// The message of a report whose generation was cancelled: without a previous result, or with the
// previous result's generation time after it.
constexpr std::string_view kCancelled = "the generation was cancelled";
constexpr std::string_view kCancelledKept =
    "the generation was cancelled: the rows are those of the previous one, generated at ";

json TextOrNull(const store::Value& value) {
  return store::IsNull(value) ? json(nullptr) : json(store::AsString(value));
}

json ParsedOr(const store::Value& value, json fallback) {
  auto parsed = ParseJson(store::AsString(value));
  return parsed ? std::move(*parsed) : fallback;
}

// A stored row as the API shows it: an object of the report's columns. Generation stores a row as
// the list of its values in the order of the report's row_columns, which takes a third less room
// than naming every column in every row; rows stored as objects before are shown as they are.
json RowObject(json stored, const json& columns) {
  if (!stored.is_array()) return stored.is_object() ? std::move(stored) : json::object();
  json out = json::object();
  for (std::size_t i = 0; i < columns.size() && i < stored.size(); ++i) {
    out[columns[i].get<std::string>()] = std::move(stored[i]);
  }
  return out;
}

std::string Marks(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

std::string NameOf(const inventory::Registry& registry, const std::string& kind, const json& doc) {
  const auto* spec = registry.Find(kind);
  const std::string field = spec ? spec->name_field : "name";
  auto found = doc.find(field);
  return found != doc.end() && found->is_string() ? found->get<std::string>() : "";
}

}  // namespace

struct Reports::Stored {
  json report;  // as the API shows it
  std::string owner_id;
  std::string result_id;
  json spec;
};

namespace {

json ReportJson(const std::vector<store::Value>& row, const inventory::Registry& registry) {
  json spec = ParsedOr(row[4], json::object());
  json out = {{"id", store::AsString(row[0])},
              {"kind", "reports"},
              {"name", store::AsString(row[2])},
              {"type", store::AsString(row[3])},
              {"kinds", spec.value("kinds", json::array())},
              {"filters", spec.value("filters", json::object())},
              {"columns", spec.value("columns", json::object())},
              {"status", store::AsString(row[5])},
              {"message", TextOrNull(row[6])},
              {"total", store::AsInt(row[7])},
              {"job", TextOrNull(row[8])},
              {"generated_at", TextOrNull(row[10])},
              {"version", store::AsInt(row[11])},
              {"created_at", store::AsString(row[12])},
              {"updated_at", store::AsString(row[13])}};
  const std::string job_status = store::AsString(row[14]);
  if ((out["status"] == "queued" || out["status"] == "running") &&
      (job_status == "cancelled" || job_status == "failed")) {
    const bool kept = job_status == "cancelled" && !store::IsNull(row[9]);
    if (kept) {
      out["status"] = out["total"] == 0 ? "empty" : "finished";
      out["message"] = std::string(kCancelledKept) + store::AsString(row[10]);
    } else {
      out["status"] = "failed";
      out["message"] = job_status == "cancelled"
                           ? std::string(kCancelled)
                           : store::AsString(row[15], "the generation failed");
    }
  }
  json body = spec;
  body["name"] = out["name"];
  if (auto definition = ParseDefinition(registry, body)) {
    out["row_columns"] = definition->RowColumns();
  } else {
    out["row_columns"] = json::array();
  }
  return out;
}

// The prefix of a level's columns in result rows: its kind in a pivot ("servers."), none in a
// single report.
std::string PrefixOf(const Definition& definition, const Level& level) {
  return definition.type == "pivot" ? level.spec->kind + "." : "";
}

// The headers of one column in the tabular exports: spelled out (Headers), prefixed, with where
// its value is in a row.
std::vector<Header> ColumnHeaders(const std::string& prefix, const Column& column) {
  std::vector<Header> out;
  for (const auto& name : Headers(column)) {
    Header header{.name = prefix + name, .key = prefix + column.path};
    if (name.size() > column.path.size()) {
      const std::string rest = name.substr(column.path.size() + 1);
      std::size_t start = 0;
      for (;;) {
        const auto dot = rest.find('.', start);
        header.path.push_back(rest.substr(start, dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
      }
    }
    out.push_back(std::move(header));
  }
  return out;
}

// The headers of the tabular exports, column after column.
std::vector<Header> SheetHeaders(const Definition& definition) {
  std::vector<Header> out;
  for (const auto& level : definition.levels) {
    for (const auto& column : level.columns) {
      auto headers = ColumnHeaders(PrefixOf(definition, level), column);
      out.insert(out.end(), std::make_move_iterator(headers.begin()),
                 std::make_move_iterator(headers.end()));
    }
  }
  return out;
}

// The body fields a person writes.
json Editable(const json& report) {
  json out = json::object();
  for (const char* key : {"name", "type", "kinds", "filters", "columns"}) {
    if (report.contains(key) && !report[key].is_null()) out[key] = report[key];
  }
  return out;
}

// The report as its write left it (queued with its job): a worker may have started meanwhile.
Result<json> AsQueued(Result<json> report, const std::string& job) {
  if (!report) return report;
  (*report)["status"] = "queued";
  (*report)["message"] = nullptr;
  (*report)["job"] = job;
  return report;
}

// Read-only fields may come back as they were read (a GET written back): they are ignored.
Result<Definition> Parse(const inventory::Registry& registry, const json& body) {
  return ParseDefinition(registry, body,
                         std::vector<std::string>(kReadOnly.begin(), kReadOnly.end()));
}

}  // namespace

Reports::Reports(store::Store& store, const Clock& clock, const inventory::Registry& registry,
                 jobs::Jobs& jobs, notify::Events* events, ReportSettings settings)
    : store_(store),
      clock_(clock),
      registry_(registry),
      jobs_(jobs),
      events_(events),
      settings_(std::move(settings)) {}

Status Reports::Available() const {
  if (settings_.disabled) {
    return Fail(ErrorCode::kUnavailable,
                "reports are disabled on this server (MAESTRO_REPORT_DISABLED)");
  }
  return {};
}

Result<Reports::Stored> Reports::Load(const std::string& owner_id, const std::string& id) {
  auto rows = store_.Query(
      fmt::format("SELECT {} FROM {} WHERE r.id = ? AND r.owner_id = ?", kColumns, kFrom),
      {id, owner_id});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(ErrorCode::kNotFound, fmt::format("no report {}", id));
  const auto& row = rows->rows.front();
  return Stored{.report = ReportJson(row, registry_),
                .owner_id = store::AsString(row[1]),
                .result_id = store::AsString(row[9]),
                .spec = ParsedOr(row[4], json::object())};
}

Result<json> Reports::List(const std::string& owner_id, int page, int limit) {
  if (auto ok = Available(); !ok) return Fail(ok.error());
  auto found = store::ReadPage(store_, kColumns, fmt::format("{} WHERE r.owner_id = ?", kFrom),
                               {owner_id}, "r.updated_at DESC, r.id DESC", page, limit);
  if (!found) return Fail(found.error());
  json items = json::array();
  for (const auto& row : found->rows.rows) items.push_back(ReportJson(row, registry_));
  return json{
      {"items", std::move(items)}, {"total", found->total}, {"page", page}, {"limit", limit}};
}

Result<json> Reports::Get(const std::string& owner_id, const std::string& id) {
  if (auto ok = Available(); !ok) return Fail(ok.error());
  auto stored = Load(owner_id, id);
  if (!stored) return Fail(stored.error());
  return stored->report;
}

Result<std::string> Reports::Queue(store::Session& session, const std::string& owner_id,
                                   const std::string& id) {
  auto inserted = jobs_.Insert(
      session, {{.type = "report", .args = {{"id", id}}, .owner_id = owner_id, .max_attempts = 2}});
  if (!inserted) return Fail(inserted.error());
  const std::string job = inserted->front();
  auto updated = session.Exec(
      "UPDATE reports SET status = 'queued', message = NULL, job_id = ? WHERE id = ?", {job, id});
  if (!updated) return Fail(updated.error());
  return job;
}

Result<json> Reports::Create(const std::string& owner_id, const json& body) {
  if (auto ok = Available(); !ok) return Fail(ok.error());
  auto definition = Parse(registry_, body);
  if (!definition) return Fail(definition.error());
  const std::string id = NewId();
  const std::string now = FormatTime(clock_.Now());
  std::string job;
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    auto inserted = session.Exec(
        "INSERT INTO reports (id, owner_id, name, type, spec, status, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)",
        {id, owner_id, definition->name, definition->type, definition->ToJson().dump(), now, now});
    if (!inserted) return Fail(inserted.error());
    auto queued = Queue(session, owner_id, id);
    if (!queued) return Fail(queued.error());
    job = *queued;
    return {};
  });
  if (!done) return Fail(done.error());
  jobs_.Announce({job});
  Tell(owner_id, id);
  return AsQueued(Get(owner_id, id), job);
}

Result<json> Reports::Patch(const std::string& owner_id, const std::string& id, const json& patch,
                            std::int64_t if_version) {
  if (auto ok = Available(); !ok) return Fail(ok.error());
  if (!patch.is_object()) return Fail(ErrorCode::kBadRequest, "a merge patch is a JSON object");
  auto current = Load(owner_id, id);
  if (!current) return Fail(current.error());
  json body = Editable(current->report);
  body.merge_patch(Editable(patch));
  // Filters and columns of kinds the report no longer has are dropped with them.
  if (patch.contains("kinds") && body["kinds"].is_array()) {
    for (const char* key : {"filters", "columns"}) {
      if (!body.contains(key) || !body[key].is_object() || patch.contains(key)) continue;
      json kept = json::object();
      for (const auto& kind : body["kinds"]) {
        if (kind.is_string() && body[key].contains(kind.get<std::string>())) {
          kept[kind.get<std::string>()] = body[key][kind.get<std::string>()];
        }
      }
      body[key] = kept;
    }
  }
  // Read-only and unknown keys of the patch are checked as in a full body.
  for (const auto& [key, value] : patch.items()) {
    if (!body.contains(key) && !value.is_null()) body[key] = value;
  }
  return Write(owner_id, id, body, if_version);
}

Result<json> Reports::Replace(const std::string& owner_id, const std::string& id, const json& body,
                              std::int64_t if_version) {
  if (auto ok = Available(); !ok) return Fail(ok.error());
  return Write(owner_id, id, body, if_version);
}

Result<json> Reports::Write(const std::string& owner_id, const std::string& id, const json& body,
                            std::int64_t if_version) {
  auto definition = Parse(registry_, body);
  if (!definition) return Fail(definition.error());
  std::string job;
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    auto rows = session.Query(fmt::format("SELECT version FROM reports WHERE id = ? AND "
                                          "owner_id = ?{}",
                                          store::ForUpdate(session.dialect())),
                              {id, owner_id});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(ErrorCode::kNotFound, fmt::format("no report {}", id));
    const std::int64_t version = store::AsInt(rows->rows[0][0]);
    if (if_version != 0 && version != if_version) {
      return Fail(
          ErrorCode::kPreconditionFailed,
          fmt::format("report {} changed meanwhile (version {} now): reload it", id, version));
    }
    auto updated = session.Exec(
        "UPDATE reports SET name = ?, type = ?, spec = ?, version = version + 1, updated_at = ? "
        "WHERE id = ?",
        {definition->name, definition->type, definition->ToJson().dump(), FormatTime(clock_.Now()),
         id});
    if (!updated) return Fail(updated.error());
    auto queued = Queue(session, owner_id, id);
    if (!queued) return Fail(queued.error());
    job = *queued;
    return {};
  });
  if (!done) return Fail(done.error());
  jobs_.Announce({job});
  Tell(owner_id, id);
  return AsQueued(Get(owner_id, id), job);
}

Status Reports::Delete(const std::string& owner_id, const std::string& id) {
  if (auto ok = Available(); !ok) return ok;
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    auto rows = session.Query("SELECT result_id, job_id FROM reports WHERE id = ? AND owner_id = ?",
                              {id, owner_id});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(ErrorCode::kNotFound, fmt::format("no report {}", id));
    const std::string result = store::AsString(rows->rows[0][0]);
    if (!result.empty()) {
      if (auto deleted = session.Exec("DELETE FROM report_rows WHERE result_id = ?", {result});
          !deleted) {
        return Fail(deleted.error());
      }
    }
    auto deleted = session.Exec("DELETE FROM reports WHERE id = ?", {id});
    if (!deleted) return Fail(deleted.error());
    return {};
  });
  if (!done) return done;
  Tell(owner_id, id);
  return {};
}

Result<json> Reports::Run(const std::string& owner_id, const std::string& id) {
  if (auto ok = Available(); !ok) return Fail(ok.error());
  std::string job;
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    auto rows =
        session.Query("SELECT 1 FROM reports WHERE id = ? AND owner_id = ?", {id, owner_id});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(ErrorCode::kNotFound, fmt::format("no report {}", id));
    auto queued = Queue(session, owner_id, id);
    if (!queued) return Fail(queued.error());
    job = *queued;
    return {};
  });
  if (!done) return Fail(done.error());
  jobs_.Announce({job});
  Tell(owner_id, id);
  return jobs_.Read(job);
}

void Reports::Tell(const std::string& owner_id, const std::string& id) {
  if (events_ == nullptr) return;
  (void)events_->Signal({.user_id = owner_id}, "reports-update", id);
  (void)events_->Signal({.user_id = owner_id}, "reports-" + id, id);
}

// ---- reading stored rows

namespace {

// The row column a `by` or `sort` names (the longest column it starts with) and the path inside.
std::optional<std::pair<std::string, std::vector<std::string>>> FindColumn(
    const json& columns, const std::string& name) {
  std::string best;
  for (const auto& column : columns) {
    const std::string c = column;
    if ((name == c || name.starts_with(c + ".")) && c.size() > best.size()) best = c;
  }
  if (best.empty()) return std::nullopt;
  std::vector<std::string> path;
  std::size_t start = best.size() + 1;
  while (start <= name.size() && best.size() < name.size()) {
    const auto dot = name.find('.', start);
    path.push_back(name.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return std::pair{best, path};
}

std::string KeyText(const json& value) {
  return value.is_string() || value.is_object() ? ItemText(value) : value.dump();
}

// Counts the values at `path` inside `value`, through lists.
void CountValues(const json* value, const std::vector<std::string>& path, std::size_t at,
                 std::map<std::string, std::int64_t>& counts, bool& counted) {
  if (value == nullptr || value->is_null()) return;
  if (value->is_array()) {
    for (const auto& item : *value) CountValues(&item, path, at, counts, counted);
    return;
  }
  if (at == path.size()) {
    const std::string key = KeyText(*value);
    if (key.empty()) return;
    ++counts[key];
    counted = true;
    return;
  }
  if (!value->is_object()) return;
  auto found = value->find(path[at]);
  if (found == value->end()) return;
  CountValues(&*found, path, at + 1, counts, counted);
}

}  // namespace

Result<json> Reports::Rows(const std::string& owner_id, const std::string& id,
                           const std::vector<std::pair<std::string, std::string>>& query) {
  if (auto ok = Available(); !ok) return Fail(ok.error());
  auto stored = Load(owner_id, id);
  if (!stored) return Fail(stored.error());
  int page = 1;
  int limit = settings_.page_size;
  std::string sort;
  std::string q;
  for (const auto& [name, value] : query) {
    if (name == "page" || name == "limit") {
      const int max = name == "page" ? 1'000'000 : kMaxRowsLimit;
      auto number = ParseWholeNumber(value, 1, max);
      if (!number) {
        return Fail(ErrorCode::kBadRequest,
                    fmt::format("{} must be a whole number from 1 to {}", name, max),
                    {{name, fmt::format("must be a whole number from 1 to {}", max)}});
      }
      (name == "page" ? page : limit) = static_cast<int>(*number);
    } else if (name == "sort") {
      sort = value;
    } else if (name == "q") {
      q = value;
    } else {
      return Fail(ErrorCode::kBadRequest,
                  fmt::format("unknown parameter '{}': use page, limit, sort or q", name),
                  {{name, "is not a parameter of report rows"}});
    }
  }
  const json& columns = stored->report["row_columns"];
  const store::Dialect dialect = store_.dialect();
  std::string order = "n";
  store::Params order_params;
  if (!sort.empty()) {
    const bool descending = sort.starts_with('-');
    const std::string key = descending ? sort.substr(1) : sort;
    const auto found = std::find(columns.begin(), columns.end(), key);
    if (found == columns.end()) {
      return Fail(ErrorCode::kBadRequest, fmt::format("cannot sort by {}: not a column", key),
                  {{"sort", "must be a column of the report, with - for descending"}});
    }
    // The value at the column's place in a list, or under its name in a row stored as an object.
    // The key is one of the report's columns (from the registry), and bound all the same.
    const auto index = static_cast<std::int64_t>(found - columns.begin());
    order = fmt::format(
        "{} {}, n",
        dialect == store::Dialect::kSqlite
            ? "CASE WHEN substr(data, 1, 1) = '[' THEN json_extract(data, ?) ELSE "
              "json_extract(data, ?) END"
            : "CASE WHEN left(data, 1) = '[' THEN data::jsonb -> CAST(? AS INTEGER) ELSE "
              "data::jsonb -> CAST(? AS TEXT) END",
        descending ? "DESC" : "ASC");
    if (dialect == store::Dialect::kSqlite) {
      order_params.push_back(fmt::format("$[{}]", index));
      order_params.push_back("$.\"" + key + "\"");
    } else {
      order_params.push_back(index);
      order_params.push_back(key);
    }
  }
  json items = json::array();
  std::int64_t total = stored->report["total"];
  if (!stored->result_id.empty()) {
    std::string where = "result_id = ?";
    store::Params params = {stored->result_id};
    if (!q.empty()) {
      where += " AND LOWER(data) LIKE ? ESCAPE '\\'";
      params.push_back("%" + EscapeLike(Lower(q)) + "%");
      auto counted =
          store_.Query(fmt::format("SELECT COUNT(*) FROM report_rows WHERE {}", where), params);
      if (!counted) return Fail(counted.error());
      total = store::AsInt(counted->rows[0][0]);
    }
    store::Params all = params;
    all.insert(all.end(), order_params.begin(), order_params.end());
    all.push_back(std::int64_t{limit});
    all.push_back(static_cast<std::int64_t>(page - 1) * limit);
    auto rows = store_.Query(
        fmt::format("SELECT data FROM report_rows WHERE {} ORDER BY {} LIMIT ? OFFSET ?", where,
                    order),
        all);
    if (!rows) return Fail(rows.error());
    for (const auto& row : rows->rows) {
      items.push_back(RowObject(ParsedOr(row[0], json()), columns));
    }
  } else {
    total = 0;
  }
  return json{{"items", std::move(items)},
              {"total", total},
              {"page", page},
              {"limit", limit},
              {"columns", columns},
              {"status", stored->report["status"]}};
}

Result<json> Reports::Aggregate(const std::string& owner_id, const std::string& id,
                                const std::vector<std::pair<std::string, std::string>>& query) {
  if (auto ok = Available(); !ok) return Fail(ok.error());
  auto stored = Load(owner_id, id);
  if (!stored) return Fail(stored.error());
  std::string by;
  int limit = 20;
  for (const auto& [name, value] : query) {
    if (name == "by") {
      by = value;
    } else if (name == "limit") {
      auto number = ParseWholeNumber(value, 1, 500);
      if (!number) {
        return Fail(ErrorCode::kBadRequest, "limit must be a whole number from 1 to 500",
                    {{"limit", "must be a whole number from 1 to 500"}});
      }
      limit = static_cast<int>(*number);
    } else {
      return Fail(ErrorCode::kBadRequest,
                  fmt::format("unknown parameter '{}': use by and limit", name),
                  {{name, "is not a parameter of aggregates"}});
    }
  }
  const json& columns = stored->report["row_columns"];
  if (by.empty()) {
    return Fail(ErrorCode::kBadRequest, "by is required: a column of the report",
                {{"by", "is required: a column of the report, or a field inside one"}});
  }
  auto column = FindColumn(columns, by);
  if (!column) {
    return Fail(ErrorCode::kBadRequest,
                fmt::format("{} is not a column of this report: choose one of its columns (or a "
                            "field inside one, such as os.base)",
                            by),
                {{"by", "must be a column of the report, or a field inside one"}});
  }
  // Where the column's value is in rows stored as lists.
  const auto index = static_cast<std::size_t>(
      std::find(columns.begin(), columns.end(), column->first) - columns.begin());
  std::map<std::string, std::int64_t> counts;
  std::int64_t none = 0;
  std::int64_t rows_seen = 0;
  if (!stored->result_id.empty()) {
    std::int64_t after = -1;
    for (;;) {
      auto rows = store_.Query(
          "SELECT n, data FROM report_rows WHERE result_id = ? AND n > ? ORDER BY n LIMIT ?",
          {stored->result_id, after, static_cast<std::int64_t>(kReadRows)});
      if (!rows) return Fail(rows.error());
      if (rows->empty()) break;
      for (const auto& row : rows->rows) {
        after = store::AsInt(row[0]);
        ++rows_seen;
        const json value = ParsedOr(row[1], json());
        const json* cell = nullptr;
        if (value.is_array() && index < value.size()) {
          cell = &value[index];
        } else if (value.is_object()) {
          auto found = value.find(column->first);
          if (found != value.end()) cell = &*found;
        }
        bool counted = false;
        if (cell != nullptr) CountValues(cell, column->second, 0, counts, counted);
        if (!counted) ++none;
      }
    }
  }
  std::vector<std::pair<std::string, std::int64_t>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  json items = json::array();
  std::int64_t others = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (static_cast<int>(i) < limit) {
      items.push_back({{"key", sorted[i].first}, {"count", sorted[i].second}});
    } else {
      others += sorted[i].second;
    }
  }
  return json{{"by", by},     {"items", std::move(items)}, {"others", others},
              {"none", none}, {"rows", rows_seen},         {"keys", sorted.size()}};
}

Result<ExportFile> Reports::Export(const std::string& owner_id, const std::string& id,
                                   const std::vector<std::pair<std::string, std::string>>& query) {
  if (auto ok = Available(); !ok) return Fail(ok.error());
  std::string format_text;
  for (const auto& [name, value] : query) {
    if (name == "format") {
      format_text = value;
    } else {
      return Fail(ErrorCode::kBadRequest, fmt::format("unknown parameter '{}': use format", name),
                  {{name, "is not a parameter of exports"}});
    }
  }
  if (format_text.empty()) {
    return Fail(ErrorCode::kBadRequest, "format is required: csv, json, xlsx, pdf or inventory",
                {{"format", "is required: csv, json, xlsx, pdf or inventory"}});
  }
  auto format = ParseFormat(format_text);
  if (!format) return Fail(format.error());
  auto stored = Load(owner_id, id);
  if (!stored) return Fail(stored.error());
  json body = stored->spec;
  body["name"] = stored->report["name"];
  auto definition = ParseDefinition(registry_, body);
  if (!definition) return Fail(definition.error());
  const bool pivot = definition->type == "pivot";
  if (*format == Format::kInventory) {
    const bool has_servers =
        std::any_of(definition->levels.begin(), definition->levels.end(),
                    [](const Level& level) { return level.spec->kind == "servers"; });
    if (!has_servers) {
      return Fail(ErrorCode::kValidationFailed,
                  "an Ansible inventory lists servers: this report has none",
                  {{"format", "inventory needs a report of servers"}});
    }
  }

  Sheet sheet{.title = stored->report["name"], .headers = SheetHeaders(*definition)};
  for (const auto& level : definition->levels) {
    if (level.spec->kind == "servers") sheet.server_prefix = pivot ? "servers." : "";
  }
  if (pivot) {
    for (const auto& key : stored->report["row_columns"]) {
      if (key == "applications.name") sheet.application_key = "applications.name";
    }
  } else {
    for (const auto& key : stored->report["row_columns"]) {
      if (key == "applications") sheet.application_key = "applications";
    }
  }
  std::string filters;
  for (const auto& level : definition->levels) {
    for (const auto& filter : level.filters) {
      filters += fmt::format(
          "{}{}{} {} {}", filters.empty() ? "" : "; ", pivot ? level.spec->kind + "." : "",
          filter.field, filter.op,
          filter.value.is_string() ? filter.value.get<std::string>() : filter.value.dump());
    }
  }
  sheet.notes.push_back(fmt::format("{} report of {}", definition->type,
                                    pivot ? [&] {
                                      std::string chain;
                                      for (const auto& level : definition->levels) {
                                        chain += (chain.empty() ? "" : " → ") + level.spec->kind;
                                      }
                                      return chain;
                                    }()
                                          : definition->levels.front().spec->kind));
  sheet.notes.push_back("Filters: " + (filters.empty() ? std::string("none") : filters));
  sheet.notes.push_back(fmt::format(
      "Generated at {}; {} rows; exported at {}",
      stored->report["generated_at"].is_string() ? stored->report["generated_at"].get<std::string>()
                                                 : std::string("(not yet)"),
      stored->report["total"].get<std::int64_t>(), FormatTime(clock_.Now())));

  std::int64_t after = -1;
  const std::string result_id = stored->result_id;
  NextRows next = [&]() -> Result<std::vector<json>> {
    std::vector<json> batch;
    if (result_id.empty()) return batch;
    auto rows = store_.Query(
        "SELECT n, data FROM report_rows WHERE result_id = ? AND n > ? ORDER BY n LIMIT ?",
        {result_id, after, static_cast<std::int64_t>(kReadRows)});
    if (!rows) return Fail(rows.error());
    batch.reserve(rows->size());
    for (const auto& row : rows->rows) {
      after = store::AsInt(row[0]);
      batch.push_back(RowObject(ParsedOr(row[1], json()), stored->report["row_columns"]));
    }
    return batch;
  };
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path dir =
      settings_.temp_dir.empty() ? fs::temp_directory_path(error) : fs::path(settings_.temp_dir);
  fs::create_directories(dir, error);
  const fs::path path =
      dir / fmt::format("maestro-export-{}.{}", RandomHex(12), Extension(*format));
  // CSV: the lines generation made, as they are, streamed out of one query in one snapshot.
  EachLine lines = [&](const TakeLine& take) -> Status {
    if (result_id.empty()) return {};
    return store_.Each("SELECT csv FROM report_rows WHERE result_id = ? ORDER BY n", {result_id},
                       kReadLines, [&](store::Rows& rows) -> Status {
                         for (const auto& row : rows.rows) {
                           const auto* line = std::get_if<std::string>(&row[0]);
                           if (auto ok = take(line ? *line : std::string_view()); !ok) return ok;
                         }
                         return {};
                       });
  };
  auto written = *format == Format::kCsv ? WriteCsvLines(sheet, lines, path.string())
                                         : WriteExport(*format, sheet, next, path.string());
  if (!written) {
    fs::remove(path, error);
    return Fail(written.error());
  }
  std::string filename;
  for (char c : stored->report["name"].get<std::string>()) {
    filename += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  }
  if (filename.empty()) filename = "report";
  return ExportFile{.path = path.string(),
                    .filename = fmt::format("{}.{}", filename, Extension(*format)),
                    .content_type = std::string(ContentType(*format))};
}

// ---- generation

jobs::JobType Reports::Job() {
  return {.name = "report",
          .handler = [this](jobs::JobContext& context) { return Generate(context); },
          .timeout = std::chrono::seconds(3600)};
}

scheduler::TaskOffer Reports::Offer() {
  return scheduler::OfferForOwnRow(store_, "report", "reports", "report", 2);
}

Result<json> Reports::Generate(jobs::JobContext& context) {
  const std::string id = context.args().value("id", "");
  const std::string& owner_id = context.job().owner_id;
  const std::string job_id = context.job().id;
  auto rows = store_.Query(
      fmt::format("SELECT {} FROM {} WHERE r.id = ? AND r.owner_id = ?", kColumns, kFrom),
      {id, owner_id});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return json{{"skipped", "the report was deleted"}};
  json body = ParsedOr(rows->rows[0][4], json::object());
  body["name"] = store::AsString(rows->rows[0][2]);
  // This job now generates the report; a later queue (an edit, another run) takes it over.
  auto claimed = store_.Exec(
      "UPDATE reports SET status = 'running', message = NULL, job_id = ? WHERE id = ? AND "
      "(job_id = ? OR job_id IS NULL OR status NOT IN ('queued', 'running'))",
      {job_id, id, job_id});
  if (!claimed) return Fail(claimed.error());
  if (*claimed == 0) return json{{"skipped", "a newer generation of the report is queued"}};
  Tell(owner_id, id);

  const std::string result_id = fmt::format("{}-{}", job_id, context.job().attempts);
  auto drop_rows = [&] {
    if (auto dropped = store_.Exec("DELETE FROM report_rows WHERE result_id = ?", {result_id});
        !dropped) {
      spdlog::warn("report {}: the rows of generation {} are left: {}", id, result_id,
                   dropped.error().message);
    }
  };
  auto fail = [&](const Error& error) -> Result<json> {
    drop_rows();
    if (context.cancelled()) {
      // Back to the previous result, which this generation left in place, when there is one.
      (void)store_.Exec(
          "UPDATE reports SET status = CASE WHEN result_id IS NULL THEN 'failed' WHEN total = 0 "
          "THEN 'empty' ELSE 'finished' END, message = CASE WHEN result_id IS NULL THEN ? ELSE ? "
          "|| generated_at END, job_id = NULL WHERE id = ? AND job_id = ?",
          {std::string(kCancelled), std::string(kCancelledKept), id, job_id});
    } else {
      const std::string message =
          context.timed_out() ? "the generation ran out of time" : error.message;
      (void)store_.Exec(
          "UPDATE reports SET status = 'failed', message = ?, job_id = NULL WHERE id = ? AND "
          "job_id = ?",
          {message, id, job_id});
    }
    Tell(owner_id, id);
    return Fail(error);
  };
  // Rows of earlier attempts of this job whose worker died before it could drop them.
  for (std::int64_t attempt = 1; attempt <= context.job().attempts; ++attempt) {
    if (auto dropped = store_.Exec("DELETE FROM report_rows WHERE result_id = ?",
                                   {fmt::format("{}-{}", job_id, attempt)});
        !dropped) {
      return fail(dropped.error());
    }
  }
  auto definition = ParseDefinition(registry_, body);
  if (!definition) return fail(definition.error());
  std::int64_t total = 0;
  Timing timing;
  if (auto filled = Fill(context, *definition, owner_id, result_id, total, timing); !filled) {
    return fail(filled.error());
  }
  std::string previous;
  bool current = false;
  auto finished = store_.Transaction([&](store::Session& session) -> Status {
    auto found = session.Query(fmt::format("SELECT result_id, job_id FROM reports WHERE id = ?{}",
                                           store::ForUpdate(session.dialect())),
                               {id});
    if (!found) return Fail(found.error());
    if (found->empty() || store::AsString(found->rows[0][1]) != job_id) return {};
    current = true;
    previous = store::AsString(found->rows[0][0]);
    auto updated = session.Exec(
        "UPDATE reports SET status = ?, message = ?, total = ?, result_id = ?, generated_at = ?, "
        "job_id = NULL WHERE id = ?",
        {total == 0 ? "empty" : "finished",
         total == 0 ? store::Value("This report is empty") : store::Value(nullptr), total,
         result_id, FormatTime(clock_.Now()), id});
    if (!updated) return Fail(updated.error());
    return {};
  });
  if (!finished) return fail(finished.error());
  if (!current) {
    drop_rows();
    return json{{"skipped", "a newer generation of the report took over"}};
  }
  if (!previous.empty() && previous != result_id) {
    (void)store_.Exec("DELETE FROM report_rows WHERE result_id = ?", {previous});
  }
  Tell(owner_id, id);
  return json{
      {"report", id},
      {"rows", total},
      {"seconds", {{"query", timing.query}, {"build", timing.build}, {"write", timing.write}}}};
}

Status Reports::Fill(jobs::JobContext& context, const Definition& definition,
                     const std::string& owner_id, const std::string& result_id, std::int64_t& total,
                     Timing& timing) {
  using Steady = std::chrono::steady_clock;
  auto since = [](Steady::time_point start) {
    return std::chrono::duration<double>(Steady::now() - start).count();
  };
  const store::Dialect dialect = store_.dialect();
  auto paths = CompilePaths(dialect, definition, owner_id);
  if (!paths) return Fail(paths.error());
  const bool pivot = definition.type == "pivot";
  const std::size_t levels = definition.levels.size();
  // Where each level's id is in a row of the query; its column values follow it.
  std::vector<std::size_t> offset(levels);
  for (std::size_t l = 0, at = 0; l < levels; ++l) {
    offset[l] = at;
    at += 1 + definition.levels[l].columns.size();
  }
  // The result rows' columns with their export headers, for their JSON and CSV texts.
  std::vector<RowColumn> row_columns;
  for (const auto& level : definition.levels) {
    const std::string prefix = PrefixOf(definition, level);
    for (const auto& column : level.columns) {
      row_columns.push_back(
          {.key = prefix + column.path, .headers = ColumnHeaders(prefix, column)});
    }
  }

  // Relation columns: the names of the related records the owner can read, as JSON lists, by
  // record id.
  auto relation_names = [&](const Column& column, const std::vector<std::string>& ids,
                            std::map<std::string, std::string>& out) -> Status {
    const auto& side = column.side;
    const char* self = side.forward ? "from_id" : "to_id";
    const char* other = side.forward ? "to_id" : "from_id";
    const auto access =
        auth::AccessCondition("o.id", owner_id, auth::Role::kRead, auth::AccessPlan::kPerRow);
    std::map<std::string, json> names;
    for (std::size_t start = 0; start < ids.size(); start += 500) {
      const std::size_t n = std::min<std::size_t>(500, ids.size() - start);
      store::Params params = {side.relation->name};
      params.insert(params.end(), ids.begin() + static_cast<std::ptrdiff_t>(start),
                    ids.begin() + static_cast<std::ptrdiff_t>(start + n));
      params.push_back(true);
      params.insert(params.end(), access.params.begin(), access.params.end());
      auto rows = store_.Query(
          fmt::format("SELECT e.{0}, o.kind, o.doc FROM edges e JOIN records o ON o.id = e.{1} "
                      "WHERE e.relation = ? AND e.{0} IN ({2}) AND o.active = ? AND {3} "
                      "ORDER BY e.{0}, e.created_at, o.id",
                      self, other, Marks(n), access.sql),
          params);
      if (!rows) return Fail(rows.error());
      for (const auto& row : rows->rows) {
        json& list = names[store::AsString(row[0])];
        if (!list.is_array()) list = json::array();
        list.push_back(
            NameOf(registry_, store::AsString(row[1]), ParsedOr(row[2], json::object())));
      }
    }
    for (const auto& [record, list] : names) {
      out[record] = list.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    return {};
  };
  // Datacenters: name and provider of the records the owner can read, kept across chunks (a
  // report meets few of them); an unreadable one shows its id alone.
  std::map<std::string, json> datacenter_info;
  auto datacenters = [&](std::vector<std::string> ids) -> Status {
    std::erase_if(ids, [&](const std::string& id) { return datacenter_info.contains(id); });
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    const auto access =
        auth::AccessCondition("r.id", owner_id, auth::Role::kRead, auth::AccessPlan::kPerRow);
    for (std::size_t start = 0; start < ids.size(); start += 500) {
      const std::size_t n = std::min<std::size_t>(500, ids.size() - start);
      store::Params params(ids.begin() + static_cast<std::ptrdiff_t>(start),
                           ids.begin() + static_cast<std::ptrdiff_t>(start + n));
      params.push_back(std::string("datacenters"));
      params.insert(params.end(), access.params.begin(), access.params.end());
      auto rows = store_.Query(
          fmt::format("SELECT r.id, r.doc FROM records r WHERE r.id IN ({}) AND r.kind = ? AND {}",
                      Marks(n), access.sql),
          params);
      if (!rows) return Fail(rows.error());
      for (const auto& row : rows->rows) {
        const json doc = ParsedOr(row[1], json::object());
        datacenter_info[store::AsString(row[0])] = {{"name", doc.value("name", "")},
                                                    {"provider", doc.value("provider", "")}};
      }
    }
    for (const auto& id : ids) {
      if (!datacenter_info.contains(id)) datacenter_info[id] = json::object();
    }
    return {};
  };

  std::int64_t n = 0;
  store::Params pending;  // result_id, n, data and csv of each row to write
  auto write = [&]() -> Status {
    const auto writing = Steady::now();
    auto written = store_.Transaction([&](store::Session& session) -> Status {
      return session.InsertRows("report_rows", kRowsTable, pending);
    });
    timing.write += since(writing);
    if (!written) return written;
    total += static_cast<std::int64_t>(pending.size() / kRowsTable.size());
    pending.clear();
    return {};
  };

  // Turns the rows of the query into result rows — each value's JSON text goes into the row's list
  // as it is, only lists and objects are parsed for their CSV cells — and writes them.
  auto build = [&](const store::Rows& found) -> Status {
    const auto started = Steady::now();
    std::vector<std::map<std::string, std::string>> relations_of(levels);
    std::vector<std::string> datacenter_ids;
    for (std::size_t l = 0; l < levels; ++l) {
      const Level& level = definition.levels[l];
      std::vector<std::string> ids;  // of the level's records, for relation columns
      for (std::size_t j = 0; j < level.columns.size() && ids.empty(); ++j) {
        if (level.columns[j].source != ColumnSource::kRelation) continue;
        for (const auto& cells : found.rows) {
          if (!store::IsNull(cells[offset[l]])) ids.push_back(store::AsString(cells[offset[l]]));
        }
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      }
      for (std::size_t j = 0; j < level.columns.size(); ++j) {
        const Column& column = level.columns[j];
        if (column.source == ColumnSource::kRelation) {
          std::map<std::string, std::string> names;
          if (auto ok = relation_names(column, ids, names); !ok) return ok;
          for (auto& [record, list] : names) {
            relations_of[l][column.path + "\n" + record] = std::move(list);
          }
        } else if (column.source == ColumnSource::kDatacenter) {
          for (const auto& cells : found.rows) {
            const json dc = ParsedOr(cells[offset[l] + 1 + j], json());
            if (dc.is_object() && dc.contains("id") && dc["id"].is_string()) {
              datacenter_ids.push_back(dc["id"]);
            }
          }
        }
      }
    }
    if (!datacenter_ids.empty()) {
      if (auto ok = datacenters(std::move(datacenter_ids)); !ok) return ok;
    }
    pending.reserve(found.size() * kRowsTable.size());
    std::vector<std::string_view> values(row_columns.size());
    std::vector<std::string> made(row_columns.size());  // texts made here rather than read
    std::size_t data_size = 256;  // room for a row's texts: the last row's and some more
    std::size_t csv_size = 128;
    for (const auto& cells : found.rows) {
      std::size_t at = 0;
      for (std::size_t l = 0; l < levels; ++l) {
        const Level& level = definition.levels[l];
        const bool empty = store::IsNull(cells[offset[l]]);
        for (std::size_t j = 0; j < level.columns.size(); ++j, ++at) {
          const Column& column = level.columns[j];
          const store::Value& cell = cells[offset[l] + 1 + j];
          values[at] = {};
          if (empty) continue;  // an empty pivot level: every column empty
          if (store::IsNull(cell) && column.source != ColumnSource::kRelation) continue;
          switch (column.source) {
            case ColumnSource::kCommon:
              made[at] = json(store::AsString(cell)).dump();
              values[at] = made[at];
              break;
            case ColumnSource::kRelation: {
              auto names =
                  relations_of[l].find(column.path + "\n" + store::AsString(cells[offset[l]]));
              values[at] = names != relations_of[l].end() ? std::string_view(names->second)
                                                          : std::string_view("[]");
              break;
            }
            case ColumnSource::kDatacenter: {
              json value = ParsedOr(cell, json());
              if (value.is_object() && value.contains("id") && value["id"].is_string()) {
                auto info = datacenter_info.find(value["id"].get<std::string>());
                if (info != datacenter_info.end()) {
                  for (const auto& [key, v] : info->second.items()) value[key] = v;
                }
              }
              if (column.parts.size() == 2 && value.is_object()) {
                value = value.value(column.parts[1], json());
              }
              made[at] = value.dump(-1, ' ', false, json::error_handler_t::replace);
              values[at] = made[at];
              break;
            }
            case ColumnSource::kDocument:
              if (const auto* text = std::get_if<std::string>(&cell)) {
                values[at] = *text;
              } else {
                made[at] = store::AsString(cell);
                values[at] = made[at];
              }
              break;
          }
        }
      }
      std::string data;
      std::string csv;
      data.reserve(data_size);
      csv.reserve(csv_size);
      AppendRow(row_columns, values, data, csv);
      data_size = data.size() + 64;
      csv_size = csv.size() + 64;
      pending.push_back(result_id);
      pending.push_back(n++);
      pending.push_back(std::move(data));
      pending.push_back(std::move(csv));
    }
    timing.build += since(started);
    return write();
  };

  if (!pivot) {
    std::string after;
    for (;;) {
      store::Params params = paths->params;
      params.push_back(after);
      params.push_back(static_cast<std::int64_t>(kChunk));
      // PostgreSQL would merge-join each page with the whole access table from its start (the
      // range on records does not carry over to acl), so pages got slower as they went: 164 s
      // for 1M servers. A nested loop probes acl by record id for the page's rows only.
      store::Rows found;
      const auto reading = Steady::now();
      auto read = store_.Transaction(
          [&](store::Session& session) -> Status {
            if (session.dialect() == store::Dialect::kPostgres) {
              if (auto set = session.Exec("SET LOCAL enable_mergejoin = off"); !set) {
                return Fail(set.error());
              }
            }
            auto rows = session.Query(paths->sql, params);
            if (!rows) return Fail(rows.error());
            found = std::move(*rows);
            return {};
          },
          store::TransactionMode::kRead);
      if (!read) return Fail(read.error());
      timing.query += since(reading);
      if (found.empty()) break;
      after = store::AsString(found.rows.back()[0]);
      if (auto ok = build(found); !ok) return ok;
      if (auto going = context.Progress(total, 0, fmt::format("{} rows", total)); !going) {
        return going;
      }
    }
    return {};
  }

  // Pivot: the paths stream out of one query, on a connection of the store's own, and are built
  // and written a chunk at a time in transactions of their own; PostgreSQL goes on producing paths
  // meanwhile. A report of any size holds one chunk.
  const auto reading = Steady::now();
  double elsewhere = 0;  // time spent building and writing while the query streamed
  auto read = store_.Each(paths->sql, paths->params, kChunk, [&](store::Rows& found) -> Status {
    const auto taking = Steady::now();
    auto built = build(found);
    if (built) built = context.Progress(total, 0, fmt::format("{} rows", total));
    elsewhere += since(taking);
    return built;
  });
  timing.query += since(reading) - elsewhere;
  return read;
}

}  // namespace maestro::reports
