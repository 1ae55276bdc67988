#include "http/routes.h"

#include <fmt/format.h>

#include <charconv>
#include <mutex>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/ids.h"
#include "common/json_util.h"
#include "common/validation.h"
#include "discovery/ansible_facts.h"
#include "discovery/providers.h"
#include "http/openapi.h"
#include "store/migrations.h"

namespace maestro::http {
namespace {

using nlohmann::json;

Result<Response> Health(const Services& services) {
  return Response::Json(200, {{"status", "ok"}, {"version", services.info.version}});
}

Result<Response> Ready(const Services& services) {
  json database = {
      {"backend", services.store.dialect() == store::Dialect::kSqlite ? "sqlite" : "postgresql"},
      {"latest_schema_version", store::LatestSchemaVersion()}};
  bool ready = true;
  if (auto ping = services.store.Ping(); !ping) {
    ready = false;
    database["error"] = ping.error().message;
  } else if (auto version = store::SchemaVersion(services.store); !version) {
    ready = false;
    database["error"] = version.error().message;
  } else {
    database["schema_version"] = *version;
    if (*version < store::LatestSchemaVersion()) {
      ready = false;
      database["error"] = "migrations are pending: run `maestro migrate`";
    }
  }
  json queue = {{"through", services.queue.Describe()}};
  if (auto ping = services.queue.Ping(); !ping) {
    ready = false;
    queue["error"] = ping.error().message;
  }
  return Response::Json(
      ready ? 200 : 503,
      {{"status", ready ? "ready" : "unavailable"}, {"database", database}, {"jobs", queue}});
}

Result<Response> Metrics(Services& services) {
  return Response::Text(200, services.metrics.Render(), "text/plain; version=0.0.4; charset=utf-8");
}

Result<Response> ApiRoot(const Services& services) {
  return Response::Json(
      200,
      {{"app", "maestro"}, {"version", services.info.version}, {"theme", services.info.theme}});
}

Result<Response> WebUi(const Services& services, const Request& request) {
  if (request.path == "/api" || request.path.starts_with("/api/")) {
    return Fail(ErrorCode::kNotFound, fmt::format("no API endpoint at {}", request.path));
  }
  if (services.web == nullptr) {
    return Response::Text(
        503,
        fmt::format("<!doctype html><title>Maestro</title><p>The Maestro web UI is not built (no "
                    "index.html in {}). Run <code>./scripts/build</code> or set MAESTRO_WEB_DIR.",
                    services.info.web_dir),
        "text/html; charset=utf-8");
  }
  auto response = services.web->Serve(request.path, request.Header("if-none-match"));
  if (!response) return Fail(ErrorCode::kNotFound, fmt::format("no file at {}", request.path));
  return std::move(*response);
}

// The signed-in caller. REQUIRES: the route has Access::kUser (the pipeline set it).
const auth::Principal& Caller(const Request& request) { return *request.principal; }

Result<Response> Json(int status, Result<json> body) {
  if (!body) return Fail(body.error());
  return Response::Json(status, *body);
}

Result<Response> NoContent(Status status) {
  if (!status) return Fail(status.error());
  Response response;
  response.status = 204;
  return response;
}

// page (from 1) and limit (1–500, default 20) of a list request.
Result<std::pair<int, int>> Paging(const Request& request) {
  auto number = [&](std::string_view name, int fallback, int min, int max) -> Result<int> {
    auto text = request.Query(name);
    if (!text) return fallback;
    auto value = ParseWholeNumber(*text, min, max);
    if (!value) {
      return Fail(ErrorCode::kBadRequest,
                  fmt::format("{} must be a whole number from {} to {}", name, min, max));
    }
    return static_cast<int>(*value);
  };
  auto page = number("page", 1, 1, 1'000'000);
  if (!page) return Fail(page.error());
  auto limit = number("limit", 20, 1, 500);
  if (!limit) return Fail(limit.error());
  return std::pair{*page, *limit};
}

// The bytes of the "file" part of a multipart upload.
Result<std::string_view> UploadedFile(const Request& request) {
  for (const auto& part : request.form) {
    if (part.name == "file") return std::string_view(part.bytes);
  }
  return Fail(ErrorCode::kValidationFailed, "the upload has no file",
              {{"file", "is required (a multipart/form-data part named 'file')"}});
}

Result<Response> AvatarFile(Services& services, const Request& request) {
  auto blob = services.accounts.Avatar(request.params.at("name"));
  if (!blob) return Fail(blob.error());
  Response response;
  response.body = std::move(blob->bytes);
  response.SetHeader("Content-Type", blob->content_type);
  // Names are new for every upload, so a name's content never changes.
  response.SetHeader("Cache-Control", "public, max-age=31536000, immutable");
  response.SetHeader("X-Content-Type-Options", "nosniff");
  response.SetHeader("Content-Security-Policy", "default-src 'none'");
  return response;
}

// If-Match: "3" (or 3, or W/"3") -> 3; absent -> nullopt.
Result<std::optional<std::int64_t>> IfMatch(const Request& request) {
  auto header = request.Header("if-match");
  if (!header) return std::optional<std::int64_t>();
  std::string_view text = *header;
  if (text.starts_with("W/")) text.remove_prefix(2);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
    text = text.substr(1, text.size() - 2);
  auto version = ParseWholeNumber(text, 1, INT64_MAX);
  if (!version) {
    return Fail(ErrorCode::kBadRequest, "If-Match must be the record's ETag, such as \"3\"");
  }
  return version;
}

// A version as the ETag of a response (If-Match takes it back).
void SetVersion(Response& response, std::int64_t version) {
  response.SetHeader("ETag", fmt::format("\"{}\"", version));
}

// A record, with its version as ETag.
Result<Response> RecordResponse(int status, Result<json> record) {
  if (!record) return Fail(record.error());
  Response response = Response::Json(status, *record);
  SetVersion(response, (*record)["version"].get<std::int64_t>());
  if (status == 201) {
    response.SetHeader("Location", fmt::format("/api/{}/{}", (*record)["kind"].get<std::string>(),
                                               (*record)["id"].get<std::string>()));
  }
  return response;
}

// POST /api/import?format=json|ansible&datacenter=<id>, the file as the body or a multipart
// "file" part. The file is checked (JSON; or Ansible facts: one host's file, a JSON object of them
// or a tar archive of `ansible -m setup --tree`, turned into servers and volumes), kept as a blob,
// and imported by an `import` job: 202 {job}.
Result<Response> Import(Services& services, const Request& request) {
  std::string datacenter;
  std::string format = "json";
  for (const auto& [name, value] : request.query) {
    if (name == "format") {
      if (value != "json" && value != "ansible" && value != "terraform") {
        return Fail(
            ErrorCode::kBadRequest,
            fmt::format("format '{}' is not supported: use format=json, ansible or terraform",
                        value));
      }
      format = value;
    } else if (name == "datacenter") {
      datacenter = value;
    } else {
      return Fail(ErrorCode::kBadRequest,
                  fmt::format("unknown parameter '{}': use format and datacenter", name));
    }
  }
  std::string_view text = request.body;
  std::vector<FormPart> parts;
  const auto type = request.Header("content-type").value_or("");
  if (type.starts_with("multipart/form-data")) {
    auto parsed = ParseMultipart(type, request.body);
    if (!parsed) return Fail(parsed.error());
    parts = std::move(*parsed);
    text = {};
    for (const auto& part : parts) {
      if (part.name == "file") text = part.bytes;
    }
    if (text.empty()) {
      return Fail(ErrorCode::kValidationFailed, "the upload has no file",
                  {{"file", "is required"}});
    }
  }
  if (text.empty()) return Fail(ErrorCode::kBadRequest, "send the file to import as the body");
  std::string converted;
  if (format == "ansible") {
    auto facts = discovery::ReadFactFiles(text);
    if (!facts) return Fail(facts.error());
    if (facts->hosts.empty()) {
      return Fail(ErrorCode::kBadRequest,
                  "no host's facts in the upload" +
                      (facts->warnings.empty() ? std::string() : ": " + facts->warnings[0]));
    }
    converted = discovery::FactsAsImport(*facts).dump();
    text = converted;
  } else if (format == "terraform") {
    auto state = ParseJson(text);
    if (!state)
      return Fail(ErrorCode::kBadRequest, "the state is not JSON: " + state.error().message);
    auto file = discovery::TerraformAsImport(*state);
    if (!file) return Fail(file.error());
    converted = file->dump();
    text = converted;
  }
  // Checked without building the document, which the job builds: a bad file is a 400 at once.
  if (!json::accept(text)) {
    auto file = ParseJson(text);  // says where and why
    return Fail(ErrorCode::kBadRequest, "the file is not JSON: " + (file ? std::string("unreadable")
                                                                         : file.error().message));
  }
  std::string_view start = text;
  if (start.starts_with("\xEF\xBB\xBF"))
    start.remove_prefix(3);  // a byte order mark, as parse skips
  if (const auto first = start.find_first_not_of(" \t\r\n");
      first == std::string::npos || start[first] != '{') {
    return Fail(ErrorCode::kBadRequest,
                "an import file is a JSON object with servers, applications, volumes, snapshots, "
                "images and flavors lists");
  }
  if (!datacenter.empty()) {
    // Checked now, so that the caller hears of it at once.
    if (auto found = services.records.Get(*request.principal,
                                          *services.registry.Find("datacenters"), datacenter);
        !found) {
      return Fail(ErrorCode::kValidationFailed, "no such datacenter",
                  {{"datacenter", "is not a datacenter you can read"}});
    }
  }
  const std::string blob = fmt::format("imports/{}.json", Lower(NewId()));
  if (auto kept = services.blobs.Put(blob, text, "application/json"); !kept) {
    return Fail(kept.error());
  }
  auto job = services.jobs.Enqueue({.type = "import",
                                    .args = {{"blob", blob}, {"datacenter", datacenter}},
                                    .owner_id = request.principal->user_id,
                                    .max_attempts = 3});
  if (!job) {
    (void)services.blobs.Delete(blob);
    return Fail(job.error());
  }
  return Response::Json(202, {{"job", *job}});
}

// The If-Match version, or 0 when absent.
Result<std::int64_t> IfMatchVersion(const Request& request) {
  auto version = IfMatch(request);
  if (!version) return Fail(version.error());
  return version->value_or(0);
}

// A resource kept with a version (schedules, connections, reports): its version as ETag and, on
// creation, its Location under /api/<collection>.
Result<Response> Versioned(int status, Result<json> resource, std::string_view collection) {
  if (!resource) return Fail(resource.error());
  Response response = Response::Json(status, *resource);
  SetVersion(response, (*resource)["version"].get<std::int64_t>());
  if (status == 201) {
    response.SetHeader("Location",
                       fmt::format("/api/{}/{}", collection, (*resource)["id"].get<std::string>()));
  }
  return response;
}

Result<Response> Accepted(Result<json> job) {
  if (!job) return Fail(job.error());
  return Response::Json(202, {{"job", *job}});
}

// Only the named query parameters; anything else is a 400 naming it.
Status OnlyParams(const Request& request, std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : request.query) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return Fail(ErrorCode::kBadRequest,
                  fmt::format("unknown parameter '{}': use {}", name, list));
    }
  }
  return {};
}

// Files a connection reads (Terraform state, Ansible facts, JSON): at most this large.
constexpr std::uint64_t kUploadLimit = 256ull * 1024 * 1024;

// The summaries of the routes of a resource each user keeps for themself.
struct OwnedRoutes {
  std::string collection;  // /api/<collection>, and the collection its ETags name
  std::string tag;
  std::string list, create, get, patch, put, remove, run;
};

// GET and POST /api/<collection>, GET, PATCH, PUT and DELETE …/:id (ETag, If-Match) and POST
// …/:id/run for a resource the caller owns: schedules, reports and graphs, whose services take
// the owner's id.
template <typename Resource>
void AddOwnedRoutes(Router& router, Resource& resource,
                    Result<json> (Resource::*run)(const std::string&, const std::string&),
                    const OwnedRoutes& routes) {
  const std::string base = "/api/" + routes.collection;
  const std::string collection = routes.collection;
  router.Add({.method = "GET",
              .pattern = base,
              .summary = routes.list,
              .tag = routes.tag,
              .access = Access::kUser,
              .handler = [&resource](Request& r) -> Result<Response> {
                if (auto known = OnlyParams(r, {"page", "limit"}); !known) {
                  return Fail(known.error());
                }
                auto paging = Paging(r);
                if (!paging) return Fail(paging.error());
                return Json(200, resource.List(Caller(r).user_id, paging->first, paging->second));
              }});
  router.Add({.method = "POST",
              .pattern = base,
              .summary = routes.create,
              .tag = routes.tag,
              .access = Access::kUser,
              .body = BodyKind::kJson,
              .handler = [&resource, collection](Request& r) {
                return Versioned(201, resource.Create(Caller(r).user_id, r.Json()), collection);
              }});
  router.Add({.method = "GET",
              .pattern = base + "/:id",
              .summary = routes.get,
              .tag = routes.tag,
              .access = Access::kUser,
              .handler = [&resource, collection](Request& r) {
                return Versioned(200, resource.Get(Caller(r).user_id, r.params.at("id")),
                                 collection);
              }});
  for (const char* method : {"PATCH", "PUT"}) {
    const bool merge = std::string_view(method) == "PATCH";
    router.Add({.method = method,
                .pattern = base + "/:id",
                .summary = merge ? routes.patch : routes.put,
                .tag = routes.tag,
                .access = Access::kUser,
                .body = BodyKind::kJson,
                .handler = [&resource, collection, merge](Request& r) -> Result<Response> {
                  auto version = IfMatchVersion(r);
                  if (!version) return Fail(version.error());
                  const std::string& owner = Caller(r).user_id;
                  const std::string& id = r.params.at("id");
                  return Versioned(200,
                                   merge ? resource.Patch(owner, id, r.Json(), *version)
                                         : resource.Replace(owner, id, r.Json(), *version),
                                   collection);
                }});
  }
  router.Add({.method = "DELETE",
              .pattern = base + "/:id",
              .summary = routes.remove,
              .tag = routes.tag,
              .access = Access::kUser,
              .handler = [&resource](Request& r) {
                return NoContent(resource.Delete(Caller(r).user_id, r.params.at("id")));
              }});
  router.Add({.method = "POST",
              .pattern = base + "/:id/run",
              .summary = routes.run,
              .tag = routes.tag,
              .access = Access::kUser,
              .handler = [&resource, run](Request& r) {
                return Accepted((resource.*run)(Caller(r).user_id, r.params.at("id")));
              }});
}

void AddConnectionRoutes(Router& router, Services& services) {
  router.Add({.method = "GET",
              .pattern = "/api/connections",
              .summary = "The caller's connections, by name (credentials never shown)",
              .tag = "discovery",
              .access = Access::kUser,
              .handler = [&](Request& r) -> Result<Response> {
                if (auto known = OnlyParams(r, {"page", "limit"}); !known) {
                  return Fail(known.error());
                }
                auto paging = Paging(r);
                if (!paging) return Fail(paging.error());
                return Json(200,
                            services.connections.List(Caller(r), paging->first, paging->second));
              }});
  router.Add({.method = "POST",
              .pattern = "/api/connections",
              .summary = "Create a connection and the schedules of its resources",
              .tag = "discovery",
              .access = Access::kUser,
              .body = BodyKind::kJson,
              .handler = [&](Request& r) {
                return Versioned(201, services.connections.Create(Caller(r), r.Json()),
                                 "connections");
              }});
  router.Add({.method = "GET",
              .pattern = "/api/connections/:id",
              .summary = "One of the caller's connections",
              .tag = "discovery",
              .access = Access::kUser,
              .handler = [&](Request& r) {
                return Versioned(200, services.connections.Get(Caller(r), r.params.at("id")),
                                 "connections");
              }});
  for (const char* method : {"PATCH", "PUT"}) {
    const bool merge = std::string_view(method) == "PATCH";
    router.Add({.method = method,
                .pattern = "/api/connections/:id",
                .summary = merge ? "Change a connection (JSON merge patch; If-Match)"
                                 : "Replace a connection (If-Match)",
                .tag = "discovery",
                .access = Access::kUser,
                .body = BodyKind::kJson,
                .handler = [&services, merge](Request& r) -> Result<Response> {
                  auto version = IfMatchVersion(r);
                  if (!version) return Fail(version.error());
                  return Versioned(200,
                                   merge ? services.connections.Patch(Caller(r), r.params.at("id"),
                                                                      r.Json(), *version)
                                         : services.connections.Replace(
                                               Caller(r), r.params.at("id"), r.Json(), *version),
                                   "connections");
                }});
  }
  router.Add({.method = "DELETE",
              .pattern = "/api/connections/:id",
              .summary = "Delete a connection and its schedules (discovered records stay)",
              .tag = "discovery",
              .access = Access::kUser,
              .handler = [&](Request& r) {
                return NoContent(services.connections.Delete(Caller(r), r.params.at("id")));
              }});
  router.Add({.method = "POST",
              .pattern = "/api/connections/:id/sync",
              .summary = "Sync now: a job per resource ({resources?: [name]})",
              .tag = "discovery",
              .access = Access::kUser,
              .handler = [&](Request& r) -> Result<Response> {
                json body = nullptr;
                if (!r.body.empty()) {
                  auto parsed = ParseJson(r.body);
                  if (!parsed) return Fail(ErrorCode::kBadRequest, "the body is not JSON");
                  body = std::move(*parsed);
                }
                auto jobs = services.connections.Sync(Caller(r), r.params.at("id"), body);
                if (!jobs) return Fail(jobs.error());
                return Response::Json(202, *jobs);
              }});
  router.Add({.method = "POST",
              .pattern = "/api/connections/:id/test",
              .summary = "Try the connection's credentials with the cheapest call",
              .tag = "discovery",
              .access = Access::kUser,
              .handler = [&](Request& r) {
                return Json(200, services.connections.Test(Caller(r), r.params.at("id")));
              }});
  router.Add({.method = "GET",
              .pattern = "/api/datacenters/:id/orphans",
              .summary = "Servers of the datacenter a sync found gone, or never discovered",
              .tag = "discovery",
              .access = Access::kUser,
              .handler = [&](Request& r) -> Result<Response> {
                if (auto known = OnlyParams(r, {"page", "limit"}); !known) {
                  return Fail(known.error());
                }
                auto paging = Paging(r);
                if (!paging) return Fail(paging.error());
                return Json(200, services.connections.Orphans(Caller(r), r.params.at("id"),
                                                              paging->first, paging->second));
              }});
  router.Add({.method = "POST",
              .pattern = "/api/uploads",
              .summary = "Keep a file for a connection to read (credentials.upload = the id)",
              .tag = "discovery",
              .access = Access::kUser,
              .max_body = kUploadLimit,
              .handler = [&](Request& r) -> Result<Response> {
                if (r.body.empty()) {
                  return Fail(ErrorCode::kBadRequest, "the body is empty: send the file's bytes");
                }
                const std::string id = Lower(NewId());
                auto put = services.blobs.Put(
                    fmt::format("uploads/{}/{}", Lower(Caller(r).user_id), id), r.body,
                    std::string(r.Header("content-type").value_or("application/octet-stream")));
                if (!put) return Fail(put.error());
                return Response::Json(201, {{"upload", id}, {"size", r.body.size()}});
              }});
}

void AddJobRoutes(Router& router, Services& services) {
  router.Add(
      {.method = "GET",
       .pattern = "/api/jobs",
       .summary = "The caller's jobs, newest first (filters: status, type, schedule)",
       .tag = "jobs",
       .access = Access::kUser,
       .handler = [&](Request& r) -> Result<Response> {
         if (auto known = OnlyParams(r, {"status", "type", "schedule", "page", "limit"}); !known) {
           return Fail(known.error());
         }
         auto paging = Paging(r);
         if (!paging) return Fail(paging.error());
         return Json(
             200, services.jobs.List(Caller(r).user_id, std::string(r.Query("status").value_or("")),
                                     std::string(r.Query("type").value_or("")),
                                     std::string(r.Query("schedule").value_or("")), paging->first,
                                     paging->second));
       }});
  router.Add({.method = "GET",
              .pattern = "/api/jobs/:id",
              .summary = "One of the caller's jobs",
              .tag = "jobs",
              .access = Access::kUser,
              .handler = [&](Request& r) {
                return Json(200, services.jobs.Get(Caller(r).user_id, r.params.at("id")));
              }});
  router.Add({.method = "POST",
              .pattern = "/api/jobs/:id/cancel",
              .summary = "Cancel a queued job, or ask a running one to stop",
              .tag = "jobs",
              .access = Access::kUser,
              .handler = [&](Request& r) {
                return Accepted(services.jobs.Cancel(Caller(r).user_id, r.params.at("id")));
              }});
  AddOwnedRoutes(router, services.schedules, &scheduler::Schedules::RunNow,
                 {.collection = "schedules",
                  .tag = "jobs",
                  .list = "The caller's schedules, by name",
                  .create = "Create a schedule (every or cron)",
                  .get = "One of the caller's schedules",
                  .patch = "Change a schedule (JSON merge patch; If-Match)",
                  .put = "Replace a schedule (If-Match)",
                  .remove = "Delete a schedule (its queued jobs are cancelled)",
                  .run = "Run a schedule's task now"});
  router.Add(
      {.method = "GET",
       .pattern = "/api/events",
       .summary = "The caller's notifications since a time (kept 15 days), newest first",
       .tag = "jobs",
       .access = Access::kUser,
       .handler = [&](Request& r) -> Result<Response> {
         if (auto known = OnlyParams(r, {"since", "ref", "limit"}); !known) {
           return Fail(known.error());
         }
         std::string since = "0000";
         if (auto text = r.Query("since")) {
           if (!ParseTime(*text)) {
             return Fail(ErrorCode::kBadRequest,
                         "since must be an RFC 3339 UTC time such as 2026-11-24T08:00:00Z");
           }
           since = FormatTime(*ParseTime(*text));
         }
         int limit = 100;
         if (auto text = r.Query("limit")) {
           auto value = ParseWholeNumber(*text, 1, 500);
           if (!value)
             return Fail(ErrorCode::kBadRequest, "limit must be a whole number from 1 to 500");
           limit = static_cast<int>(*value);
         }
         return Json(200, services.events.Since(Caller(r).user_id, since,
                                                std::string(r.Query("ref").value_or("")), limit));
       }});
}

void AddReportRoutes(Router& router, Services& services) {
  reports::Reports& reports = services.reports;
  AddOwnedRoutes(router, reports, &reports::Reports::Run,
                 {.collection = "reports",
                  .tag = "reports",
                  .list = "The caller's reports, last changed first",
                  .create = "Create a report (single or pivot); its generation is queued",
                  .get = "One of the caller's reports, with its status",
                  .patch = "Change a report (JSON merge patch; If-Match); regenerates it",
                  .put = "Replace a report (If-Match); regenerates it",
                  .remove = "Delete a report and its stored rows",
                  .run = "Generate a report again"});
  router.Add({.method = "GET",
              .pattern = "/api/reports/:id/rows",
              .summary = "A page of a report's stored rows (page, limit, sort, q)",
              .tag = "reports",
              .access = Access::kUser,
              .handler = [&](Request& r) {
                return Json(200, reports.Rows(Caller(r).user_id, r.params.at("id"), r.query));
              }});
  router.Add({.method = "GET",
              .pattern = "/api/reports/:id/aggregate",
              .summary = "Counts of the values of one column of a report, for charts (by, limit)",
              .tag = "reports",
              .access = Access::kUser,
              .handler = [&](Request& r) {
                return Json(200, reports.Aggregate(Caller(r).user_id, r.params.at("id"), r.query));
              }});
  router.Add({.method = "GET",
              .pattern = "/api/reports/:id/export",
              .summary = "A report as a file: format=csv, json, xlsx, pdf or inventory (Ansible)",
              .tag = "reports",
              .access = Access::kUser,
              .handler = [&](Request& r) -> Result<Response> {
                auto file = reports.Export(Caller(r).user_id, r.params.at("id"), r.query);
                if (!file) return Fail(file.error());
                Response response;
                response.file = file->path;
                response.SetHeader("Content-Type", file->content_type);
                response.SetHeader("Content-Disposition",
                                   fmt::format("attachment; filename=\"{}\"", file->filename));
                response.SetHeader("Cache-Control", "no-store");
                return response;
              }});
}

// A drawing or page of a graph. `shared`: for the public routes, which must not be kept by caches
// once a link is revoked, nor leak their token to other sites.
Result<Response> GraphFileResponse(Result<analytics::GraphFile> file, bool shared) {
  if (!file) return Fail(file.error());
  Response response;
  response.body = std::move(file->bytes);
  response.SetHeader("Content-Type", file->content_type);
  if (!file->filename.empty()) {
    response.SetHeader("Content-Disposition",
                       fmt::format("inline; filename=\"{}\"", file->filename));
  }
  if (!file->content_security_policy.empty()) {
    response.SetHeader("Content-Security-Policy", file->content_security_policy);
  }
  response.SetHeader("X-Content-Type-Options", "nosniff");
  response.SetHeader("Cache-Control", shared ? "no-cache" : "private, no-cache");
  if (shared) {
    response.SetHeader("Referrer-Policy", "no-referrer");
    response.SetHeader("X-Robots-Tag", "noindex");
  }
  return response;
}

void AddGraphRoutes(Router& router, Services& services) {
  analytics::Graphs& graphs = services.graphs;
  AddOwnedRoutes(router, graphs, &analytics::Graphs::Run,
                 {.collection = "graphs",
                  .tag = "graphs",
                  .list = "The caller's graphs, newest first",
                  .create = "Create a graph of application dependencies; its build is queued",
                  .get = "One of the caller's graphs, with its status and metrics",
                  .patch = "Change a graph (JSON merge patch; If-Match); a new `from` rebuilds it",
                  .put = "Replace a graph (If-Match); a new `from` rebuilds it",
                  .remove = "Delete a graph, its drawing and its share links",
                  .run = "Build a graph again"});
  router.Add({.method = "GET",
              .pattern = "/api/graphs/:id/svg",
              .summary = "A graph's drawing as SVG (409 until it is built)",
              .tag = "graphs",
              .access = Access::kUser,
              .handler = [&](Request& r) {
                return GraphFileResponse(graphs.Svg(Caller(r).user_id, r.params.at("id")), false);
              }});
  router.Add({.method = "GET",
              .pattern = "/api/graphs/:id/png",
              .summary = "A graph's drawing as PNG (409 until it is built)",
              .tag = "graphs",
              .access = Access::kUser,
              .handler = [&](Request& r) {
                return GraphFileResponse(graphs.Png(Caller(r).user_id, r.params.at("id")), false);
              }});
  router.Add({.method = "GET",
              .pattern = "/api/graphs/:id/json",
              .summary = "A graph's nodes (with positions and servers) and edges (409 until built)",
              .tag = "graphs",
              .access = Access::kUser,
              .handler = [&](Request& r) {
                return Json(200, graphs.Layout(Caller(r).user_id, r.params.at("id")));
              }});
  router.Add({.method = "POST",
              .pattern = "/api/graphs/:id/share",
              .summary = "A public link to a graph's drawing: {url, token}",
              .tag = "graphs",
              .access = Access::kUser,
              .handler = [&](Request& r) {
                return Json(201, graphs.Share(Caller(r).user_id, r.params.at("id")));
              }});
  router.Add({.method = "DELETE",
              .pattern = "/api/graphs/:id/share",
              .summary = "Stop sharing a graph: every link given so far stops working",
              .tag = "graphs",
              .access = Access::kUser,
              .handler = [&](Request& r) {
                return NoContent(graphs.Unshare(Caller(r).user_id, r.params.at("id")));
              }});
  // No auth: the token in the path opens one graph's drawing, and nothing else.
  router.Add(
      {.method = "GET",
       .pattern = "/public/graphs/:token",
       .summary = "A shared graph: <token> an HTML page with the drawing, <token>.svg the SVG",
       .tag = "graphs",
       .handler = [&](Request& r) {
         return GraphFileResponse(graphs.Public(r.params.at("token")), true);
       }});
  router.Add({.method = "PUT",
              .pattern = "/api/dependencies",
              .summary = "Set the deps of many applications and the entries of a system at once",
              .tag = "inventory",
              .access = Access::kUser,
              .body = BodyKind::kJson,
              .handler = [&](Request& r) {
                return Json(200, services.dependencies.Set(Caller(r), r.Json()));
              }});
}

// The routes of one kind, from its registry entry: the same handlers for every kind.
void AddKindRoutes(Router& router, inventory::Records& records, const inventory::EntitySpec& spec) {
  const std::string base = "/api/" + spec.kind;
  const std::string& label = spec.label;
  const inventory::EntitySpec* kind = &spec;
  router.Add({.method = "GET",
              .pattern = base,
              .summary = "List " + label,
              .tag = spec.kind,
              .access = Access::kUser,
              .handler = [&records, kind](Request& r) -> Result<Response> {
                auto query = inventory::ParseListQuery(*kind, r.query);
                if (!query) return Fail(query.error());
                auto list = records.List(Caller(r), *kind, *query);
                if (!list) return Fail(list.error());
                return Response::JsonText(200, std::move(*list));
              }});
  router.Add({.method = "GET",
              .pattern = base + "/count",
              .summary = "Count " + label,
              .tag = spec.kind,
              .access = Access::kUser,
              .handler = [&records, kind](Request& r) -> Result<Response> {
                auto query = inventory::ParseListQuery(*kind, r.query);
                if (!query) return Fail(query.error());
                auto count = records.Count(Caller(r), *kind, *query);
                if (!count) return Fail(count.error());
                return Response::Json(200, {{"count", *count}});
              }});
  router.Add(
      {.method = "POST",
       .pattern = base,
       .summary = "Create a record of " + label,
       .tag = spec.kind,
       .access = Access::kUser,
       .body = BodyKind::kJson,
       .handler = [&records, kind](Request& r) -> Result<Response> {
         for (const auto& [name, value] : r.query) {
           if (name != "team") {
             return Fail(ErrorCode::kBadRequest,
                         fmt::format("unknown parameter '{}': only team is taken here", name));
           }
         }
         return RecordResponse(201, records.Create(Caller(r), *kind, r.Json(),
                                                   std::string(r.Query("team").value_or(""))));
       }});
  router.Add({.method = "GET",
              .pattern = base + "/:id",
              .summary = "Read a record of " + label,
              .tag = spec.kind,
              .access = Access::kUser,
              .handler = [&records, kind](Request& r) -> Result<Response> {
                auto shown = records.Show(Caller(r), *kind, r.params.at("id"));
                if (!shown) return Fail(shown.error());
                Response response = Response::JsonText(200, std::move(shown->json));
                SetVersion(response, shown->version);
                return response;
              }});
  for (const char* method : {"PATCH", "PUT"}) {
    const bool merge = std::string_view(method) == "PATCH";
    router.Add({.method = method,
                .pattern = base + "/:id",
                .summary = merge ? "Change a record of " + label + " (JSON merge patch)"
                                 : "Replace a record of " + label,
                .tag = spec.kind,
                .access = Access::kUser,
                .body = BodyKind::kJson,
                .handler = [&records, kind, merge](Request& r) -> Result<Response> {
                  auto version = IfMatch(r);
                  if (!version) return Fail(version.error());
                  const std::string& id = r.params.at("id");
                  return RecordResponse(
                      200, merge ? records.Patch(Caller(r), *kind, id, r.Json(), *version)
                                 : records.Replace(Caller(r), *kind, id, r.Json(), *version));
                }});
  }
  router.Add({.method = "DELETE",
              .pattern = base + "/:id",
              .summary = "Delete a record of " + label + " (restorable)",
              .tag = spec.kind,
              .access = Access::kUser,
              .handler = [&records, kind](Request& r) {
                return NoContent(records.Delete(Caller(r), *kind, r.params.at("id")));
              }});
  router.Add({.method = "GET",
              .pattern = base + "/:id/roles",
              .summary = "Roles on a record",
              .tag = spec.kind,
              .access = Access::kUser,
              .handler = [&records, kind](Request& r) {
                return Json(200, records.Roles(Caller(r), *kind, r.params.at("id")));
              }});
  router.Add({.method = "POST",
              .pattern = base + "/:id/roles",
              .summary = "Give a user or team a role on a record",
              .tag = spec.kind,
              .access = Access::kUser,
              .body = BodyKind::kJson,
              .handler = [&records, kind](Request& r) {
                return Json(201, records.AddRole(Caller(r), *kind, r.params.at("id"), r.Json()));
              }});
  router.Add({.method = "PUT",
              .pattern = base + "/:id/roles",
              .summary = "Replace the roles on a record",
              .tag = spec.kind,
              .access = Access::kUser,
              .body = BodyKind::kJson,
              .handler = [&records, kind](Request& r) {
                return Json(200,
                            records.ReplaceRoles(Caller(r), *kind, r.params.at("id"), r.Json()));
              }});
  router.Add({.method = "DELETE",
              .pattern = base + "/:id/roles/:type/:principal",
              .summary = "Remove a role from a record",
              .tag = spec.kind,
              .access = Access::kUser,
              .handler = [&records, kind](Request& r) {
                return NoContent(records.RemoveRole(Caller(r), *kind, r.params.at("id"),
                                                    r.params.at("type"), r.params.at("principal")));
              }});
  router.Add({.method = "GET",
              .pattern = base + "/:id/history",
              .summary = "Changes of a record, newest first",
              .tag = spec.kind,
              .access = Access::kUser,
              .handler = [&records, kind](Request& r) -> Result<Response> {
                auto paging = Paging(r);
                if (!paging) return Fail(paging.error());
                return Json(200, records.History(Caller(r), *kind, r.params.at("id"), paging->first,
                                                 paging->second));
              }});
  router.Add({.method = "GET",
              .pattern = base + "/:id/history/:version",
              .summary = "A record as it was at one version",
              .tag = spec.kind,
              .access = Access::kUser,
              .handler = [&records, kind](Request& r) -> Result<Response> {
                auto version = ParseWholeNumber(r.params.at("version"), 1, INT64_MAX);
                if (!version) {
                  return Fail(ErrorCode::kBadRequest, "the version must be a whole number from 1");
                }
                return Json(200,
                            records.HistoryVersion(Caller(r), *kind, r.params.at("id"), *version));
              }});
}

}  // namespace

void AddRoutes(Router& router, Services& services) {
  constexpr std::size_t kImportLimit = 50 * 1024 * 1024;
  auto& accounts = services.accounts;
  auto& teams = services.teams;
  constexpr std::size_t kUploadLimit = 3 * 1024 * 1024;  // a 2 MiB image and the form around it

  // Operations
  router.Add({.method = "GET",
              .pattern = "/health",
              .summary = "Liveness: the process answers",
              .tag = "operations",
              .handler = [&](Request&) { return Health(services); }});
  router.Add({.method = "GET",
              .pattern = "/ready",
              .summary = "Readiness: the database answers and the schema is current",
              .tag = "operations",
              .handler = [&](Request&) { return Ready(services); }});
  router.Add({.method = "GET",
              .pattern = "/metrics",
              .summary = "Prometheus metrics",
              .tag = "operations",
              .handler = [&](Request&) { return Metrics(services); }});

  // API
  router.Add({.method = "GET",
              .pattern = "/api",
              .summary = "Name, version and UI defaults of this server",
              .tag = "api",
              .handler = [&](Request&) { return ApiRoot(services); }});
  // The document is built once, on first use, when the table is complete.
  auto openapi = std::make_shared<std::pair<std::once_flag, std::string>>();
  router.Add({.method = "GET",
              .pattern = "/api/openapi.json",
              .summary = "This OpenAPI document",
              .tag = "api",
              .handler = [&router, &services, openapi](Request&) -> Result<Response> {
                std::call_once(openapi->first, [&] {
                  openapi->second = OpenApiDocument(router, services.info.version).dump();
                });
                return Response::Text(200, openapi->second, "application/json; charset=utf-8");
              }});

  // Identity
  router.Add({.method = "POST",
              .pattern = "/api/users",
              .summary = "Register a user",
              .tag = "identity",
              .access = Access::kOptionalUser,
              .body = BodyKind::kJson,
              .handler = [&](Request& r) {
                return Json(201,
                            accounts.Register(r.Json(), r.principal ? &*r.principal : nullptr));
              }});
  router.Add({.method = "GET",
              .pattern = "/api/users",
              .summary = "User directory (?q=)",
              .tag = "identity",
              .access = Access::kUser,
              .handler = [&](Request& r) {
                return Json(200, accounts.Directory(Caller(r), r.Query("q").value_or("")));
              }});
  router.Add(
      {.method = "POST",
       .pattern = "/api/auth/login",
       .summary = "Sign in: a token for the Authorization header",
       .tag = "identity",
       .body = BodyKind::kJson,
       .handler = [&](Request& r) { return Json(200, accounts.Login(r.Json(), r.remote)); }});
  router.Add({.method = "POST",
              .pattern = "/api/auth/forgot",
              .summary = "Mail a password-reset link",
              .tag = "identity",
              .body = BodyKind::kJson,
              .handler = [&](Request& r) -> Result<Response> {
                if (auto sent = accounts.Forgot(r.Json(), r.remote); !sent)
                  return Fail(sent.error());
                return Response::Json(202, {{"status", "accepted"}});
              }});
  router.Add({.method = "POST",
              .pattern = "/api/auth/reset",
              .summary = "Set a new password with a reset token",
              .tag = "identity",
              .body = BodyKind::kJson,
              .handler = [&](Request& r) { return NoContent(accounts.Reset(r.Json())); }});
  router.Add({.method = "GET",
              .pattern = "/api/me",
              .summary = "My profile",
              .tag = "identity",
              .access = Access::kUser,
              .handler = [&](Request& r) { return Json(200, accounts.Me(Caller(r))); }});
  router.Add(
      {.method = "PATCH",
       .pattern = "/api/me",
       .summary = "Change my profile",
       .tag = "identity",
       .access = Access::kUser,
       .body = BodyKind::kJson,
       .handler = [&](Request& r) { return Json(200, accounts.UpdateMe(Caller(r), r.Json())); }});
  router.Add({.method = "DELETE",
              .pattern = "/api/me",
              .summary = "Delete my account",
              .tag = "identity",
              .access = Access::kUser,
              .handler = [&](Request& r) { return NoContent(accounts.DeleteMe(Caller(r))); }});
  router.Add({.method = "PUT",
              .pattern = "/api/me/password",
              .summary = "Change my password",
              .tag = "identity",
              .access = Access::kUser,
              .body = BodyKind::kJson,
              .handler = [&](Request& r) {
                return NoContent(accounts.ChangePassword(Caller(r), r.Json()));
              }});
  router.Add({.method = "PUT",
              .pattern = "/api/me/avatar",
              .summary = "Upload my avatar",
              .tag = "identity",
              .access = Access::kUser,
              .body = BodyKind::kMultipart,
              .max_body = kUploadLimit,
              .handler = [&](Request& r) -> Result<Response> {
                auto file = UploadedFile(r);
                if (!file) return Fail(file.error());
                return Json(200, accounts.SetAvatar(Caller(r), *file));
              }});
  router.Add({.method = "GET",
              .pattern = "/api/avatars/:name",
              .summary = "An avatar image",
              .tag = "identity",
              .handler = [&](Request& r) { return AvatarFile(services, r); }});
  router.Add({.method = "GET",
              .pattern = "/api/me/tokens",
              .summary = "My API tokens",
              .tag = "identity",
              .access = Access::kUser,
              .handler = [&](Request& r) { return Json(200, accounts.ListTokens(Caller(r))); }});
  router.Add({.method = "POST",
              .pattern = "/api/me/tokens",
              .summary = "Create an API token (shown once)",
              .tag = "identity",
              .access = Access::kUser,
              .body = BodyKind::kJson,
              .handler = [&](Request& r) {
                return Json(201, accounts.CreateToken(Caller(r), r.Json()));
              }});
  router.Add({.method = "DELETE",
              .pattern = "/api/me/tokens/:id",
              .summary = "Revoke an API token",
              .tag = "identity",
              .access = Access::kUser,
              .handler = [&](Request& r) {
                return NoContent(accounts.RevokeToken(Caller(r), r.params.at("id")));
              }});

  // Teams
  router.Add({.method = "GET",
              .pattern = "/api/teams",
              .summary = "My teams",
              .tag = "teams",
              .access = Access::kUser,
              .handler = [&](Request& r) -> Result<Response> {
                auto paging = Paging(r);
                if (!paging) return Fail(paging.error());
                return Json(200, teams.List(Caller(r), paging->first, paging->second));
              }});
  router.Add({.method = "POST",
              .pattern = "/api/teams",
              .summary = "Create a team (I am its admin)",
              .tag = "teams",
              .access = Access::kUser,
              .body = BodyKind::kJson,
              .handler = [&](Request& r) { return Json(201, teams.Create(Caller(r), r.Json())); }});
  router.Add(
      {.method = "GET",
       .pattern = "/api/teams/:id",
       .summary = "A team with its members",
       .tag = "teams",
       .access = Access::kUser,
       .handler = [&](Request& r) { return Json(200, teams.Get(Caller(r), r.params.at("id"))); }});
  router.Add({.method = "PATCH",
              .pattern = "/api/teams/:id",
              .summary = "Change a team",
              .tag = "teams",
              .access = Access::kUser,
              .body = BodyKind::kJson,
              .handler = [&](Request& r) {
                return Json(200, teams.Update(Caller(r), r.params.at("id"), r.Json()));
              }});
  router.Add({.method = "DELETE",
              .pattern = "/api/teams/:id",
              .summary = "Delete a team",
              .tag = "teams",
              .access = Access::kUser,
              .handler = [&](Request& r) {
                return NoContent(teams.Delete(Caller(r), r.params.at("id")));
              }});
  router.Add({.method = "PUT",
              .pattern = "/api/teams/:id/avatar",
              .summary = "Upload a team avatar",
              .tag = "teams",
              .access = Access::kUser,
              .body = BodyKind::kMultipart,
              .max_body = kUploadLimit,
              .handler = [&](Request& r) -> Result<Response> {
                auto file = UploadedFile(r);
                if (!file) return Fail(file.error());
                return Json(200, teams.SetAvatar(Caller(r), r.params.at("id"), *file));
              }});
  router.Add({.method = "GET",
              .pattern = "/api/teams/:id/members",
              .summary = "Members of a team",
              .tag = "teams",
              .access = Access::kUser,
              .handler = [&](Request& r) {
                return Json(200, teams.Members(Caller(r), r.params.at("id")));
              }});
  router.Add({.method = "POST",
              .pattern = "/api/teams/:id/members",
              .summary = "Add a member",
              .tag = "teams",
              .access = Access::kUser,
              .body = BodyKind::kJson,
              .handler = [&](Request& r) {
                return Json(201, teams.AddMember(Caller(r), r.params.at("id"), r.Json()));
              }});
  router.Add({.method = "PATCH",
              .pattern = "/api/teams/:id/members/:user",
              .summary = "Change a member's role",
              .tag = "teams",
              .access = Access::kUser,
              .body = BodyKind::kJson,
              .handler = [&](Request& r) {
                return Json(200, teams.UpdateMember(Caller(r), r.params.at("id"),
                                                    r.params.at("user"), r.Json()));
              }});
  router.Add({.method = "DELETE",
              .pattern = "/api/teams/:id/members/:user",
              .summary = "Remove a member (or leave the team)",
              .tag = "teams",
              .access = Access::kUser,
              .handler = [&](Request& r) {
                return NoContent(
                    teams.RemoveMember(Caller(r), r.params.at("id"), r.params.at("user")));
              }});

  // Inventory: the kinds, then the same routes for every kind of the registry.
  router.Add({.method = "GET",
              .pattern = "/api/kinds",
              .summary = "The kinds of records, with their fields",
              .tag = "inventory",
              .handler = [&](Request&) -> Result<Response> {
                return Response::Json(200, services.registry.Describe());
              }});
  router.Add(
      {.method = "GET",
       .pattern = "/api/search",
       .summary = "Records of any kind whose names match q, best first",
       .tag = "inventory",
       .access = Access::kUser,
       .handler = [&](Request& r) -> Result<Response> {
         std::vector<std::string> kinds;
         int limit = 20;
         for (const auto& [name, value] : r.query) {
           if (name == "kinds") {
             for (std::size_t start = 0; start <= value.size();) {
               const auto comma = value.find(',', start);
               const auto end = comma == std::string::npos ? value.size() : comma;
               if (end > start) kinds.push_back(value.substr(start, end - start));
               start = end + 1;
             }
           } else if (name == "limit") {
             auto parsed = ParseWholeNumber(value, 1, 100);
             if (!parsed) {
               return Fail(ErrorCode::kBadRequest, "limit must be a whole number from 1 to 100");
             }
             limit = static_cast<int>(*parsed);
           } else if (name != "q") {
             return Fail(ErrorCode::kBadRequest,
                         fmt::format("unknown parameter '{}': use q, kinds and limit", name));
           }
         }
         auto found =
             services.search.Find(Caller(r), std::string(r.Query("q").value_or("")), kinds, limit);
         if (!found) return Fail(found.error());
         return Response::JsonText(200, std::move(*found));
       }});
  router.Add({.method = "GET",
              .pattern = "/api/options",
              .summary = "The global option lists",
              .tag = "inventory",
              .access = Access::kUser,
              .handler = [&](Request&) { return Json(200, services.options.All()); }});
  router.Add(
      {.method = "GET",
       .pattern = "/api/options/:key",
       .summary = "One global option list",
       .tag = "inventory",
       .access = Access::kUser,
       .handler = [&](Request& r) { return Json(200, services.options.Get(r.params.at("key"))); }});
  router.Add({.method = "PATCH",
              .pattern = "/api/options/:key",
              .summary = "Change a global option list (instance admins; JSON merge patch)",
              .tag = "inventory",
              .access = Access::kUser,
              .body = BodyKind::kJson,
              .handler = [&](Request& r) {
                return Json(200, services.options.Patch(Caller(r), r.params.at("key"), r.Json()));
              }});
  router.Add({.method = "POST",
              .pattern = "/api/import",
              .summary = "Import a JSON file (the original's format): upsert, per-record errors",
              .tag = "inventory",
              .access = Access::kUser,
              .max_body = kImportLimit,
              .handler = [&](Request& r) { return Import(services, r); }});
  router.Add({.method = "GET",
              .pattern = "/api/stats",
              .summary = "Figures for the dashboard",
              .tag = "inventory",
              .access = Access::kUser,
              .handler = [&](Request& r) { return Json(200, services.search.Stats(Caller(r))); }});
  AddJobRoutes(router, services);
  AddConnectionRoutes(router, services);
  AddReportRoutes(router, services);
  AddGraphRoutes(router, services);
  router.Add({.method = "GET",
              .pattern = "/api/providers",
              .summary = "The providers Maestro discovers from: credentials, resources, policy",
              .tag = "discovery",
              .access = Access::kUser,
              .handler = [](Request&) -> Result<Response> {
                return Response::Json(200, discovery::DescribeProviders());
              }});
  for (const auto& spec : services.registry.kinds()) AddKindRoutes(router, services.records, spec);

  // Web UI: static files with SPA fallback. Last, and the least specific pattern.
  router.Add({.method = "GET",
              .pattern = "/*",
              .summary = "The web UI",
              .tag = "web",
              .handler = [&](Request& request) { return WebUi(services, request); }});
}

}  // namespace maestro::http
