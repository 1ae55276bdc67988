#include "http/pipeline.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/ids.h"
#include "common/json_util.h"

namespace maestro::http {
namespace {

bool IsSafeRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

bool IsJsonContentType(std::string_view type) {
  const auto semicolon = type.find(';');
  std::string_view media = type.substr(0, semicolon);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  if (media == "application/json") return true;
  return media.starts_with("application/") && media.ends_with("+json");
}

}  // namespace

int HttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest:
      return 400;
    case ErrorCode::kUnauthorized:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kPreconditionFailed:
      return 412;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kUnsupportedMediaType:
      return 415;
    case ErrorCode::kValidationFailed:
      return 422;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

Response ErrorResponse(const Error& error) {
  nlohmann::json details = nlohmann::json::array();
  for (const auto& field : error.fields) {
    details.push_back({{"field", field.field}, {"problem", field.problem}});
  }
  const int status = HttpStatus(error.code);
  Response response = Response::Json(status, {{"error",
                                               {{"status", status},
                                                {"code", CodeName(error.code)},
                                                {"message", error.message},
                                                {"details", std::move(details)}}}});
  if (error.code == ErrorCode::kRateLimited && error.retry_after_s > 0) {
    response.SetHeader("Retry-After", std::to_string(error.retry_after_s));
  }
  return response;
}

Pipeline::Pipeline(const Router& router, MetricsRegistry& metrics, PipelineSettings settings,
                   Authenticator authenticator)
    : router_(router),
      metrics_(metrics),
      settings_(std::move(settings)),
      authenticator_(std::move(authenticator)) {
  metrics_.Describe("maestro_http_requests_total", MetricType::kCounter,
                    "HTTP requests answered, by route, method and status.");
  metrics_.Describe("maestro_http_request_duration_seconds", MetricType::kHistogram,
                    "Time to answer HTTP requests, by route, method and status.");
}

Response Pipeline::Handle(Request& request) {
  const auto started = std::chrono::steady_clock::now();
  ++in_flight_;
  auto incoming_id = request.Header("x-request-id");
  request.id = incoming_id && IsSafeRequestId(*incoming_id) ? std::string(*incoming_id) : NewId();

  std::string route_label = "unmatched";
  Response response;
  try {
    response = Dispatch(request, route_label);
  } catch (const std::exception& e) {
    spdlog::error("request {} {} {} failed: {}", request.id, request.method, request.path,
                  e.what());
    response = ErrorResponse(
        {ErrorCode::kInternal,
         "internal error; the server log has details under request id " + request.id});
  } catch (...) {
    spdlog::error("request {} {} {} failed with an unknown exception", request.id, request.method,
                  request.path);
    response = ErrorResponse(
        {ErrorCode::kInternal,
         "internal error; the server log has details under request id " + request.id});
  }
  response.SetHeader("X-Request-Id", request.id);
  ApplyCors(request, response);
  if (request.method == "HEAD") {
    response.body.clear();
    if (!response.file.empty()) {
      std::remove(response.file.c_str());
      response.file.clear();
    }
  }

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const RequestSeries series = SeriesOf(route_label, request.method, response.status);
  metrics_.Add(series.count);
  metrics_.Observe(series.latency, seconds);
  // The query string is never logged: it may carry tokens.
  spdlog::info("{} {} {} {} {:.3f}ms", request.id, request.method, request.path, response.status,
               seconds * 1000);
  --in_flight_;
  return response;
}

Response Pipeline::Dispatch(Request& request, std::string& route_label) {
  if (draining_) {
    Response response = ErrorResponse({ErrorCode::kUnavailable, "the server is shutting down"});
    response.SetHeader("Connection", "close");
    return response;
  }
  if (request.method == "OPTIONS" && request.Header("access-control-request-method")) {
    route_label = "cors-preflight";
    Response response;
    response.status = 204;
    return response;  // ApplyCors adds the allow headers when the origin is allowed
  }

  RouteMatch match = router_.Match(request.method, request.path);
  if (match.route == nullptr) {
    if (!match.allowed.empty()) {
      std::string allow;
      for (const auto& method : match.allowed) allow += (allow.empty() ? "" : ", ") + method;
      Response response = ErrorResponse(
          {ErrorCode::kMethodNotAllowed, fmt::format("{} is not allowed on {}; allowed: {}",
                                                     request.method, request.path, allow)});
      response.SetHeader("Allow", allow);
      return response;
    }
    return ErrorResponse({ErrorCode::kNotFound, fmt::format("no route for {}", request.path)});
  }
  const Route& route = *match.route;
  route_label = route.pattern;
  request.params = std::move(match.params);

  const std::size_t limit = route.max_body != 0 ? route.max_body : settings_.max_body;
  if (request.body.size() > limit) {
    return ErrorResponse({ErrorCode::kPayloadTooLarge,
                          fmt::format("the request body has {} bytes; the limit is {} bytes",
                                      request.body.size(), limit)});
  }
  if (auto authenticated = Authenticate(route, request); !authenticated) {
    Response response = ErrorResponse(authenticated.error());
    if (response.status == 401) response.SetHeader("WWW-Authenticate", "Bearer");
    return response;
  }
  if (route.body == BodyKind::kMultipart) {
    auto type = request.Header("content-type");
    if (!type || !type->starts_with("multipart/form-data")) {
      return ErrorResponse(
          {ErrorCode::kUnsupportedMediaType, "send the file as multipart/form-data"});
    }
    auto parts = ParseMultipart(*type, request.body);
    if (!parts) return ErrorResponse(parts.error());
    request.form = std::move(*parts);
  }
  if (route.body == BodyKind::kJson) {
    if (request.body.empty()) {
      return ErrorResponse({ErrorCode::kBadRequest, "a JSON body is required"});
    }
    auto type = request.Header("content-type");
    if (!type || !IsJsonContentType(*type)) {
      return ErrorResponse({ErrorCode::kUnsupportedMediaType,
                            "send the body as JSON with Content-Type: application/json"});
    }
    auto parsed = ParseJson(request.body);
    if (!parsed) return ErrorResponse(parsed.error());
    request.json = std::make_shared<const nlohmann::json>(std::move(*parsed));
  }

  auto result = route.handler(request);
  if (!result) return ErrorResponse(result.error());
  return std::move(*result);
}

Pipeline::RequestSeries Pipeline::SeriesOf(const std::string& route, const std::string& method,
                                           int status) {
  auto key = std::make_tuple(route, method, status);
  std::lock_guard lock(series_mutex_);
  auto it = series_.find(key);
  if (it == series_.end()) {
    RequestSeries found{
        .count = metrics_.Find(
            "maestro_http_requests_total",
            {{"route", route}, {"method", method}, {"status", std::to_string(status)}},
            MetricType::kCounter),
        .latency = metrics_.Find(
            "maestro_http_request_duration_seconds",
            {{"route", route}, {"method", method}, {"status", std::to_string(status)}},
            MetricType::kHistogram)};
    it = series_.emplace(std::move(key), found).first;
  }
  return it->second;
}

Status Pipeline::Authenticate(const Route& route, Request& request) const {
  if (route.access == Access::kPublic) return {};
  auto header = request.Header("authorization");
  if (!header) {
    if (route.access == Access::kOptionalUser) return {};
    return Fail(ErrorCode::kUnauthorized, "sign in first: send 'Authorization: Bearer <token>'");
  }
  if (!authenticator_) return Fail(ErrorCode::kUnauthorized, "this server has no sign-in");
  auto principal = authenticator_(*header);
  if (!principal) return Fail(principal.error());
  request.principal = std::move(*principal);
  return {};
}

void Pipeline::ApplyCors(const Request& request, Response& response) const {
  auto origin = request.Header("origin");
  if (!origin || settings_.cors_origins.empty()) return;
  bool allowed = false;
  for (const auto& candidate : settings_.cors_origins) {
    if (candidate == "*" || candidate == *origin) allowed = true;
  }
  if (!allowed) return;
  response.SetHeader("Access-Control-Allow-Origin", std::string(*origin));
  response.SetHeader("Vary", "Origin");
  response.SetHeader("Access-Control-Expose-Headers", "ETag, Location, X-Request-Id, Retry-After");
  if (response.status == 204 && request.method == "OPTIONS") {
    response.SetHeader("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
    response.SetHeader("Access-Control-Allow-Headers",
                       "Authorization, Content-Type, If-Match, If-None-Match, X-Request-Id");
    response.SetHeader("Access-Control-Max-Age", "600");
  }
}

}  // namespace maestro::http
