// Relations between records over HTTP, on both backends: one set of edges seen from both sides,
// names always current, deleted records hidden, and nothing shown or linked that the caller
// cannot read.
#include <gtest/gtest.h>

#include "support/api_client.h"
#include "support/test_server.h"

namespace maestro {
namespace {

using nlohmann::json;
using store::Backend;
using testing::ApiClient;

class RelationsHttpTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started());
    alice_ = api_->SignUp("alice");
  }

  std::string Create(const std::string& kind, const json& doc, const std::string& token = {}) {
    auto reply = api_->Call("POST", "/api/" + kind, token.empty() ? alice_.token : token, doc);
    EXPECT_EQ(reply.status, 201) << reply.body;
    return ApiClient::Body(reply).value("id", "");
  }
  json Get(const std::string& kind, const std::string& id, const std::string& token = {}) {
    return ApiClient::Body(
        api_->Call("GET", "/api/" + kind + "/" + id, token.empty() ? alice_.token : token));
  }
  testing::HttpReply Patch(const std::string& kind, const std::string& id, const json& patch,
                           const std::string& token = {}) {
    return api_->Call("PATCH", "/api/" + kind + "/" + id, token.empty() ? alice_.token : token,
                      patch);
  }

  testing::TestServer server_{GetParam()};
  testing::ApiClient* api_ = &server_.api();
  ApiClient::User alice_;
};

TEST_P(RelationsHttpTest, BothSidesShowTheSameEdges) {
  const std::string web = Create("servers", {{"hostname", "web-1"}});
  const std::string db = Create("servers", {{"hostname", "db-1"}});
  const std::string shop =
      Create("applications", {{"name", "shop"}, {"family", "Application"}, {"servers", {web, db}}});
  EXPECT_EQ(Get("applications", shop)["servers"],
            json::parse(R"([{"id":")" + db + R"(","name":"db-1"},{"id":")" + web +
                        R"(","name":"web-1"}])"));
  EXPECT_EQ(Get("servers", web)["applications"], json::array({{{"id", shop}, {"name", "shop"}}}));

  // Written from the other side: the same edge goes.
  ASSERT_EQ(Patch("servers", web, {{"applications", json::array()}}).status, 200);
  EXPECT_EQ(Get("applications", shop)["servers"], json::array({{{"id", db}, {"name", "db-1"}}}));
  // Items may be ids or the {id, name} objects reads show.
  ASSERT_EQ(
      Patch("servers", web, {{"applications", json::array({{{"id", shop}, {"name", "whatever"}}})}})
          .status,
      200);
  EXPECT_EQ(Get("applications", shop)["servers"].size(), 2u);
}

TEST_P(RelationsHttpTest, RenamesShowEverywhereAndDeletedRecordsHideUntilRestored) {
  const std::string web = Create("servers", {{"hostname", "web-1"}});
  const std::string shop =
      Create("applications", {{"name", "shop"}, {"family", "Application"}, {"servers", {web}}});
  ASSERT_EQ(Patch("servers", web, {{"hostname", "web-renamed"}}).status, 200);
  EXPECT_EQ(Get("applications", shop)["servers"][0]["name"], "web-renamed");
  ASSERT_EQ(api_->Call("DELETE", "/api/servers/" + web, alice_.token).status, 204);
  EXPECT_TRUE(Get("applications", shop)["servers"].empty());
  ASSERT_EQ(Patch("servers", web, {{"active", true}}).status, 200);
  EXPECT_EQ(Get("applications", shop)["servers"].size(), 1u);
}

TEST_P(RelationsHttpTest, NeverShowsOrLinksWhatTheCallerCannotRead) {
  const auto bob = api_->SignUp("bob");
  const std::string mine = Create("servers", {{"hostname", "alice-public"}});
  const std::string secret = Create("servers", {{"hostname", "alice-secret"}});
  const std::string bobs = Create("servers", {{"hostname", "bob-1"}}, bob.token);
  // Alice cannot link a record she cannot read.
  auto refused =
      api_->Call("POST", "/api/applications", alice_.token,
                 {{"name", "app"}, {"family", "Application"}, {"servers", {mine, bobs}}});
  ASSERT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(ApiClient::Body(refused)["error"]["details"][0]["field"], "servers.1");

  const std::string app = Create(
      "applications", {{"name", "app"}, {"family", "Application"}, {"servers", {mine, secret}}});
  for (const std::string& id : {app, mine}) {
    const std::string kind = id == app ? "applications" : "servers";
    ASSERT_EQ(api_->Call("POST", "/api/" + kind + "/" + id + "/roles", alice_.token,
                         {{"type", "user"}, {"id", bob.id}, {"role", "write"}})
                  .status,
              201);
  }
  // Bob sees only the server he may read, and replacing the list keeps the edge he cannot see.
  EXPECT_EQ(Get("applications", app, bob.token)["servers"],
            json::array({{{"id", mine}, {"name", "alice-public"}}}));
  ASSERT_EQ(Patch("applications", app, {{"servers", json::array()}}, bob.token).status, 200);
  EXPECT_EQ(Get("applications", app)["servers"],
            json::array({{{"id", secret}, {"name", "alice-secret"}}}));
}

TEST_P(RelationsHttpTest, DependenciesCarryTheirProtocol) {
  const std::string api = Create("applications", {{"name", "api"}, {"family", "Application"}});
  const std::string queue = Create("applications", {{"name", "queue"}, {"family", "Broker"}});
  const std::string web =
      Create("applications", {{"name", "web"},
                              {"family", "Application"},
                              {"deps",
                               {{{"app", api}, {"via", "rest"}, {"endpoint", "/v1"}},
                                {{"app", queue}, {"via", "amqp"}}}}});
  const json deps = Get("applications", web)["deps"];
  ASSERT_EQ(deps.size(), 2u);
  EXPECT_EQ(deps[0],
            json({{"app", {{"id", api}, {"name", "api"}}}, {"via", "rest"}, {"endpoint", "/v1"}}));
  EXPECT_EQ(deps[1]["via"], "amqp");
  auto bad = Patch("applications", web, {{"deps", {{{"app", api}, {"protocol", "rest"}}}}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(ApiClient::Body(bad)["error"]["details"][0]["field"], "deps.0.protocol");
  auto self = Patch("applications", web, {{"deps", {{{"app", web}}}}});
  EXPECT_EQ(self.status, 422) << "an application does not depend on itself";
}

TEST_P(RelationsHttpTest, TargetsTakeServersOrApplicationsOnly) {
  const std::string server = Create("servers", {{"hostname", "node-1"}});
  const std::string app = Create("applications", {{"name", "backend"}, {"family", "Application"}});
  const std::string dc = Create("datacenters", {{"name", "dc"}, {"provider", "AWS"}});
  const std::string lb = Create(
      "applications", {{"name", "lb"}, {"family", "Loadbalance"}, {"targets", {server, app}}});
  const json targets = Get("applications", lb)["targets"];
  EXPECT_EQ(targets, json({{{"id", app}, {"name", "backend"}, {"kind", "applications"}},
                           {{"id", server}, {"name", "node-1"}, {"kind", "servers"}}}))
      << "each target says its kind, so the UI can link it";
  // What a read shows can be written back as it is.
  auto same = Patch("applications", lb, {{"targets", targets}});
  EXPECT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(Get("applications", lb)["targets"], targets);
  EXPECT_EQ(Patch("applications", lb, {{"targets", {dc}}}).status, 422);
  EXPECT_EQ(Patch("applications", lb, {{"targets", "node-1"}}).status, 422);
}

TEST_P(RelationsHttpTest, SystemsClientsAndEntries) {
  const std::string client = Create("clients", {{"name", "Acme"}});
  const std::string app = Create("applications", {{"name", "portal"}, {"family", "Application"}});
  const std::string system =
      Create("systems", {{"name", "Sales"}, {"clients", {client}}, {"entries", {app}}});
  ASSERT_EQ(Patch("applications", app, {{"systems", {system}}}).status, 200);
  EXPECT_EQ(Get("clients", client)["systems"], json::array({{{"id", system}, {"name", "Sales"}}}));
  const json sales = Get("systems", system);
  EXPECT_EQ(sales["entries"], json::array({{{"id", app}, {"name", "portal"}}}));
  EXPECT_EQ(sales["applications"], json::array({{{"id", app}, {"name", "portal"}}}));
  // The kinds endpoint describes relation fields for the UI.
  const json kinds = ApiClient::Body(api_->Call("GET", "/api/kinds"));
  bool found = false;
  for (const auto& kind : kinds["kinds"]) {
    if (kind["kind"] != "applications") continue;
    for (const auto& field : kind["fields"]) {
      if (field["name"] == "deps") {
        found = true;
        EXPECT_EQ(field["type"], "relation");
        EXPECT_EQ(field["id_key"], "app");
      }
    }
  }
  EXPECT_TRUE(found);
}

INSTANTIATE_TEST_SUITE_P(Backends, RelationsHttpTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace maestro
