// Search across kinds and the dashboard figures over HTTP, on both backends: ranking, and only
// what the caller can read.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "common/clock.h"
#include "inventory/records.h"
#include "support/api_client.h"
#include "support/test_server.h"

namespace maestro {
namespace {

using nlohmann::json;
using store::Backend;

class SearchHttpTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.started()); }

  std::string Create(const std::string& token, const std::string& kind, const json& doc) {
    auto reply = api_->Call("POST", "/api/" + kind, token, doc);
    EXPECT_EQ(reply.status, 201) << reply.body;
    return testing::ApiClient::Body(reply).value("id", "");
  }

  testing::TestServer server_{GetParam()};
  testing::ApiClient* api_ = &server_.api();
};

TEST_P(SearchHttpTest, RanksExactThenPrefixThenContainsAcrossKinds) {
  const auto alice = api_->SignUp("alice");
  Create(alice.token, "servers", {{"hostname", "db-web"}});
  Create(alice.token, "applications", {{"name", "web"}, {"family", "Application"}});
  Create(alice.token, "servers", {{"hostname", "web-01"}});
  Create(alice.token, "clients", {{"name", "Acme"}});
  auto reply = api_->Call("GET", "/api/search?q=WEB", alice.token);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json items = testing::ApiClient::Body(reply)["items"];
  ASSERT_EQ(items.size(), 3u) << reply.body;
  EXPECT_EQ(items[0]["name"], "web");
  EXPECT_EQ(items[0]["kind"], "applications");
  EXPECT_EQ(items[0]["match"], "exact");
  EXPECT_EQ(items[1]["name"], "web-01");
  EXPECT_EQ(items[1]["match"], "prefix");
  EXPECT_EQ(items[2]["name"], "db-web");
  EXPECT_EQ(items[2]["match"], "contains");

  auto servers_only = api_->Call("GET", "/api/search?q=web&kinds=servers", alice.token);
  EXPECT_EQ(testing::ApiClient::Body(servers_only)["items"].size(), 2u);
  EXPECT_EQ(api_->Call("GET", "/api/search?q=web&kinds=planets", alice.token).status, 400);
  EXPECT_EQ(api_->Call("GET", "/api/search", alice.token).status, 400);
  EXPECT_EQ(api_->Call("GET", "/api/search?q=x&limit=0", alice.token).status, 400);
}

TEST_P(SearchHttpTest, FindsAndCountsOnlyReadableRecords) {
  const auto alice = api_->SignUp("alice");
  const auto bob = api_->SignUp("bob");
  const std::string dc =
      Create(alice.token, "datacenters", {{"name", "eu-1"}, {"provider", "AWS"}});
  Create(alice.token, "servers",
         {{"hostname", "secret-host"},
          {"os", {{"base", "Linux"}}},
          {"environment", "Production"},
          {"datacenter", {{"id", dc}, {"region", "eu-west-1"}}}});
  Create(bob.token, "servers", {{"hostname", "bob-host"}, {"os", {{"base", "Windows"}}}});

  EXPECT_TRUE(
      testing::ApiClient::Body(api_->Call("GET", "/api/search?q=secret", bob.token))["items"]
          .empty());
  EXPECT_EQ(
      testing::ApiClient::Body(api_->Call("GET", "/api/search?q=secret", alice.token))["items"]
          .size(),
      1u);

  const json stats = testing::ApiClient::Body(api_->Call("GET", "/api/stats", alice.token));
  EXPECT_EQ(stats["counts"]["servers"], 1);
  EXPECT_EQ(stats["counts"]["datacenters"], 1);
  EXPECT_EQ(stats["counts"]["clients"], 0);
  EXPECT_EQ(stats["servers"]["by_provider"], json::array({{{"key", "AWS"}, {"count", 1}}}));
  EXPECT_EQ(stats["servers"]["by_os"], json::array({{{"key", "Linux"}, {"count", 1}}}));
  EXPECT_EQ(stats["servers"]["by_region"], json::array({{{"key", "eu-west-1"}, {"count", 1}}}));
  const json bobs = testing::ApiClient::Body(api_->Call("GET", "/api/stats", bob.token));
  EXPECT_EQ(bobs["servers"]["by_os"], json::array({{{"key", "Windows"}, {"count", 1}}}));
  EXPECT_EQ(bobs["servers"]["by_provider"], json::array({{{"key", "(none)"}, {"count", 1}}}));
}

TEST_P(SearchHttpTest, OptionsAreReadByAllAndChangedByInstanceAdminsOnly) {
  const auto alice = api_->SignUp("alice");  // the first user: instance admin
  const auto bob = api_->SignUp("bob");
  const json all = testing::ApiClient::Body(api_->Call("GET", "/api/options", bob.token));
  for (const char* key :
       {"env_options", "server_options", "application_options", "database_options",
        "datacenter_options", "clients_options", "services_options", "system_options",
        "deps_options", "schedule_options"}) {
    EXPECT_TRUE(all.contains(key)) << key;
  }
  EXPECT_EQ(api_->Call("GET", "/api/options/nope", bob.token).status, 404);
  EXPECT_EQ(api_->Call("PATCH", "/api/options/env_options", bob.token, {{"x", 1}}).status, 403);
  EXPECT_EQ(api_->Call("GET", "/api/options").status, 401);

  auto changed = api_->Call("PATCH", "/api/options/env_options", alice.token,
                            {{"environments", {"Production", "QA"}}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  const json env =
      testing::ApiClient::Body(api_->Call("GET", "/api/options/env_options", bob.token));
  EXPECT_EQ(env["environments"], json({"Production", "QA"}));
  EXPECT_EQ(env.size(), all["env_options"].size()) << "a merge patch keeps the other lists";
  EXPECT_EQ(api_->Call("PATCH", "/api/options/env_options", alice.token, json("flat")).status, 422);
}

TEST_P(SearchHttpTest, CataloguesAreOptionsThatStayValid) {
  const auto alice = api_->SignUp("alice");  // instance admin
  const auto bob = api_->SignUp("bob");
  const json services =
      testing::ApiClient::Body(api_->Call("GET", "/api/options/service_catalogue", bob.token));
  ASSERT_TRUE(services.is_array());
  EXPECT_GE(services.size(), 250u);
  const json flavors =
      testing::ApiClient::Body(api_->Call("GET", "/api/options/flavor_catalogue", bob.token));
  ASSERT_TRUE(flavors.is_array());
  EXPECT_GE(flavors.size(), 300u);
  EXPECT_EQ(api_->Call("PATCH", "/api/options/service_catalogue", bob.token, json::array()).status,
            403);

  // A list replaces the catalogue; every item must be a valid document with a unique name.
  const json mine = {{{"name", "nginx"}, {"family", {"Web server"}}}, {{"name", "Redis"}}};
  auto changed = api_->Call("PATCH", "/api/options/service_catalogue", alice.token, mine);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(
      testing::ApiClient::Body(api_->Call("GET", "/api/options/service_catalogue", bob.token)),
      mine);
  auto duplicate = api_->Call("PATCH", "/api/options/service_catalogue", alice.token,
                              {{{"name", "Redis"}}, {{"name", "redis"}}});
  EXPECT_EQ(duplicate.status, 422) << duplicate.body;
  EXPECT_NE(duplicate.body.find("service_catalogue.1.name"), std::string::npos) << duplicate.body;
  auto bad = api_->Call("PATCH", "/api/options/flavor_catalogue", alice.token,
                        {{{"name", "tiny"}, {"vcpus", "two"}}, {{"vcpus", 2}}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_NE(bad.body.find("flavor_catalogue.0.vcpus"), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find("flavor_catalogue.1.name"), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find("the flavor_catalogue has 2 problems"), std::string::npos) << bad.body;
  EXPECT_EQ(api_->Call("PATCH", "/api/options/flavor_catalogue", alice.token, {{"a", 1}}).status,
            422)
      << "a catalogue stays a list";
  EXPECT_EQ(testing::ApiClient::Body(api_->Call("GET", "/api/options/flavor_catalogue", bob.token)),
            flavors)
      << "refused changes keep the catalogue";
}

TEST_P(SearchHttpTest, FindsPartsOfEveryFieldAndFollowsChanges) {
  const auto alice = api_->SignUp("alice");
  const std::string id = Create(alice.token, "servers",
                                {{"hostname", "alpha-node"},
                                 {"ipv4_private", "10.1.2.3"},
                                 {"dns_public", "edge.example.org"}});
  auto found = [&](const std::string& q) {
    std::vector<std::string> names;
    const json body =
        testing::ApiClient::Body(api_->Call("GET", "/api/search?q=" + q, alice.token));
    for (const auto& item : body["items"]) {
      names.push_back(item["name"].get<std::string>() + ":" + item["match"].get<std::string>());
    }
    return names;
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(found("10.1.2.3"), (Names{"alpha-node:exact"})) << "a search field, not the name";
  EXPECT_EQ(found("example"), (Names{"alpha-node:contains"}));
  EXPECT_EQ(found("EDGE."), (Names{"alpha-node:prefix"}));
  EXPECT_EQ(found("ph"), (Names{"alpha-node:contains"})) << "shorter than the index's trigrams";
  EXPECT_EQ(found("a"), (Names{"alpha-node:prefix"}));
  EXPECT_TRUE(found("node%0Aedge").empty()) << "a match never spans two fields";
  EXPECT_TRUE(found("alpha%25").empty()) << "% is a character, not a wildcard";
  // Words the full-text index would read as its own syntax are plain text too.
  Create(alice.token, "clients", {{"name", "say \"hi\" AND NEAR(*)"}});
  EXPECT_EQ(found("%22hi%22%20AND"), (Names{"say \"hi\" AND NEAR(*):contains"}));
  EXPECT_EQ(found("NEAR(*)"), (Names{"say \"hi\" AND NEAR(*):contains"}));
  EXPECT_TRUE(found("%22%22%22").empty());

  ASSERT_EQ(
      api_->Call("PATCH", "/api/servers/" + id, alice.token, {{"hostname", "beta-node"}}).status,
      200);
  EXPECT_TRUE(found("alpha").empty()) << "the old name is forgotten";
  EXPECT_EQ(found("beta"), (Names{"beta-node:prefix"}));
  ASSERT_EQ(api_->Call("DELETE", "/api/servers/" + id, alice.token).status, 204);
  EXPECT_TRUE(found("beta").empty()) << "deleted records are not found";
}

TEST_P(SearchHttpTest, DuplicateHostnamesAndAddressesAmongReadableServersAreWarnedOf) {
  const auto alice = api_->SignUp("alice");
  const auto bob = api_->SignUp("bob");
  const std::string first =
      Create(alice.token, "servers", {{"hostname", "dup"}, {"ipv4_private", "10.0.0.1"}});
  auto second = api_->Call("POST", "/api/servers", alice.token,
                           {{"hostname", "dup"}, {"ipv4_private", "10.0.0.1"}});
  ASSERT_EQ(second.status, 201) << second.body;
  const json warnings = testing::ApiClient::Body(second)["warnings"];
  ASSERT_EQ(warnings.size(), 2u) << second.body;
  std::set<std::string> fields;
  for (const auto& warning : warnings) {
    fields.insert(warning["field"]);
    EXPECT_EQ(warning["id"], first);
  }
  EXPECT_EQ(fields, (std::set<std::string>{"hostname", "ipv4_private"}));
  const std::string second_id = testing::ApiClient::Body(second)["id"];

  // Another user, who cannot read alice's servers, learns nothing about them.
  auto bobs = api_->Call("POST", "/api/servers", bob.token,
                         {{"hostname", "dup"}, {"ipv4_private", "10.0.0.1"}});
  ASSERT_EQ(bobs.status, 201);
  EXPECT_FALSE(testing::ApiClient::Body(bobs).contains("warnings")) << bobs.body;

  auto patched =
      api_->Call("PATCH", "/api/servers/" + second_id, alice.token, {{"ipv4_private", "10.0.0.2"}});
  ASSERT_EQ(patched.status, 200);
  ASSERT_EQ(testing::ApiClient::Body(patched)["warnings"].size(), 1u) << patched.body;
  EXPECT_EQ(testing::ApiClient::Body(patched)["warnings"][0]["field"], "hostname");
  EXPECT_FALSE(testing::ApiClient::Body(api_->Call("GET", "/api/servers/" + second_id, alice.token))
                   .contains("warnings"))
      << "warnings come with a change, not with reads";
  ASSERT_EQ(api_->Call("DELETE", "/api/servers/" + first, alice.token).status, 204);
  auto again = api_->Call("PATCH", "/api/servers/" + second_id, alice.token, {{"cpu", 2}});
  EXPECT_FALSE(testing::ApiClient::Body(again).contains("warnings")) << "deleted records are gone";
}

// Records written before search texts existed (or by other tools) get theirs at start-up.
TEST_P(SearchHttpTest, RecordsWithoutASearchTextGetOne) {
  const auto alice = api_->SignUp("alice");
  const std::string id = Create(alice.token, "servers", {{"hostname", "old-timer"}});
  ASSERT_TRUE(server_.store()->Exec("UPDATE records SET search = NULL WHERE id = ?", {id}));
  EXPECT_TRUE(
      testing::ApiClient::Body(api_->Call("GET", "/api/search?q=timer", alice.token))["items"]
          .empty())
      << "no search text, not found";
  SystemClock clock;
  inventory::Records records(*server_.store(), clock, inventory::DefaultRegistry(), {});
  auto filled = records.FillSearchText();
  ASSERT_TRUE(filled) << filled.error().message;
  EXPECT_EQ(*filled, 1);
  const json found =
      testing::ApiClient::Body(api_->Call("GET", "/api/search?q=timer", alice.token))["items"];
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]["id"], id);
  EXPECT_EQ(*records.FillSearchText(), 0) << "once is enough";
}

// Lists, counts and search answers are kept until something they could see changes: each is asked
// twice after every change (the second answer may come from what the first kept).
TEST_P(SearchHttpTest, ListsAndCountsShowEveryChangeAtOnce) {
  const auto alice = api_->SignUp("alice");
  const auto bob = api_->SignUp("bob");
  // The hostnames that search finds for "host", sorted.
  auto found = [&](const testing::ApiClient::User& user) {
    std::vector<std::string> names;
    for (int again = 0; again < 2; ++again) {
      auto reply = api_->Call("GET", "/api/search?q=host&kinds=servers", user.token);
      EXPECT_EQ(reply.status, 200) << reply.body;
      const auto body = testing::ApiClient::Body(reply);
      std::vector<std::string> now;
      for (const auto& item : body["items"]) now.push_back(item["name"]);
      std::sort(now.begin(), now.end());
      if (again) {
        EXPECT_EQ(now, names) << "asked again";
      }
      names = std::move(now);
    }
    return names;
  };
  using Names = std::vector<std::string>;
  auto total = [&](const testing::ApiClient::User& user, const std::string& query) {
    auto reply = api_->Call("GET", "/api/servers" + query, user.token);
    EXPECT_EQ(reply.status, 200) << reply.body;
    auto count = api_->Call("GET", "/api/servers/count" + query, user.token);
    EXPECT_EQ(testing::ApiClient::Body(count)["count"], testing::ApiClient::Body(reply)["total"]);
    return testing::ApiClient::Body(reply)["total"].get<int>();
  };
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(Create(alice.token, "servers",
                         {{"hostname", "host-" + std::to_string(i)}, {"environment", "QA"}}));
  }
  EXPECT_EQ(total(alice, ""), 3);
  EXPECT_EQ(total(alice, "?environment=QA"), 3);
  auto page = api_->Call("GET", "/api/servers?limit=2&page=2&sort=hostname", alice.token);
  ASSERT_EQ(testing::ApiClient::Body(page)["items"].size(), 1u);
  EXPECT_EQ(testing::ApiClient::Body(page)["items"][0]["hostname"], "host-2");
  EXPECT_EQ(total(bob, ""), 0);
  EXPECT_EQ(found(alice), (Names{"host-0", "host-1", "host-2"}));
  EXPECT_EQ(found(bob), Names{});

  // A change of the document, a rename, a delete, a restore.
  ASSERT_EQ(
      api_->Call("PATCH", "/api/servers/" + ids[0], alice.token, {{"environment", "Prod"}}).status,
      200);
  EXPECT_EQ(total(alice, "?environment=QA"), 2);
  ASSERT_EQ(api_->Call("PATCH", "/api/servers/" + ids[0], alice.token, {{"hostname", "host-zero"}})
                .status,
            200);
  EXPECT_EQ(found(alice), (Names{"host-1", "host-2", "host-zero"}));
  ASSERT_EQ(api_->Call("DELETE", "/api/servers/" + ids[1], alice.token).status, 204);
  EXPECT_EQ(total(alice, ""), 2);
  EXPECT_EQ(total(alice, "?active=false"), 1);
  EXPECT_EQ(found(alice), (Names{"host-2", "host-zero"}));
  ASSERT_EQ(api_->Call("PATCH", "/api/servers/" + ids[1], alice.token, {{"active", true}}).status,
            200);
  EXPECT_EQ(total(alice, ""), 3);
  EXPECT_EQ(found(alice), (Names{"host-1", "host-2", "host-zero"}));

  // A grant, then its removal.
  ASSERT_EQ(api_->Call("POST", "/api/servers/" + ids[2] + "/roles", alice.token,
                       {{"type", "user"}, {"id", bob.id}, {"role", "read"}})
                .status,
            201);
  EXPECT_EQ(total(bob, ""), 1);
  EXPECT_EQ(found(bob), Names{"host-2"});
  ASSERT_EQ(
      api_->Call("DELETE", "/api/servers/" + ids[2] + "/roles/user/" + bob.id, alice.token).status,
      204);
  EXPECT_EQ(total(bob, ""), 0);
  EXPECT_EQ(found(bob), Names{});

  // A team's record, seen once bob joins the team and no more once he leaves.
  const std::string team = testing::ApiClient::Body(
      api_->Call("POST", "/api/teams", alice.token, {{"name", "Ops"}}))["id"];
  auto team_record =
      api_->Call("POST", "/api/servers?team=" + team, alice.token, {{"hostname", "team-host"}});
  ASSERT_EQ(team_record.status, 201) << team_record.body;
  EXPECT_EQ(total(bob, ""), 0);
  ASSERT_EQ(api_->Call("POST", "/api/teams/" + team + "/members", alice.token,
                       {{"user", bob.id}, {"role", "read"}})
                .status,
            201);
  EXPECT_EQ(total(bob, ""), 1);
  EXPECT_EQ(found(bob), Names{"team-host"});
  ASSERT_EQ(api_->Call("DELETE", "/api/teams/" + team + "/members/" + bob.id, alice.token).status,
            204);
  EXPECT_EQ(total(bob, ""), 0);
  EXPECT_EQ(found(bob), Names{});
  EXPECT_EQ(total(alice, ""), 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, SearchHttpTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace maestro
