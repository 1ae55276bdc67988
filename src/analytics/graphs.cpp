#include "analytics/graphs.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <set>

#include "analytics/drawing.h"
#include "analytics/metrics.h"
#include "analytics/share.h"
#include "analytics/walk.h"
#include "auth/roles.h"
#include "common/ids.h"
#include "common/json_util.h"
#include "common/validation.h"

namespace maestro::analytics {
namespace {

using nlohmann::json;
using store::AsInt;
using store::AsString;
using store::IsNull;

// With the state of the graph's last job, so that a build cancelled or lost before it started
// shows as failed rather than queued for ever.
constexpr std::string_view kColumns =
    "g.id, g.owner_id, g.name, g.source, g.source_ids, g.status, g.message, g.info, g.job_id, "
    "g.built_at, g.share_enabled, g.share_epoch, g.shared_at, g.version, g.created_at, "
    "g.updated_at, j.status, j.error, g.drawing_id";
constexpr std::string_view kDrawingColumns = ", g.svg, g.layout, g.dot";
constexpr std::string_view kFrom = "graphs g LEFT JOIN jobs j ON j.id = g.job_id";
constexpr std::array kReadOnly = {"id",  "kind",     "status",  "message",    "info",      "share",
                                  "job", "built_at", "version", "created_at", "updated_at"};
constexpr std::size_t kMaxIds = 1000;

struct SourceName {
  Source source;
  std::string_view key;       // in `from`, and the kind of its ids
  std::string_view singular;  // for messages
};
constexpr std::array<SourceName, 3> kSources = {
    SourceName{Source::kSystems, "systems", "system"},
    SourceName{Source::kClients, "clients", "client"},
    SourceName{Source::kApplications, "applications", "application"}};

const SourceName& NameOf(Source source) {
  for (const auto& name : kSources) {
    if (name.source == source) return name;
  }
  return kSources.back();
}

// What a graph is drawn from.
struct From {
  Source source = Source::kApplications;
  std::vector<std::string> ids;
  json ToJson() const { return {{std::string(NameOf(source).key), ids}}; }
};

json TextOrNull(const store::Value& value) {
  return IsNull(value) ? json(nullptr) : json(AsString(value));
}

json ParsedOr(const store::Value& value, json fallback) {
  if (IsNull(value)) return fallback;
  auto parsed = ParseJson(AsString(value));
  return parsed ? std::move(*parsed) : fallback;
}

std::optional<Source> SourceOf(std::string_view key) {
  for (const auto& name : kSources) {
    if (name.key == key) return name.source;
  }
  return std::nullopt;
}

json GraphJson(const std::vector<store::Value>& row) {
  const auto source = SourceOf(AsString(row[3])).value_or(Source::kApplications);
  json out = {{"id", AsString(row[0])},
              {"kind", "graphs"},
              {"name", AsString(row[2])},
              {"from", {{std::string(NameOf(source).key), ParsedOr(row[4], json::array())}}},
              {"status", AsString(row[5])},
              {"message", TextOrNull(row[6])},
              {"info", ParsedOr(row[7], nullptr)},
              {"share",
               {{"enabled", store::AsBool(row[10])},
                {"created_at", store::AsBool(row[10]) ? TextOrNull(row[12]) : json(nullptr)}}},
              {"job", TextOrNull(row[8])},
              {"built_at", TextOrNull(row[9])},
              {"version", AsInt(row[13])},
              {"created_at", AsString(row[14])},
              {"updated_at", AsString(row[15])}};
  const std::string job_status = AsString(row[16]);
  if ((out["status"] == "queued" || out["status"] == "running") &&
      (job_status == "cancelled" || job_status == "failed")) {
    out["status"] = "failed";
    out["message"] = job_status == "cancelled" ? "the build was cancelled"
                                               : AsString(row[17], "the build failed");
  }
  return out;
}

// The graph as its write left it (queued with its job): a worker may have started meanwhile.
Result<json> AsQueued(Result<json> graph, const std::string& job) {
  if (!graph) return graph;
  (*graph)["status"] = "queued";
  (*graph)["message"] = nullptr;
  (*graph)["job"] = job;
  return graph;
}

// `from` of a body: its shape (the ids are checked for access by the caller).
std::optional<From> ParseFrom(const json& value, FieldCheck& check) {
  const std::string sources = "systems, clients or applications";
  if (!value.is_object() || value.size() != 1) {
    check.Problem("from", "must be an object with exactly one of " + sources +
                              ": a list of ids, such as {\"systems\": [\"<id>\"]}");
    return std::nullopt;
  }
  const std::string key = value.begin().key();
  const json& ids = value.begin().value();
  const auto source = SourceOf(key);
  if (!source) {
    check.Problem("from." + key, "is not something a graph is drawn from: use " + sources);
    return std::nullopt;
  }
  const std::string field = "from." + key;
  if (!ids.is_array() || ids.empty()) {
    check.Problem(field, "must be a non-empty list of ids");
    return std::nullopt;
  }
  if (ids.size() > kMaxIds) {
    check.Problem(field, fmt::format("must have at most {} ids", kMaxIds));
    return std::nullopt;
  }
  From from{.source = *source};
  std::set<std::string> seen;
  bool good = true;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (!ids[i].is_string() || !IsId(ids[i].get<std::string>())) {
      check.Problem(fmt::format("{}.{}", field, i),
                    fmt::format("must be the id of a {}", NameOf(*source).singular));
      good = false;
    } else if (seen.insert(ids[i].get<std::string>()).second) {
      from.ids.push_back(ids[i]);
    }
  }
  if (!good) return std::nullopt;
  return from;
}

struct Body {
  std::string name;
  From from;
};

// A body a person wrote: {name, from}; read-only fields sent back are ignored.
Result<Body> ParseBody(const json& body) {
  if (!body.is_object()) {
    return Fail(ErrorCode::kBadRequest, "a graph is a JSON object: {name, from}");
  }
  FieldCheck check(body);
  for (const char* key : kReadOnly) check.Allow(key);
  Body out;
  out.name = check.RequiredText("name", {.min = 1, .max = 200}).value_or("");
  check.Allow("from");
  std::optional<From> from;
  if (!body.contains("from") || body["from"].is_null()) {
    check.Problem("from", "is required: {\"systems\"|\"clients\"|\"applications\": [ids]}");
  } else {
    from = ParseFrom(body["from"], check);
  }
  if (auto ok = check.Finish("graph"); !ok) return Fail(ok.error());
  out.from = std::move(*from);
  return out;
}

// The ids of `from` the owner cannot read (or that are not of its kind, or deleted): a 422 naming
// each.
Status CheckReadable(store::Store& store, const From& from, const std::string& owner_id) {
  const auto& name = NameOf(from.source);
  std::set<std::string> readable;
  const auto access =
      auth::AccessCondition("r.id", owner_id, auth::Role::kRead, auth::AccessPlan::kPerRow);
  for (std::size_t start = 0; start < from.ids.size(); start += 500) {
    const std::size_t end = std::min(from.ids.size(), start + 500);
    store::Params params(from.ids.begin() + static_cast<std::ptrdiff_t>(start),
                         from.ids.begin() + static_cast<std::ptrdiff_t>(end));
    std::string marks;
    for (std::size_t i = start; i < end; ++i) marks += i == start ? "?" : ", ?";
    params.push_back(std::string(name.key));
    params.push_back(true);
    params.insert(params.end(), access.params.begin(), access.params.end());
    auto rows = store.Query(fmt::format("SELECT r.id FROM records r WHERE r.id IN ({}) AND "
                                        "r.kind = ? AND r.active = ? AND {}",
                                        marks, access.sql),
                            params);
    if (!rows) return Fail(rows.error());
    for (const auto& row : rows->rows) readable.insert(AsString(row[0]));
  }
  std::vector<FieldError> problems;
  std::string missing;
  for (std::size_t i = 0; i < from.ids.size(); ++i) {
    if (readable.contains(from.ids[i])) continue;
    problems.push_back({fmt::format("from.{}.{}", name.key, i),
                        fmt::format("is not a {} you can read", name.singular)});
    missing += (missing.empty() ? "" : ", ") + from.ids[i];
  }
  if (problems.empty()) return {};
  return Fail(
      ErrorCode::kValidationFailed,
      fmt::format("{} {} you cannot read: {}", problems.size() == 1 ? "this is" : "these are",
                  problems.size() == 1 ? "not a " + std::string(name.singular)
                                       : "not " + std::string(name.key),
                  missing),
      std::move(problems));
}

std::string PngKey(const std::string& id, const std::string& drawing_id) {
  return fmt::format("graphs/{}/{}.png", Lower(id), Lower(drawing_id));
}

// A name for files: letters, digits, '-' and '_' of the graph's name.
std::string FileName(const std::string& name, std::string_view extension) {
  std::string out;
  for (char c : name) {
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  }
  if (out.empty()) out = "graph";
  return fmt::format("{}.{}", out, extension);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

struct Graphs::Stored {
  json graph;  // as the API shows it
  std::string source;
  std::string drawing_id;
  std::string svg;
  std::string layout;
  std::string dot;
};

Graphs::Graphs(store::Store& store, const Clock& clock, jobs::Jobs& jobs, notify::Events* events,
               blobs::BlobStore& blobs, GraphSettings settings)
    : store_(store),
      clock_(clock),
      jobs_(jobs),
      events_(events),
      blobs_(blobs),
      settings_(std::move(settings)) {}

Status Graphs::Available() const {
  if (settings_.disabled) {
    return Fail(ErrorCode::kUnavailable,
                "graphs are disabled on this server (MAESTRO_ANALYTICS_DISABLED)");
  }
  return {};
}

Result<Graphs::Stored> Graphs::Load(const std::string& owner_id, const std::string& id,
                                    bool with_drawing) {
  auto rows = store_.Query(fmt::format("SELECT {}{} FROM {} WHERE g.id = ? AND g.owner_id = ?",
                                       kColumns, with_drawing ? kDrawingColumns : "", kFrom),
                           {id, owner_id});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(ErrorCode::kNotFound, fmt::format("no graph {}", id));
  const auto& row = rows->rows.front();
  Stored stored{
      .graph = GraphJson(row), .source = AsString(row[3]), .drawing_id = AsString(row[18])};
  if (with_drawing) {
    stored.svg = AsString(row[19]);
    stored.layout = AsString(row[20]);
    stored.dot = AsString(row[21]);
  }
  return stored;
}

Result<Graphs::Stored> Graphs::Drawn(const std::string& owner_id, const std::string& id) {
  if (auto ok = Available(); !ok) return Fail(ok.error());
  auto stored = Load(owner_id, id, /*with_drawing=*/true);
  if (!stored) return stored;
  const std::string status = stored->graph["status"];
  if (status != "finished" || stored->svg.empty()) {
    return Fail(ErrorCode::kConflict,
                fmt::format("graph {} has no drawing: it is {}{}", id, status,
                            status == "queued" || status == "running"
                                ? " (try again when its build has finished)"
                                : ""),
                {{"status", "is " + status}});
  }
  return stored;
}

Result<json> Graphs::List(const std::string& owner_id, int page, int limit) {
  if (auto ok = Available(); !ok) return Fail(ok.error());
  auto found = store::ReadPage(store_, kColumns, fmt::format("{} WHERE g.owner_id = ?", kFrom),
                               {owner_id}, "g.created_at DESC, g.id DESC", page, limit);
  if (!found) return Fail(found.error());
  json items = json::array();
  for (const auto& row : found->rows.rows) items.push_back(GraphJson(row));
  return json{
      {"items", std::move(items)}, {"total", found->total}, {"page", page}, {"limit", limit}};
}

Result<json> Graphs::Get(const std::string& owner_id, const std::string& id) {
  if (auto ok = Available(); !ok) return Fail(ok.error());
  auto stored = Load(owner_id, id, /*with_drawing=*/false);
  if (!stored) return Fail(stored.error());
  return stored->graph;
}

Result<std::string> Graphs::Queue(store::Session& session, const std::string& owner_id,
                                  const std::string& id) {
  auto inserted = jobs_.Insert(
      session, {{.type = "graph", .args = {{"id", id}}, .owner_id = owner_id, .max_attempts = 2}});
  if (!inserted) return Fail(inserted.error());
  const std::string job = inserted->front();
  auto updated = session.Exec(
      "UPDATE graphs SET status = 'queued', message = NULL, job_id = ? WHERE id = ?", {job, id});
  if (!updated) return Fail(updated.error());
  return job;
}

Result<json> Graphs::Create(const std::string& owner_id, const json& body) {
  if (auto ok = Available(); !ok) return Fail(ok.error());
  auto parsed = ParseBody(body);
  if (!parsed) return Fail(parsed.error());
  if (auto readable = CheckReadable(store_, parsed->from, owner_id); !readable) {
    return Fail(readable.error());
  }
  const std::string id = NewId();
  const std::string now = FormatTime(clock_.Now());
  std::string job;
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    auto inserted = session.Exec(
        "INSERT INTO graphs (id, owner_id, name, source, source_ids, status, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)",
        {id, owner_id, parsed->name, std::string(NameOf(parsed->from.source).key),
         json(parsed->from.ids).dump(), now, now});
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

Result<json> Graphs::Patch(const std::string& owner_id, const std::string& id, const json& patch,
                           std::int64_t if_version) {
  if (auto ok = Available(); !ok) return Fail(ok.error());
  if (!patch.is_object()) return Fail(ErrorCode::kBadRequest, "a merge patch is a JSON object");
  auto current = Load(owner_id, id, /*with_drawing=*/false);
  if (!current) return Fail(current.error());
  json body = {{"name", current->graph["name"]}, {"from", current->graph["from"]}};
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null() && (key == "name" || key == "from")) {
      body.erase(key);  // removing a required field: refused as missing
    } else {
      body[key] = value;  // `from` whole; other keys are checked as in a full body
    }
  }
  return Write(owner_id, id, body, if_version);
}

Result<json> Graphs::Replace(const std::string& owner_id, const std::string& id, const json& body,
                             std::int64_t if_version) {
  if (auto ok = Available(); !ok) return Fail(ok.error());
  return Write(owner_id, id, body, if_version);
}

Result<json> Graphs::Write(const std::string& owner_id, const std::string& id, const json& body,
                           std::int64_t if_version) {
  auto parsed = ParseBody(body);
  if (!parsed) return Fail(parsed.error());
  const std::string source(NameOf(parsed->from.source).key);
  const std::string ids = json(parsed->from.ids).dump();
  std::string job;
  bool checked = false;
  for (;;) {
    bool needs_check = false;
    auto done = store_.Transaction([&](store::Session& session) -> Status {
      auto rows = session.Query(fmt::format("SELECT version, source, source_ids FROM graphs WHERE "
                                            "id = ? AND owner_id = ?{}",
                                            store::ForUpdate(session.dialect())),
                                {id, owner_id});
      if (!rows) return Fail(rows.error());
      if (rows->empty()) return Fail(ErrorCode::kNotFound, fmt::format("no graph {}", id));
      const std::int64_t version = AsInt(rows->rows[0][0]);
      if (if_version != 0 && version != if_version) {
        return Fail(
            ErrorCode::kPreconditionFailed,
            fmt::format("graph {} changed meanwhile (version {} now): reload it", id, version));
      }
      const bool rebuild = AsString(rows->rows[0][1]) != source ||
                           ParsedOr(rows->rows[0][2], json::array()) != json(parsed->from.ids);
      if (rebuild && !checked) {
        needs_check = true;  // checked outside the transaction, then written again
        return {};
      }
      auto updated = session.Exec(
          "UPDATE graphs SET name = ?, source = ?, source_ids = ?, version = version + 1, "
          "updated_at = ? WHERE id = ?",
          {parsed->name, source, ids, FormatTime(clock_.Now()), id});
      if (!updated) return Fail(updated.error());
      if (!rebuild) return {};
      auto queued = Queue(session, owner_id, id);
      if (!queued) return Fail(queued.error());
      job = *queued;
      return {};
    });
    if (!done) return Fail(done.error());
    if (!needs_check) break;
    if (auto readable = CheckReadable(store_, parsed->from, owner_id); !readable) {
      return Fail(readable.error());
    }
    checked = true;
  }
  if (job.empty()) {
    Tell(owner_id, id);
    return Get(owner_id, id);
  }
  jobs_.Announce({job});
  Tell(owner_id, id);
  return AsQueued(Get(owner_id, id), job);
}

Status Graphs::Delete(const std::string& owner_id, const std::string& id) {
  if (auto ok = Available(); !ok) return ok;
  std::string drawing_id;
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    auto rows = session.Query("SELECT drawing_id FROM graphs WHERE id = ? AND owner_id = ?",
                              {id, owner_id});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(ErrorCode::kNotFound, fmt::format("no graph {}", id));
    drawing_id = AsString(rows->rows[0][0]);
    auto deleted = session.Exec("DELETE FROM graphs WHERE id = ?", {id});
    if (!deleted) return Fail(deleted.error());
    return {};
  });
  if (!done) return done;
  DropPng(id, drawing_id);
  Tell(owner_id, id);
  return {};
}

Result<json> Graphs::Run(const std::string& owner_id, const std::string& id) {
  if (auto ok = Available(); !ok) return Fail(ok.error());
  std::string job;
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    auto rows = session.Query("SELECT 1 FROM graphs WHERE id = ? AND owner_id = ?", {id, owner_id});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(ErrorCode::kNotFound, fmt::format("no graph {}", id));
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

void Graphs::Tell(const std::string& owner_id, const std::string& id) {
  if (events_ == nullptr) return;
  (void)events_->Signal({.user_id = owner_id}, "graphs-update", id);
  (void)events_->Signal({.user_id = owner_id}, "graphs-" + id, id);
}

void Graphs::DropPng(const std::string& id, const std::string& drawing_id) {
  if (drawing_id.empty()) return;
  if (auto removed = blobs_.Delete(PngKey(id, drawing_id)); !removed) {
    spdlog::warn("graph {}: the cached PNG of an old drawing stays in {}: {}", id,
                 blobs_.Describe(), removed.error().message);
  }
}

// ---- drawings

Result<GraphFile> Graphs::Svg(const std::string& owner_id, const std::string& id) {
  auto stored = Drawn(owner_id, id);
  if (!stored) return Fail(stored.error());
  return GraphFile{.bytes = std::move(stored->svg),
                   .content_type = "image/svg+xml; charset=utf-8",
                   .filename = FileName(stored->graph["name"], "svg"),
                   .content_security_policy = std::string(kPublicSvgPolicy)};
}

Result<GraphFile> Graphs::Png(const std::string& owner_id, const std::string& id) {
  auto stored = Drawn(owner_id, id);
  if (!stored) return Fail(stored.error());
  GraphFile file{.content_type = "image/png", .filename = FileName(stored->graph["name"], "png")};
  const std::string key = PngKey(id, stored->drawing_id);
  if (auto cached = blobs_.Get(key)) {
    file.bytes = std::move(cached->bytes);
    return file;
  }
  auto png = RenderPng(stored->dot);
  if (!png) return Fail(png.error());
  if (auto kept = blobs_.Put(key, *png, "image/png"); !kept) {
    spdlog::warn("graph {}: the PNG could not be cached in {}: {}", id, blobs_.Describe(),
                 kept.error().message);
  }
  file.bytes = std::move(*png);
  return file;
}

Result<json> Graphs::Layout(const std::string& owner_id, const std::string& id) {
  auto stored = Drawn(owner_id, id);
  if (!stored) return Fail(stored.error());
  auto layout = ParseJson(stored->layout);
  if (!layout) return Fail(ErrorCode::kInternal, "the stored layout of the graph is not JSON");
  return std::move(*layout);
}

// ---- sharing

Result<json> Graphs::Share(const std::string& owner_id, const std::string& id) {
  if (auto ok = Available(); !ok) return Fail(ok.error());
  if (settings_.share_secret.empty()) {
    return Fail(ErrorCode::kUnavailable,
                "sharing needs MAESTRO_SECRETJWT_PUBLIC, which this server was not given");
  }
  std::int64_t epoch = 0;
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    auto rows =
        session.Query(fmt::format("SELECT share_epoch FROM graphs WHERE id = ? AND owner_id = ?{}",
                                  store::ForUpdate(session.dialect())),
                      {id, owner_id});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(ErrorCode::kNotFound, fmt::format("no graph {}", id));
    epoch = AsInt(rows->rows[0][0]);
    auto updated = session.Exec(
        "UPDATE graphs SET shared_at = CASE WHEN share_enabled = 1 THEN shared_at ELSE ? END, "
        "share_enabled = 1 WHERE id = ?",
        {FormatTime(clock_.Now()), id});
    if (!updated) return Fail(updated.error());
    return {};
  });
  if (!done) return Fail(done.error());
  Tell(owner_id, id);
  const std::string token =
      SignShareToken({.graph_id = id, .epoch = epoch}, settings_.share_secret, clock_.Now());
  return json{{"url", fmt::format("{}/public/graphs/{}", settings_.public_url, token)},
              {"token", token}};
}

Status Graphs::Unshare(const std::string& owner_id, const std::string& id) {
  if (auto ok = Available(); !ok) return ok;
  auto updated = store_.Exec(
      "UPDATE graphs SET share_enabled = 0, share_epoch = share_epoch + 1, shared_at = NULL WHERE "
      "id = ? AND owner_id = ?",
      {id, owner_id});
  if (!updated) return Fail(updated.error());
  if (*updated == 0) return Fail(ErrorCode::kNotFound, fmt::format("no graph {}", id));
  Tell(owner_id, id);
  return {};
}

Result<GraphFile> Graphs::Public(const std::string& token_or_file) {
  if (auto ok = Available(); !ok) return Fail(ok.error());
  std::string_view token = token_or_file;
  const bool svg = token.ends_with(".svg");
  if (svg) token.remove_suffix(4);
  if (settings_.share_secret.empty()) return Fail(ErrorCode::kNotFound, "no such shared graph");
  auto claims = VerifyShareToken(token, settings_.share_secret, clock_.Now());
  if (!claims) return Fail(claims.error());
  auto rows = store_.Query(
      "SELECT name, svg FROM graphs WHERE id = ? AND share_enabled = 1 AND share_epoch = ? AND "
      "svg IS NOT NULL",
      {claims->graph_id, claims->epoch});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(ErrorCode::kNotFound, "no such shared graph");
  const std::string name = AsString(rows->rows[0][0]);
  if (svg) {
    return GraphFile{.bytes = AsString(rows->rows[0][1]),
                     .content_type = "image/svg+xml; charset=utf-8",
                     .filename = FileName(name, "svg"),
                     .content_security_policy = std::string(kPublicSvgPolicy)};
  }
  return GraphFile{
      .bytes = PublicPage(name, AsString(rows->rows[0][1]), std::string(token) + ".svg"),
      .content_type = "text/html; charset=utf-8",
      .content_security_policy = PublicPagePolicy()};
}

// ---- builds

jobs::JobType Graphs::Job() {
  return {.name = "graph",
          .handler = [this](jobs::JobContext& context) { return Build(context); },
          .timeout = std::chrono::seconds(600)};
}

scheduler::TaskOffer Graphs::Offer() {
  return scheduler::OfferForOwnRow(store_, "graph", "graphs", "graph", 2);
}

Result<json> Graphs::Build(jobs::JobContext& context) {
  const std::string id = context.args().value("id", "");
  const std::string& owner_id = context.job().owner_id;
  const std::string job_id = context.job().id;
  auto rows = store_.Query(
      "SELECT name, source, source_ids FROM graphs WHERE id = ? AND owner_id = ?", {id, owner_id});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return json{{"skipped", "the graph was deleted"}};
  const std::string name = AsString(rows->rows[0][0]);
  const std::string source_key = AsString(rows->rows[0][1]);
  const auto source = SourceOf(source_key).value_or(Source::kApplications);
  std::vector<std::string> ids;
  for (const auto& item : ParsedOr(rows->rows[0][2], json::array())) {
    if (item.is_string()) ids.push_back(item);
  }
  // This job now builds the graph; a later queue (an edit, another run) takes it over.
  auto claimed = store_.Exec(
      "UPDATE graphs SET status = 'running', message = NULL, job_id = ? WHERE id = ? AND "
      "(job_id = ? OR job_id IS NULL OR status NOT IN ('queued', 'running'))",
      {job_id, id, job_id});
  if (!claimed) return Fail(claimed.error());
  if (*claimed == 0) return json{{"skipped", "a newer build of the graph is queued"}};
  Tell(owner_id, id);
  auto fail = [&](const Error& error) -> Result<json> {
    const std::string message = context.cancelled()   ? "the build was cancelled"
                                : context.timed_out() ? "the build ran out of time"
                                                      : error.message;
    (void)store_.Exec(
        "UPDATE graphs SET status = 'failed', message = ? WHERE id = ? AND job_id = ?",
        {message, id, job_id});
    Tell(owner_id, id);
    return Fail(error);
  };

  const auto started = std::chrono::steady_clock::now();
  if (auto going = context.Progress(0, 3, "finding the entry points"); !going)
    return fail(going.error());
  auto entries = FindEntryPoints(store_, source, ids, owner_id);
  if (!entries) return fail(entries.error());
  GraphData graph;
  if (!entries->empty()) {
    if (auto going = context.Progress(1, 3, "walking the dependencies"); !going) {
      return fail(going.error());
    }
    auto walked = Walk(store_, *entries, owner_id);
    if (!walked) return fail(walked.error());
    graph = std::move(*walked);
  }
  const double walk_s = SecondsSince(started);
  const auto measuring = std::chrono::steady_clock::now();
  const Metrics metrics = Measure(graph);
  const double metrics_s = SecondsSince(measuring);
  std::string message;
  if (graph.nodes.empty()) {
    message = source == Source::kApplications
                  ? "Empty entry points: none of the applications is one you can read"
                  : fmt::format(
                        "Empty entry points: the {} lead to no application you can read "
                        "(no entry points, and no applications to start from)",
                        source_key);
  } else if (graph.edges.empty()) {
    // Every node is an entry point then: nothing depends on anything.
    message = graph.nodes.size() == 1
                  ? std::string(
                        "Empty dependencies: the entry point depends on no application "
                        "you can read")
                  : fmt::format(
                        "Empty dependencies: the {} entry points depend on no "
                        "application you can read",
                        graph.nodes.size());
  }
  std::optional<Drawing> drawing;
  double layout_s = 0;
  if (message.empty()) {
    if (auto going =
            context.Progress(2, 3, fmt::format("drawing {} applications", graph.nodes.size()));
        !going) {
      return fail(going.error());
    }
    const auto drawing_started = std::chrono::steady_clock::now();
    auto drawn = Draw(graph, name);
    if (!drawn) return fail(drawn.error());
    drawing = std::move(*drawn);
    layout_s = SecondsSince(drawing_started);
  }

  std::string previous_drawing;
  bool current = false;
  auto finished = store_.Transaction([&](store::Session& session) -> Status {
    auto found = session.Query(fmt::format("SELECT job_id, drawing_id FROM graphs WHERE id = ?{}",
                                           store::ForUpdate(session.dialect())),
                               {id});
    if (!found) return Fail(found.error());
    if (found->empty() || AsString(found->rows[0][0]) != job_id) return {};
    current = true;
    previous_drawing = AsString(found->rows[0][1]);
    const auto text = [](const std::optional<Drawing>& d, std::string Drawing::*field) {
      return d ? store::Value((*d).*field) : store::Value(nullptr);
    };
    auto updated = session.Exec(
        "UPDATE graphs SET status = ?, message = ?, info = ?, svg = ?, layout = ?, dot = ?, "
        "drawing_id = ?, built_at = ? WHERE id = ?",
        {drawing ? "finished" : "empty",
         message.empty() ? store::Value(nullptr) : store::Value(message), InfoJson(metrics).dump(),
         text(drawing, &Drawing::svg), text(drawing, &Drawing::layout),
         text(drawing, &Drawing::dot), drawing ? store::Value(job_id) : store::Value(nullptr),
         FormatTime(clock_.Now()), id});
    if (!updated) return Fail(updated.error());
    return {};
  });
  if (!finished) return fail(finished.error());
  if (!current) return json{{"skipped", "a newer build of the graph took over"}};
  if (previous_drawing != job_id) DropPng(id, previous_drawing);
  Tell(owner_id, id);
  return json{{"graph", id},
              {"status", drawing ? "finished" : "empty"},
              {"nodes", metrics.nodes},
              {"edges", metrics.edges},
              {"seconds", {{"walk", walk_s}, {"metrics", metrics_s}, {"layout", layout_s}}}};
}

}  // namespace maestro::analytics
