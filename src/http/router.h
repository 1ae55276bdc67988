// Router: the table of every route of the API, and matching of a method + path against it.
// Built once at start (AddRoutes in routes.cpp), then only read: thread-safe for matching.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "http/message.h"

namespace maestro::http {

using Handler = std::function<Result<Response>(Request&)>;

enum class BodyKind {
  kNone,       // a body is ignored
  kJson,       // the pipeline parses it; malformed -> 400, other content types -> 415
  kMultipart,  // multipart/form-data, parsed into Request::form; other types -> 415
};

enum class Access {
  kPublic,        // anyone; an Authorization header is not even read
  kUser,          // a signed-in user (Request::principal is set), else 401
  kOptionalUser,  // anyone, but a valid Authorization header sets Request::principal
};

struct Route {
  std::string method;   // GET, POST, PUT, PATCH, DELETE
  std::string pattern;  // "/api/things/:id"; a last segment "*" matches the rest of the path
  std::string summary;  // one line for the OpenAPI document
  std::string tag;      // OpenAPI grouping: "operations", "web", …
  Access access = Access::kPublic;
  BodyKind body = BodyKind::kNone;
  std::size_t max_body = 0;  // bytes; 0 = the server-wide MAESTRO_MAX_BODY
  Handler handler;
};

struct RouteMatch {
  const Route* route = nullptr;  // null when nothing matched
  std::map<std::string, std::string> params;
  std::vector<std::string> allowed;  // methods of routes matching the path (for 405)
};

class Router {
 public:
  void Add(Route route);
  // The most specific route for the path (literal segments beat parameters beat "*"). HEAD
  // matches GET routes.
  RouteMatch Match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> segments_;  // per route
  // Routes by their leading literal segments ("api/servers", or "health" for one-segment
  // patterns); routes with a parameter or "*" among the first two segments are in `others_`.
  // Matching then looks at a dozen routes, not all of them.
  std::unordered_map<std::string, std::vector<std::size_t>> by_prefix_;
  std::vector<std::size_t> others_;
};

}  // namespace maestro::http
