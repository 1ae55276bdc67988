#include "http/openapi.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

namespace maestro::http {
namespace {

TEST(OpenApiDocumentTest, DescribesEveryRouteOfTheTableButTheWebCatchAll) {
  Router router;
  auto ok = [](Request&) -> Result<Response> { return Response{}; };
  router.Add({.method = "GET",
              .pattern = "/api/things",
              .summary = "List things",
              .tag = "things",
              .body = BodyKind::kNone,
              .max_body = 0,
              .handler = ok});
  router.Add({.method = "POST",
              .pattern = "/api/things",
              .summary = "Create a thing",
              .tag = "things",
              .body = BodyKind::kJson,
              .max_body = 0,
              .handler = ok});
  router.Add({.method = "GET",
              .pattern = "/api/things/:id",
              .summary = "Read a thing",
              .tag = "things",
              .body = BodyKind::kNone,
              .max_body = 0,
              .handler = ok});
  router.Add({.method = "GET",
              .pattern = "/*",
              .summary = "web",
              .tag = "web",
              .body = BodyKind::kNone,
              .max_body = 0,
              .handler = ok});

  const auto doc = OpenApiDocument(router, "9.9.9");
  EXPECT_EQ(doc["openapi"], "3.0.3");
  EXPECT_EQ(doc["info"]["version"], "9.9.9");
  EXPECT_EQ(doc["paths"].size(), 2u);
  const auto& read = doc["paths"]["/api/things/{id}"]["get"];
  EXPECT_EQ(read["summary"], "Read a thing");
  EXPECT_EQ(read["parameters"][0]["name"], "id");
  EXPECT_EQ(read["parameters"][0]["in"], "path");
  EXPECT_TRUE(doc["paths"]["/api/things"]["post"].contains("requestBody"));
  EXPECT_FALSE(doc["paths"]["/api/things"]["get"].contains("requestBody"));

  std::set<std::string> ids;
  for (const auto& [path, methods] : doc["paths"].items()) {
    for (const auto& [method, operation] : methods.items()) {
      EXPECT_TRUE(ids.insert(operation["operationId"].get<std::string>()).second);
    }
  }
}

}  // namespace
}  // namespace maestro::http
