#include "http/openapi.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace maestro::http {
namespace {

// "/api/things/:id" -> "/api/things/{id}", collecting the parameter names.
std::string OpenApiPath(const std::string& pattern, std::vector<std::string>& params) {
  std::string out;
  std::size_t start = 0;
  while (start < pattern.size()) {
    auto slash = pattern.find('/', start + 1);
    if (slash == std::string::npos) slash = pattern.size();
    std::string segment = pattern.substr(start + 1, slash - start - 1);
    if (segment.starts_with(':')) {
      params.push_back(segment.substr(1));
      segment = "{" + segment.substr(1) + "}";
    }
    out += "/" + segment;
    start = slash;
  }
  return out.empty() ? "/" : out;
}

std::string OperationId(const std::string& method, const std::string& path) {
  std::string id;
  for (char c : method) id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool upper = true;
  for (char c : path) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      id += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    } else {
      upper = true;
    }
  }
  return id;
}

}  // namespace

nlohmann::json OpenApiDocument(const Router& router, std::string_view version) {
  using nlohmann::json;
  json paths = json::object();
  for (const Route& route : router.routes()) {
    if (route.pattern.find('*') != std::string::npos) continue;  // the web UI's catch-all
    std::vector<std::string> names;
    const std::string path = OpenApiPath(route.pattern, names);
    std::string method = route.method;
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    json operation = {
        {"operationId", OperationId(route.method, path)},
        {"summary", route.summary},
        {"tags", json::array({route.tag})},
        {"responses",
         {{"200", {{"description", "Success"}}},
          {"default", {{"$ref", "#/components/responses/Error"}}}}},
    };
    if (!names.empty()) {
      json parameters = json::array();
      for (const auto& name : names) {
        parameters.push_back(
            {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
      }
      operation["parameters"] = std::move(parameters);
    }
    if (route.body == BodyKind::kJson) {
      operation["requestBody"] = {
          {"required", true},
          {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    }
    if (route.body == BodyKind::kMultipart) {
      operation["requestBody"] = {
          {"required", true},
          {"content",
           {{"multipart/form-data",
             {{"schema",
               {{"type", "object"},
                {"properties", {{"file", {{"type", "string"}, {"format", "binary"}}}}}}}}}}}};
    }
    if (route.access == Access::kUser)
      operation["security"] = json::array({{{"bearer", json::array()}}});
    paths[path][method] = std::move(operation);
  }
  return {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "Maestro API"},
        {"version", version},
        {"description", "Cloud inventory and CMDB. Generated from the server's route table."}}},
      {"paths", std::move(paths)},
      {"components",
       {{"schemas",
         {{"Error",
           {{"type", "object"},
            {"required", json::array({"error"})},
            {"properties",
             {{"error",
               {{"type", "object"},
                {"required", json::array({"status", "code", "message", "details"})},
                {"properties",
                 {{"status", {{"type", "integer"}}},
                  {"code", {{"type", "string"}}},
                  {"message", {{"type", "string"}}},
                  {"details",
                   {{"type", "array"},
                    {"items",
                     {{"type", "object"},
                      {"properties",
                       {{"field", {{"type", "string"}}},
                        {"problem", {{"type", "string"}}}}}}}}}}}}}}}}}}},
        {"securitySchemes",
         {{"bearer",
           {{"type", "http"},
            {"scheme", "bearer"},
            {"description", "A login token (POST /api/auth/login) or an mst_ API token"}}}}},
        {"responses",
         {{"Error",
           {{"description", "An error, in the one envelope every endpoint uses"},
            {"content",
             {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}}}}}}},
  };
}

}  // namespace maestro::http
