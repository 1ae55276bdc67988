// Graphs through the HTTP API on both backends: builds by the server's own workers, drawings (SVG,
// PNG, JSON), public links and their revocation, access, bad input, schedules, the disabled
// switch; and the dependency wizard's bulk commit.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "analytics/share.h"
#include "support/api_client.h"
#include "support/http_client.h"
#include "support/test_server.h"

namespace maestro {
namespace {

using nlohmann::json;
using store::Backend;
using testing::ApiClient;

// What the test server signs share links with (TestServer's MAESTRO_SECRETJWT_PUBLIC).
const std::string kShareSecret(40, 'p');

class GraphsHttpTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started());
    alice_ = api_->SignUp("alice");
    bob_ = api_->SignUp("bob");
    // ACME's shop: cdn → web → api → db, entry point cdn; web runs on two servers.
    acme_ = Create("clients", {{"name", "ACME"}});
    shop_ = Create("systems", {{"name", "shop"}, {"clients", {acme_}}});
    s1_ = Create(
        "servers",
        {{"hostname", "web-1"}, {"ipv4_private", "10.0.0.1"}, {"environment", "Production"}});
    s2_ = Create("servers", {{"hostname", "web-2"}, {"ipv4_private", "10.0.0.2"}});
    cdn_ = Create("applications", {{"name", "cdn"}, {"family", "CDN"}, {"systems", {shop_}}});
    web_ = Create("applications", {{"name", "Web \"<shop>\" & Kasse ü"},
                                   {"family", "Application"},
                                   {"systems", {shop_}},
                                   {"servers", {s1_, s2_}}});
    api_app_ =
        Create("applications", {{"name", "api"}, {"family", "Application"}, {"systems", {shop_}}});
    db_ = Create("applications", {{"name", "db"}, {"family", "Database"}, {"systems", {shop_}}});
    auto wired =
        Call("PUT", "/api/dependencies", alice_.token,
             {{"applications",
               {{{"id", cdn_}, {"deps", {{{"app", web_}, {"via", "http"}}}}},
                {{"id", web_},
                 {"deps", {{{"app", api_app_}, {"via", "grpc"}, {"endpoint", "api:443"}}}}},
                {{"id", api_app_}, {"deps", {{{"app", db_}, {"via", "tcp"}}}}}}},
              {"system", {{"id", shop_}, {"entries", {cdn_}}}}});
    ASSERT_EQ(wired.status, 200) << wired.body;
  }

  testing::HttpReply Call(const std::string& method, const std::string& target,
                          const std::string& token, const json& body = nullptr,
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
    return api_->Call(method, target, token, body, std::move(headers));
  }
  std::string Create(const std::string& kind, const json& body) {
    auto reply = Call("POST", "/api/" + kind, alice_.token, body);
    EXPECT_EQ(reply.status, 201) << kind << " " << reply.body;
    return ApiClient::Body(reply).value("id", "");
  }
  // Creates a graph and waits for its build; returns the graph as it then is.
  json Graph(const json& body, const std::string& token = {}) {
    const std::string& who = token.empty() ? alice_.token : token;
    auto created = Call("POST", "/api/graphs", who, body);
    EXPECT_EQ(created.status, 201) << created.body;
    const json graph = ApiClient::Body(created);
    EXPECT_EQ(graph["status"], "queued");
    EXPECT_EQ(created.Header("etag"), "\"1\"");
    EXPECT_EQ(created.Header("location"), "/api/graphs/" + graph.value("id", ""));
    return Await(graph.value("id", ""), graph.value("job", ""), who);
  }
  json Await(const std::string& id, const std::string& job, const std::string& token) {
    const json done = api_->AwaitJob(token, job);
    EXPECT_EQ(done["status"], "succeeded") << done;
    return ApiClient::Body(Call("GET", "/api/graphs/" + id, token));
  }
  static std::string FirstField(const testing::HttpReply& reply) {
    const json body = ApiClient::Body(reply);
    if (!body.contains("error") || body["error"]["details"].empty()) return "";
    return body["error"]["details"][0].value("field", "");
  }
  static std::vector<std::string> Fields(const testing::HttpReply& reply) {
    std::vector<std::string> out;
    const json body = ApiClient::Body(reply);
    for (const auto& detail : body["error"]["details"]) {
      out.push_back(detail.value("field", ""));
    }
    return out;
  }
  // A request without any Authorization header.
  testing::HttpReply Anonymous(const std::string& target) {
    return testing::HttpRequest(server_.port(), "GET", target);
  }
  static std::string Path(const std::string& url) { return url.substr(url.find("/public/")); }

  testing::TestServer server_{GetParam()};
  ApiClient* api_ = &server_.api();
  ApiClient::User alice_, bob_;
  std::string acme_, shop_, s1_, s2_, cdn_, web_, api_app_, db_;
};

TEST_P(GraphsHttpTest, AGraphIsBuiltWithItsMetricsAndDrawnAsSvgPngAndJson) {
  const json graph = Graph({{"name", "Shop map"}, {"from", {{"systems", {shop_}}}}});
  ASSERT_EQ(graph["status"], "finished") << graph;
  EXPECT_TRUE(graph["message"].is_null());
  EXPECT_EQ(graph["from"], json({{"systems", {shop_}}}));
  EXPECT_EQ(graph["info"]["nodes"], 4);
  EXPECT_EQ(graph["info"]["edges"], 3);
  EXPECT_DOUBLE_EQ(graph["info"]["density"].get<double>(), 3.0 / 12.0);
  EXPECT_EQ(graph["info"]["depth_histogram"], json({1, 1, 1, 1}));
  EXPECT_EQ(graph["info"]["families"], json({{"Application", 2}, {"CDN", 1}, {"Database", 1}}));
  EXPECT_EQ(graph["info"]["systems"], 1);
  EXPECT_EQ(graph["info"]["clients"], 1);
  EXPECT_EQ(graph["info"]["servers"], 2);
  EXPECT_TRUE(graph["built_at"].is_string());
  EXPECT_TRUE(graph["job"].is_string()) << "the last build's job stays named";
  EXPECT_EQ(graph["share"], json({{"enabled", false}, {"created_at", nullptr}}));
  EXPECT_EQ(graph["version"], 1);
  const std::string base = "/api/graphs/" + graph["id"].get<std::string>();

  auto svg = Call("GET", base + "/svg", alice_.token);
  ASSERT_EQ(svg.status, 200) << svg.body;
  EXPECT_EQ(svg.Header("content-type"), "image/svg+xml; charset=utf-8");
  EXPECT_NE(svg.Header("content-security-policy").find("default-src 'none'"), std::string::npos);
  pugi::xml_document document;
  ASSERT_TRUE(document.load_string(svg.body.c_str()));
  std::string texts;
  for (auto text : document.select_nodes("//*[local-name()='text']")) {
    texts += std::string(text.node().text().get()) + "\n";
  }
  for (const char* name : {"cdn", "Web \"<shop>\" & Kasse ü", "api", "db"}) {
    EXPECT_NE(texts.find(std::string(name) + "\n"), std::string::npos) << name << " in\n" << texts;
  }
  EXPECT_NE(svg.body.find("web-1 · 10.0.0.1 · Production"), std::string::npos)
      << "servers are in the tooltip";

  auto png = Call("GET", base + "/png", alice_.token);
  ASSERT_EQ(png.status, 200) << png.body;
  EXPECT_EQ(png.Header("content-type"), "image/png");
  EXPECT_EQ(png.body.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(Call("GET", base + "/png", alice_.token).body, png.body) << "the same PNG again";

  auto layout = Call("GET", base + "/json", alice_.token);
  ASSERT_EQ(layout.status, 200) << layout.body;
  const json drawn = ApiClient::Body(layout);
  ASSERT_EQ(drawn["nodes"].size(), 4u);
  ASSERT_EQ(drawn["edges"].size(), 3u);
  for (const auto& node : drawn["nodes"]) {
    EXPECT_TRUE(node["x"].is_number() && node["y"].is_number()) << node;
    if (node["id"] == web_) {
      EXPECT_EQ(node["depth"], 1);
      EXPECT_EQ(node["family"], "Application");
      ASSERT_EQ(node["servers"].size(), 2u);
      EXPECT_EQ(node["servers"][0]["hostname"], "web-1");
      EXPECT_EQ(node["servers"][0]["ipv4_private"], "10.0.0.1");
      EXPECT_EQ(node["servers"][0]["environment"], "Production");
    }
  }
  bool grpc = false;
  for (const auto& edge : drawn["edges"]) {
    grpc = grpc || (edge["from"] == web_ && edge["to"] == api_app_ && edge["via"] == "grpc" &&
                    edge["endpoint"] == "api:443");
  }
  EXPECT_TRUE(grpc) << drawn["edges"];

  const json list = ApiClient::Body(Call("GET", "/api/graphs?limit=5", alice_.token));
  EXPECT_EQ(list["total"], 1);
  EXPECT_EQ(list["limit"], 5);
  EXPECT_EQ(list["items"][0]["id"], graph["id"]);
  EXPECT_EQ(Call("GET", "/api/graphs?colour=red", alice_.token).status, 400);
}

TEST_P(GraphsHttpTest, ClientsAndApplicationsLeadToTheSameMap) {
  const json by_client = Graph({{"name", "ACME"}, {"from", {{"clients", {acme_}}}}});
  EXPECT_EQ(by_client["status"], "finished") << by_client;
  EXPECT_EQ(by_client["info"]["nodes"], 4);
  const json by_app = Graph({{"name", "from web"}, {"from", {{"applications", {web_}}}}});
  EXPECT_EQ(by_app["info"]["nodes"], 3) << "web, api and db: the cdn is upstream";
  EXPECT_EQ(by_app["info"]["depth_histogram"], json({1, 1, 1}));
}

TEST_P(GraphsHttpTest, NothingToDrawIsEmptyAndItsDrawingsAnswer409) {
  // db depends on nothing.
  const json lone = Graph({{"name", "lone"}, {"from", {{"applications", {db_}}}}});
  EXPECT_EQ(lone["status"], "empty");
  EXPECT_NE(lone["message"].get<std::string>().find("Empty dependencies"), std::string::npos)
      << lone;
  EXPECT_EQ(lone["info"]["nodes"], 1);
  for (const char* what : {"svg", "png", "json"}) {
    auto reply =
        Call("GET", "/api/graphs/" + lone["id"].get<std::string>() + "/" + what, alice_.token);
    EXPECT_EQ(reply.status, 409) << what;
    EXPECT_NE(ApiClient::Body(reply)["error"]["message"].get<std::string>().find("empty"),
              std::string::npos)
        << reply.body;
  }
  // A system whose applications Bob cannot read: no entry point for him.
  ASSERT_EQ(Call("POST", "/api/systems/" + shop_ + "/roles", alice_.token,
                 {{"type", "user"}, {"id", bob_.id}, {"role", "read"}})
                .status,
            201);
  const json bobs = Graph({{"name", "shop"}, {"from", {{"systems", {shop_}}}}}, bob_.token);
  EXPECT_EQ(bobs["status"], "empty");
  EXPECT_NE(bobs["message"].get<std::string>().find("Empty entry points"), std::string::npos)
      << bobs;
}

TEST_P(GraphsHttpTest, AccessIsTheOwnersAtEveryStep) {
  const json graph = Graph({{"name", "mine"}, {"from", {{"systems", {shop_}}}}});
  const std::string id = graph["id"];
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"GET", ""},
                                                        {"GET", "/svg"},
                                                        {"GET", "/json"},
                                                        {"POST", "/run"},
                                                        {"POST", "/share"},
                                                        {"DELETE", "/share"},
                                                        {"DELETE", ""}}) {
    EXPECT_EQ(Call(method, "/api/graphs/" + id + path, bob_.token).status, 404)
        << method << " " << path;
  }
  EXPECT_EQ(ApiClient::Body(Call("GET", "/api/graphs", bob_.token))["total"], 0);
  // Bob cannot draw from what he cannot read…
  auto refused = Call("POST", "/api/graphs", bob_.token,
                      {{"name", "theirs"}, {"from", {{"systems", {shop_}}}}});
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(FirstField(refused), "from.systems.0");
  EXPECT_NE(refused.body.find(shop_), std::string::npos) << "the message names the id";
  // …and his map of what he can read skips the rest: cdn, web and db, but not api, are his to read.
  for (const auto& record : std::vector<std::pair<std::string, std::string>>{
           {"applications", cdn_}, {"applications", web_}, {"applications", db_}}) {
    ASSERT_EQ(Call("POST", "/api/" + record.first + "/" + record.second + "/roles", alice_.token,
                   {{"type", "user"}, {"id", bob_.id}, {"role", "read"}})
                  .status,
              201);
  }
  const json bobs = Graph({{"name", "cdn"}, {"from", {{"applications", {cdn_}}}}}, bob_.token);
  EXPECT_EQ(bobs["status"], "finished") << bobs;
  EXPECT_EQ(bobs["info"]["nodes"], 2) << "cdn and web; db is behind api, which Bob cannot read";
  EXPECT_EQ(bobs["info"]["servers"], 0) << "nor the servers";
  const json drawn = ApiClient::Body(
      Call("GET", "/api/graphs/" + bobs["id"].get<std::string>() + "/json", bob_.token));
  EXPECT_EQ(drawn["edges"].size(), 1u);
  EXPECT_EQ(Call("GET", "/api/graphs/" + bobs["id"].get<std::string>() + "/svg", bob_.token)
                .body.find("grpc"),
            std::string::npos)
      << "nor web's dependency on api";
}

TEST_P(GraphsHttpTest, PublicLinksShowOneDrawingWithoutAuthUntilRevoked) {
  const json graph = Graph({{"name", "Shop <map> & co"}, {"from", {{"systems", {shop_}}}}});
  const json other = Graph({{"name", "other"}, {"from", {{"applications", {web_}}}}});
  const std::string id = graph["id"], other_id = other["id"];
  auto shared = Call("POST", "/api/graphs/" + id + "/share", alice_.token);
  ASSERT_EQ(shared.status, 201) << shared.body;
  const json link = ApiClient::Body(shared);
  const std::string token = link["token"];
  EXPECT_EQ(link["url"], "http://localhost:8888/public/graphs/" + token);
  const json after = ApiClient::Body(Call("GET", "/api/graphs/" + id, alice_.token));
  EXPECT_EQ(after["share"]["enabled"], true);
  EXPECT_TRUE(after["share"]["created_at"].is_string());

  auto page = Anonymous("/public/graphs/" + token);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<title>Shop &lt;map&gt; &amp; co — Maestro</title>"),
            std::string::npos);
  EXPECT_NE(page.body.find("<svg"), std::string::npos);
  EXPECT_NE(page.body.find("Kasse"), std::string::npos);
  EXPECT_NE(page.body.find("href=\"" + token + ".svg\""), std::string::npos);
  EXPECT_NE(page.Header("content-security-policy").find("script-src 'sha256-"), std::string::npos);
  EXPECT_EQ(page.Header("referrer-policy"), "no-referrer");
  auto raw = Anonymous("/public/graphs/" + token + ".svg");
  ASSERT_EQ(raw.status, 200);
  EXPECT_EQ(raw.Header("content-type"), "image/svg+xml; charset=utf-8");
  EXPECT_EQ(raw.body, Call("GET", "/api/graphs/" + id + "/svg", alice_.token).body);

  // The token opens that drawing, and nothing else.
  EXPECT_EQ(Call("GET", "/api/graphs/" + id, token).status, 401);
  EXPECT_EQ(Call("GET", "/api/graphs", token).status, 401);
  std::string forged = token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  const auto now = std::chrono::system_clock::now();
  const std::vector<std::pair<std::string, std::string>> refused = {
      {forged, "a changed signature"},
      {"nonsense", "not a token"},
      {analytics::SignShareToken({.graph_id = id, .epoch = 0}, std::string(40, 'x'), now),
       "signed with another secret"},
      {analytics::SignShareToken({.graph_id = other_id, .epoch = 0}, kShareSecret, now),
       "another graph, which is not shared"},
      {analytics::SignShareToken({.graph_id = id, .epoch = 1}, kShareSecret, now),
       "an epoch the graph has not reached"},
  };
  for (const auto& [bad, why] : refused) {
    EXPECT_EQ(Anonymous("/public/graphs/" + bad).status, 404) << why;
    EXPECT_EQ(Anonymous("/public/graphs/" + bad + ".svg").status, 404) << why;
  }
  EXPECT_EQ(Anonymous("/public/graphs/" +
                      analytics::SignShareToken({.graph_id = id, .epoch = 0}, kShareSecret, now))
                .status,
            200)
      << "a token made with the real secret and epoch works, so the refusals above are theirs";

  // Sharing the other graph: its link opens it; the first link still opens the first graph.
  auto other_link =
      ApiClient::Body(Call("POST", "/api/graphs/" + other_id + "/share", alice_.token));
  EXPECT_EQ(Anonymous(Path(other_link["url"].get<std::string>())).status, 200);

  // Revoking: every link of the graph stops, the other graph's stays.
  auto second = ApiClient::Body(Call("POST", "/api/graphs/" + id + "/share", alice_.token));
  EXPECT_EQ(Anonymous(Path(second["url"].get<std::string>())).status, 200)
      << "sharing again while shared";
  ASSERT_EQ(Call("DELETE", "/api/graphs/" + id + "/share", alice_.token).status, 204);
  EXPECT_EQ(Anonymous("/public/graphs/" + token).status, 404);
  EXPECT_EQ(Anonymous("/public/graphs/" + token + ".svg").status, 404);
  EXPECT_EQ(Anonymous(Path(second["url"].get<std::string>())).status, 404);
  EXPECT_EQ(Anonymous(Path(other_link["url"].get<std::string>())).status, 200);
  EXPECT_EQ(ApiClient::Body(Call("GET", "/api/graphs/" + id, alice_.token))["share"],
            json({{"enabled", false}, {"created_at", nullptr}}));
  // A new link works; the revoked ones stay revoked.
  auto again = Call("POST", "/api/graphs/" + id + "/share", alice_.token);
  ASSERT_EQ(again.status, 201);
  const std::string fresh = ApiClient::Body(again)["token"];
  EXPECT_NE(fresh, token);
  EXPECT_EQ(Anonymous("/public/graphs/" + fresh).status, 200);
  EXPECT_EQ(Anonymous("/public/graphs/" + token).status, 404);
  // Deleting the graph ends its links too.
  ASSERT_EQ(Call("DELETE", "/api/graphs/" + id, alice_.token).status, 204);
  EXPECT_EQ(Anonymous("/public/graphs/" + fresh).status, 404);
}

TEST_P(GraphsHttpTest, BadInputIsRefusedNamingTheField) {
  const std::string nobody = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
  struct Case {
    json body;
    std::string field;
    int status = 422;
  };
  const std::vector<Case> cases = {
      {{{"from", {{"systems", {shop_}}}}}, "name"},
      {{{"name", ""}, {"from", {{"systems", {shop_}}}}}, "name"},
      {{{"name", "x"}}, "from"},
      {{{"name", "x"}, {"from", json::object()}}, "from"},
      {{{"name", "x"}, {"from", {{"systems", {shop_}}, {"clients", {acme_}}}}}, "from"},
      {{{"name", "x"}, {"from", {{"planets", {shop_}}}}}, "from.planets"},
      {{{"name", "x"}, {"from", {{"systems", shop_}}}}, "from.systems"},
      {{{"name", "x"}, {"from", {{"systems", json::array()}}}}, "from.systems"},
      {{{"name", "x"}, {"from", {{"systems", {"nope"}}}}}, "from.systems.0"},
      {{{"name", "x"}, {"from", {{"systems", {shop_, nobody}}}}}, "from.systems.1"},
      {{{"name", "x"}, {"from", {{"applications", {shop_}}}}}, "from.applications.0"},
      {{{"name", "x"}, {"from", {{"systems", {shop_}}}}, {"colour", "red"}}, "colour"},
      {json::array(), "", 400},
  };
  for (const auto& c : cases) {
    auto reply = Call("POST", "/api/graphs", alice_.token, c.body);
    EXPECT_EQ(reply.status, c.status) << c.body << " " << reply.body;
    EXPECT_FALSE(ApiClient::Body(reply)["error"]["message"].get<std::string>().empty());
    if (!c.field.empty()) {
      EXPECT_EQ(FirstField(reply), c.field) << c.body << " " << reply.body;
    }
  }
  auto malformed = testing::HttpRequest(
      server_.port(), "POST", "/api/graphs", "{\"name\": ",
      {{"Authorization", "Bearer " + alice_.token}, {"Content-Type", "application/json"}});
  EXPECT_EQ(malformed.status, 400) << malformed.body;
  EXPECT_EQ(ApiClient::Body(Call("GET", "/api/graphs", alice_.token))["total"], 0)
      << "nothing half-made";
  EXPECT_EQ(Call("GET", "/api/graphs/" + nobody, alice_.token).status, 404);
  EXPECT_EQ(Call("GET", "/api/graphs/" + nobody + "/svg", alice_.token).status, 404);
  // Read-only fields sent back as read are ignored.
  const json graph = Graph({{"name", "x"}, {"from", {{"systems", {shop_}}}}});
  auto put = Call("PUT", "/api/graphs/" + graph["id"].get<std::string>(), alice_.token, graph);
  EXPECT_EQ(put.status, 200) << put.body;
  auto patched = Call("PATCH", "/api/graphs/" + graph["id"].get<std::string>(), alice_.token,
                      {{"from", {{"clients", {nobody}}}}});
  EXPECT_EQ(patched.status, 422);
  EXPECT_EQ(FirstField(patched), "from.clients.0");
}

TEST_P(GraphsHttpTest, ANewNameKeepsTheDrawingAndANewSourceRebuildsIt) {
  json graph = Graph({{"name", "shop"}, {"from", {{"systems", {shop_}}}}});
  const std::string id = graph["id"];
  const std::string first_job = graph["job"];
  auto renamed = Call("PATCH", "/api/graphs/" + id, alice_.token, {{"name", "Shop map"}},
                      {{"If-Match", "\"1\""}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.Header("etag"), "\"2\"");
  const json after_rename = ApiClient::Body(renamed);
  EXPECT_EQ(after_rename["name"], "Shop map");
  EXPECT_EQ(after_rename["status"], "finished") << "no rebuild";
  EXPECT_EQ(after_rename["job"], first_job);
  EXPECT_EQ(
      Call("PATCH", "/api/graphs/" + id, alice_.token, {{"name", "x"}}, {{"If-Match", "\"1\""}})
          .status,
      412);

  auto moved =
      Call("PATCH", "/api/graphs/" + id, alice_.token, {{"from", {{"applications", {api_app_}}}}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(ApiClient::Body(moved)["status"], "queued");
  EXPECT_NE(ApiClient::Body(moved)["job"], first_job);
  graph = Await(id, ApiClient::Body(moved)["job"], alice_.token);
  EXPECT_EQ(graph["from"], json({{"applications", {api_app_}}}));
  EXPECT_EQ(graph["info"]["nodes"], 2) << "api and db";
  EXPECT_EQ(graph["version"], 3);

  // Replacing with the same source: no rebuild either.
  auto same = Call("PUT", "/api/graphs/" + id, alice_.token,
                   {{"name", "api"}, {"from", {{"applications", {api_app_}}}}});
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(ApiClient::Body(same)["status"], "finished");

  // A run rebuilds it with what changed meanwhile: db now depends on a cache.
  const std::string cache = Create("applications", {{"name", "cache"}, {"family", "Cache"}});
  ASSERT_EQ(Call("PATCH", "/api/applications/" + db_, alice_.token,
                 {{"deps", {{{"app", cache}, {"via", "tcp"}}}}})
                .status,
            200);
  auto run = Call("POST", "/api/graphs/" + id + "/run", alice_.token);
  ASSERT_EQ(run.status, 202) << run.body;
  graph = Await(id, ApiClient::Body(run)["job"]["id"], alice_.token);
  EXPECT_EQ(graph["info"]["nodes"], 3);
  EXPECT_EQ(graph["info"]["depth_histogram"], json({1, 1, 1}));

  const json events = ApiClient::Body(Call("GET", "/api/events?limit=500", alice_.token));
  bool update = false, own = false;
  for (const auto& event : events["items"]) {
    update = update || (event["name"] == "graphs-update" && event["id"] == id);
    own = own || event["name"] == "graphs-" + id;
  }
  EXPECT_TRUE(update && own) << events.dump(1);

  EXPECT_EQ(Call("DELETE", "/api/graphs/" + id, alice_.token).status, 204);
  EXPECT_EQ(Call("GET", "/api/graphs/" + id, alice_.token).status, 404);
  EXPECT_EQ(Call("GET", "/api/graphs/" + id + "/png", alice_.token).status, 404);
}

TEST_P(GraphsHttpTest, SchedulesRebuildGraphs) {
  const json graph = Graph({{"name", "daily"}, {"from", {{"systems", {shop_}}}}});
  const std::string id = graph["id"];
  auto schedule =
      Call("POST", "/api/schedules", alice_.token,
           {{"name", "daily map"}, {"task", "graph"}, {"args", {{"id", id}}}, {"every", "1d"}});
  ASSERT_EQ(schedule.status, 201) << schedule.body;
  const std::string cache = Create("applications", {{"name", "cache"}, {"family", "Cache"}});
  ASSERT_EQ(Call("PATCH", "/api/applications/" + db_, alice_.token,
                 {{"deps", {{{"app", cache}, {"via", "tcp"}}}}})
                .status,
            200);
  auto run =
      Call("POST", "/api/schedules/" + ApiClient::Body(schedule)["id"].get<std::string>() + "/run",
           alice_.token);
  ASSERT_EQ(run.status, 202) << run.body;
  const json job = api_->AwaitJob(alice_.token, ApiClient::Body(run)["job"]["id"]);
  EXPECT_EQ(job["status"], "succeeded") << job;
  EXPECT_EQ(job["type"], "graph");
  const json after = ApiClient::Body(Call("GET", "/api/graphs/" + id, alice_.token));
  EXPECT_EQ(after["info"]["nodes"], 5) << "the cache is in the rebuilt map";
  EXPECT_EQ(after["job"], job["id"]);
  auto theirs = Call("POST", "/api/schedules", bob_.token,
                     {{"name", "x"}, {"task", "graph"}, {"args", {{"id", id}}}, {"every", "1d"}});
  EXPECT_EQ(theirs.status, 422);
  EXPECT_EQ(FirstField(theirs), "args.id");
}

TEST_P(GraphsHttpTest, BulkDependenciesAreWrittenWholeWithHistoryOrNotAtAll) {
  const std::string cache = Create("applications", {{"name", "cache"}, {"family", "Cache"}});
  const json before = ApiClient::Body(Call("GET", "/api/applications/" + api_app_, alice_.token));
  auto done =
      Call("PUT", "/api/dependencies", alice_.token,
           {{"applications",
             {{{"id", api_app_},
               {"deps", {{{"app", db_}, {"via", "tcp"}}, {{"app", cache}, {"via", "redis"}}}}},
              {{"id", cache}, {"deps", json::array()}}}},
            {"system", {{"id", shop_}, {"entries", {cdn_, web_}}}}});
  ASSERT_EQ(done.status, 200) << done.body;
  const json body = ApiClient::Body(done);
  ASSERT_EQ(body["applications"].size(), 2u);
  EXPECT_EQ(body["applications"][0]["id"], api_app_);
  EXPECT_EQ(body["applications"][0]["deps"].size(), 2u);
  EXPECT_EQ(body["applications"][0]["version"], before["version"].get<int>() + 1);
  EXPECT_EQ(body["system"]["entries"].size(), 2u);
  const json history =
      ApiClient::Body(Call("GET", "/api/applications/" + api_app_ + "/history", alice_.token));
  EXPECT_EQ(history["items"][0]["action"], "update");
  EXPECT_NE(history["items"][0]["changes"].dump().find("redis"), std::string::npos)
      << history["items"][0];

  // One bad dependency: nothing of the change is written.
  struct Case {
    json body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {{{"applications",
         {{{"id", api_app_}, {"deps", json::array()}},
          {{"id", web_}, {"deps", {{{"app", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, {"via", "rest"}}}}}}}},
       "applications.1.deps.0.app"},
      {{{"applications", {{{"id", api_app_}, {"deps", {{{"app", db_}, {"via", ""}}}}}}}},
       "applications.0.deps.0.via"},
      {{{"applications", {{{"id", api_app_}, {"deps", {{{"app", db_}}}}}}}},
       "applications.0.deps.0.via"},
      {{{"applications", {{{"id", api_app_}, {"deps", {{{"app", db_}, {"via", 5}}}}}}}},
       "applications.0.deps.0.via"},
      {{{"applications", {{{"id", api_app_}, {"deps", {{{"app", api_app_}, {"via", "tcp"}}}}}}}},
       "applications.0.deps.0.app"},
      {{{"applications", {{{"id", api_app_}, {"deps", {{{"app", shop_}, {"via", "tcp"}}}}}}}},
       "applications.0.deps.0.app"},
      {{{"applications", {{{"id", api_app_}}}}}, "applications.0.deps"},
      {{{"applications", {{{"deps", json::array()}}}}}, "applications.0.id"},
      {{{"applications", {{{"id", api_app_}, {"deps", json::array()}, {"colour", 1}}}}},
       "applications.0.colour"},
      {{{"applications", json::array()}, {"system", {{"id", shop_}, {"entries", {shop_}}}}},
       "system.entries.0"},
      {{{"applications", json::array()}, {"system", {{"id", db_}, {"entries", json::array()}}}},
       "system.id"},
      {{{"system", {{"id", shop_}, {"entries", json::array()}}}}, "applications"},
  };
  for (const auto& c : cases) {
    auto reply = Call("PUT", "/api/dependencies", alice_.token, c.body);
    EXPECT_EQ(reply.status, 422) << c.body << " " << reply.body;
    const auto fields = Fields(reply);
    EXPECT_NE(std::find(fields.begin(), fields.end(), c.field), fields.end())
        << c.field << " in " << reply.body;
  }
  const json now = ApiClient::Body(Call("GET", "/api/applications/" + api_app_, alice_.token));
  EXPECT_EQ(now["deps"].size(), 2u) << "the first application of a refused change is untouched";
  EXPECT_EQ(now["version"], body["applications"][0]["version"]);
  EXPECT_EQ(Call("PUT", "/api/dependencies", alice_.token, json::array()).status, 400);

  // A change Bob may write in part only: the part he may write is not written either.
  const std::string bobs = ApiClient::Body(Call("POST", "/api/applications", bob_.token,
                                                {{"name", "bob-app"}, {"family", "Application"}}))
                               .value("id", "");
  ASSERT_EQ(Call("POST", "/api/applications/" + db_ + "/roles", alice_.token,
                 {{"type", "user"}, {"id", bob_.id}, {"role", "read"}})
                .status,
            201);
  auto partly = Call("PUT", "/api/dependencies", bob_.token,
                     {{"applications",
                       {{{"id", bobs}, {"deps", {{{"app", db_}, {"via", "tcp"}}}}},
                        {{"id", db_}, {"deps", {{{"app", bobs}, {"via", "tcp"}}}}}}}});
  EXPECT_EQ(partly.status, 403) << partly.body;
  EXPECT_EQ(FirstField(partly), "applications.1.id") << partly.body;
  EXPECT_EQ(ApiClient::Body(Call("GET", "/api/applications/" + bobs, bob_.token))["deps"],
            json::array());
}

INSTANTIATE_TEST_SUITE_P(Backends, GraphsHttpTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return testing::BackendName(info.param); });

TEST(GraphsDisabledTest, GraphsAndTheirPublicPagesAnswer503) {
  testing::TestServer server(Backend::kSqlite,
                             [](app::Config& config) { config.analytics_disabled = true; });
  ASSERT_TRUE(server.started());
  ApiClient& api = server.api();
  const auto user = api.SignUp("carol");
  const std::string id = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/api/graphs"},
                                                        {"GET", "/api/graphs/" + id},
                                                        {"GET", "/api/graphs/" + id + "/svg"},
                                                        {"GET", "/api/graphs/" + id + "/png"},
                                                        {"GET", "/api/graphs/" + id + "/json"},
                                                        {"POST", "/api/graphs/" + id + "/run"},
                                                        {"POST", "/api/graphs/" + id + "/share"},
                                                        {"DELETE", "/api/graphs/" + id + "/share"},
                                                        {"DELETE", "/api/graphs/" + id}}) {
    auto reply = api.Call(method, path, user.token);
    EXPECT_EQ(reply.status, 503) << method << " " << path;
    EXPECT_NE(reply.body.find("MAESTRO_ANALYTICS_DISABLED"), std::string::npos) << reply.body;
  }
  EXPECT_EQ(
      api.Call("POST", "/api/graphs", user.token, {{"name", "x"}, {"from", {{"systems", {id}}}}})
          .status,
      503);
  const std::string token = analytics::SignShareToken({.graph_id = id, .epoch = 0}, kShareSecret,
                                                      std::chrono::system_clock::now());
  EXPECT_EQ(testing::HttpRequest(server.port(), "GET", "/public/graphs/" + token).status, 503);
  EXPECT_EQ(testing::HttpRequest(server.port(), "GET", "/public/graphs/" + token + ".svg").status,
            503);
  // Dependencies are inventory: still there.
  EXPECT_EQ(
      api.Call("PUT", "/api/dependencies", user.token, {{"applications", json::array()}}).status,
      200);
}

}  // namespace
}  // namespace maestro
