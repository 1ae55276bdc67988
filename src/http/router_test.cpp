#include "http/router.h"

#include <gtest/gtest.h>

namespace maestro::http {
namespace {

Route Named(std::string method, std::string pattern) {
  return Route{.method = std::move(method),
               .pattern = std::move(pattern),
               .summary = "",
               .tag = "test",
               .body = BodyKind::kNone,
               .max_body = 0,
               .handler = [](Request&) -> Result<Response> { return Response{}; }};
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.Add(Named("GET", "/api/servers"));
    router_.Add(Named("POST", "/api/servers"));
    router_.Add(Named("GET", "/api/servers/count"));
    router_.Add(Named("GET", "/api/servers/:id"));
    router_.Add(Named("GET", "/api/:kind/:id"));
    router_.Add(Named("GET", "/*"));
  }
  Router router_;
};

TEST_F(RouterTest, LiteralSegmentsBeatParameters) {
  auto match = router_.Match("GET", "/api/servers/count");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->pattern, "/api/servers/count");
}

TEST_F(RouterTest, CapturesParameters) {
  auto match = router_.Match("GET", "/api/servers/01J9");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->pattern, "/api/servers/:id");
  EXPECT_EQ(match.params.at("id"), "01J9");

  auto generic = router_.Match("GET", "/api/clients/42");
  ASSERT_NE(generic.route, nullptr);
  EXPECT_EQ(generic.route->pattern, "/api/:kind/:id");
  EXPECT_EQ(generic.params.at("kind"), "clients");
}

TEST_F(RouterTest, WildcardTakesTheRestOfThePath) {
  auto match = router_.Match("GET", "/inventory/servers/x");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->pattern, "/*");
  EXPECT_EQ(match.params.at("*"), "inventory/servers/x");
}

TEST_F(RouterTest, ListsAllowedMethodsWhenOnlyTheMethodIsWrong) {
  auto match = router_.Match("DELETE", "/api/servers");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_EQ(match.allowed, (std::vector<std::string>{"GET", "POST"}));
}

TEST_F(RouterTest, HeadMatchesGetRoutes) {
  auto match = router_.Match("HEAD", "/api/servers");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->method, "GET");
}

TEST_F(RouterTest, EmptySegmentsDoNotFillParameters) {
  auto match = router_.Match("GET", "/api/servers/");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->pattern, "/*") << "'/api/servers/' must not match ':id' with ''";
}

}  // namespace
}  // namespace maestro::http
