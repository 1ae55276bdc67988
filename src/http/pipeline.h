// Pipeline: what happens to every request between the socket and the handler, in one place —
// request id, CORS, body limit (413), routing (404/405), JSON parsing (400/415), the handler,
// the error envelope of API.md, metrics and the request log line. It never throws.
//
// Thread-safe: Handle() is called from every server thread at once.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "common/metrics.h"
#include "http/message.h"
#include "http/router.h"

namespace maestro::http {

struct PipelineSettings {
  std::size_t max_body = 10 * 1024 * 1024;  // MAESTRO_MAX_BODY; routes may raise their own limit
  std::vector<std::string> cors_origins;    // allowed Origin values; "*" allows any; empty = none
};

// Turns an Authorization header into the caller; errors are kUnauthorized with the reason.
using Authenticator = std::function<Result<auth::Principal>(std::string_view authorization)>;

class Pipeline {
 public:
  // Without an authenticator, routes that need a user answer 401.
  Pipeline(const Router& router, MetricsRegistry& metrics, PipelineSettings settings,
           Authenticator authenticator = {});

  Response Handle(Request& request);

  // While draining (shutdown), new requests are answered 503 with "Connection: close".
  void SetDraining(bool draining) { draining_ = draining; }
  // Requests inside Handle() right now.
  int in_flight() const { return in_flight_; }

 private:
  Response Dispatch(Request& request, std::string& route_label);
  void ApplyCors(const Request& request, Response& response) const;
  Status Authenticate(const Route& route, Request& request) const;

  const Router& router_;
  MetricsRegistry& metrics_;
  const PipelineSettings settings_;
  const Authenticator authenticator_;
  // The request counter and latency histogram of each (route, method, status) seen so far.
  struct RequestSeries {
    MetricsRegistry::SeriesRef count;
    MetricsRegistry::SeriesRef latency;
  };
  RequestSeries SeriesOf(const std::string& route, const std::string& method, int status);
  std::mutex series_mutex_;
  std::map<std::tuple<std::string, std::string, int>, RequestSeries> series_;
  std::atomic<bool> draining_ = false;
  std::atomic<int> in_flight_ = 0;
};

// The HTTP status of an error code: the only such mapping in the program.
int HttpStatus(ErrorCode code);
// The API error envelope {"error": {status, code, message, details}} for an error.
Response ErrorResponse(const Error& error);

}  // namespace maestro::http
