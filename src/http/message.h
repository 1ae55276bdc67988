// Request and Response: the HTTP library-neutral messages every handler sees. Only server.cpp
// knows RESTinio; everything else in http/ (and its tests) works on these plain values.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/principal.h"
#include "common/error.h"
#include "http/multipart.h"

namespace maestro::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;        // upper case: GET, POST, …
  std::string path;          // percent-decoded path, without the query
  std::string query_string;  // raw text after '?'
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order; keys may repeat
  HeaderList headers;                                      // names in lower case
  std::string body;
  std::string remote;  // peer address

  // Filled by the pipeline before the handler runs.
  std::string id;                              // request id (X-Request-Id)
  std::map<std::string, std::string> params;   // path parameters (":id" -> value)
  std::shared_ptr<const nlohmann::json> json;  // parsed body, for routes taking JSON
  std::vector<FormPart> form;                  // parts, for routes taking multipart
  std::optional<auth::Principal> principal;    // the caller, for routes with access

  std::optional<std::string_view> Header(std::string_view lower_name) const;
  std::optional<std::string_view> Query(std::string_view name) const;
  // The parsed JSON body. REQUIRES: the route declares a JSON body (then json is set).
  const nlohmann::json& Json() const { return *json; }
};

struct Response {
  int status = 200;
  HeaderList headers;
  std::string body;
  // A file to send as the body instead (large exports): the server opens it, removes it from the
  // directory, and sends it from the open file. Empty = `body`.
  std::string file;

  // Replaces a header of the same name (case-insensitive) or adds it.
  void SetHeader(std::string_view name, std::string value);
  std::optional<std::string_view> Header(std::string_view name) const;

  static Response Json(int status, const nlohmann::json& body);
  // A body already serialised as JSON.
  static Response JsonText(int status, std::string body);
  static Response Text(int status, std::string body, std::string content_type);
};

// Percent-decodes URL text; `plus_is_space` for query strings. nullopt on a bad escape.
std::optional<std::string> DecodePercent(std::string_view text, bool plus_is_space);
// Splits "a=1&b=x%20y" into decoded pairs. kBadRequest naming the parameter on a bad escape.
Result<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view text);

}  // namespace maestro::http
