#include "http/routes.h"

#include <fmt/format.h>

#include <mutex>
#include <nlohmann/json.hpp>

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
  return Response::Json(ready ? 200 : 503,
                        {{"status", ready ? "ready" : "unavailable"}, {"database", database}});
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

}  // namespace

void AddRoutes(Router& router, Services& services) {
  // Operations
  router.Add({"GET", "/health", "Liveness: the process answers", "operations", BodyKind::kNone, 0,
              [&](Request&) { return Health(services); }});
  router.Add({"GET", "/ready", "Readiness: the database answers and the schema is current",
              "operations", BodyKind::kNone, 0, [&](Request&) { return Ready(services); }});
  router.Add({"GET", "/metrics", "Prometheus metrics", "operations", BodyKind::kNone, 0,
              [&](Request&) { return Metrics(services); }});

  // API
  router.Add({"GET", "/api", "Name, version and UI defaults of this server", "api", BodyKind::kNone,
              0, [&](Request&) { return ApiRoot(services); }});
  // The document is built once, on first use, when the table is complete.
  auto openapi = std::make_shared<std::pair<std::once_flag, std::string>>();
  router.Add({"GET", "/api/openapi.json", "This OpenAPI document", "api", BodyKind::kNone, 0,
              [&router, &services, openapi](Request&) -> Result<Response> {
                std::call_once(openapi->first, [&] {
                  openapi->second = OpenApiDocument(router, services.info.version).dump();
                });
                return Response::Text(200, openapi->second, "application/json; charset=utf-8");
              }});

  // Web UI: static files with SPA fallback. Last, and the least specific pattern.
  router.Add({"GET", "/*", "The web UI", "web", BodyKind::kNone, 0,
              [&](Request& request) { return WebUi(services, request); }});
}

}  // namespace maestro::http
