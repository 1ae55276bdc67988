// The dependency walk of graphs on both backends: depths, cycles, the depth limit, access, entry
// points of systems and clients, servers; and the metrics of random graphs against networkx.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "analytics/metrics.h"
#include "analytics/walk.h"
#include "common/clock.h"
#include "common/ids.h"
#include "inventory/records.h"
#include "support/process.h"
#include "support/test_database.h"

namespace maestro {
namespace {

using analytics::GraphData;
using analytics::Source;
using nlohmann::json;
using store::Backend;

class GraphsWalkTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    ASSERT_NE(store_, nullptr);
    records_.emplace(*store_, clock_, inventory::DefaultRegistry(), inventory::RecordSettings{});
    for (const auto* user : {&alice_, &bob_}) {
      ASSERT_TRUE(
          store_->Exec("INSERT INTO users (id, email, email_key, name, password_hash, "
                       "created_at, updated_at) VALUES (?, ?, ?, ?, 'x', ?, ?)",
                       {user->user_id, user->name + "@example.com", user->name + "@example.com",
                        user->name, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"}));
    }
  }

  std::string Create(const std::string& kind, const json& body) {
    auto created = records_->Create(alice_, *inventory::DefaultRegistry().Find(kind), body, "");
    EXPECT_TRUE(created) << kind << " " << body << ": " << created.error().message;
    return created ? (*created)["id"].get<std::string>() : "";
  }
  std::string App(const std::string& name, const std::string& family = "Application",
                  json extra = json::object()) {
    extra["name"] = name;
    extra["family"] = family;
    return Create("applications", extra);
  }
  void Patch(const std::string& kind, const std::string& id, const json& patch) {
    auto patched =
        records_->Patch(alice_, *inventory::DefaultRegistry().Find(kind), id, patch, std::nullopt);
    EXPECT_TRUE(patched) << patch << ": " << patched.error().message;
  }
  // `from` depends on each of `to` (replacing its dependencies).
  void Deps(const std::string& from, const std::vector<std::string>& to,
            const std::string& via = "rest") {
    json deps = json::array();
    for (const auto& id : to) deps.push_back({{"app", id}, {"via", via}});
    Patch("applications", from, {{"deps", deps}});
  }
  void LetBobRead(const std::string& id) {
    ASSERT_TRUE(store_->Exec(
        "INSERT INTO acl (record_id, principal_type, principal_id, role) VALUES (?, 'user', ?, 1)",
        {id, bob_.user_id}));
  }
  GraphData Walk(const std::vector<std::string>& entries, const auth::Principal& as) {
    auto walked = analytics::Walk(*store_, entries, as.user_id);
    EXPECT_TRUE(walked) << walked.error().message;
    return walked ? *walked : GraphData{};
  }
  std::vector<std::string> Entries(Source source, const std::vector<std::string>& ids,
                                   const auth::Principal& as) {
    auto found = analytics::FindEntryPoints(*store_, source, ids, as.user_id);
    EXPECT_TRUE(found) << found.error().message;
    return found ? *found : std::vector<std::string>{};
  }
  // "name:depth" of each node, sorted.
  static std::set<std::string> Depths(const GraphData& graph) {
    std::set<std::string> out;
    for (const auto& node : graph.nodes) out.insert(fmt::format("{}:{}", node.name, node.depth));
    return out;
  }
  static std::set<std::string> Edges(const GraphData& graph) {
    std::set<std::string> out;
    for (const auto& edge : graph.edges) {
      out.insert(graph.nodes[edge.from].name + ">" + graph.nodes[edge.to].name);
    }
    return out;
  }

  testing::TestDatabase database_{GetParam()};
  store::Store* store_ = database_.store();
  SystemClock clock_;
  std::optional<inventory::Records> records_;
  auth::Principal alice_{.user_id = NewId(), .name = "alice"};
  auth::Principal bob_{.user_id = NewId(), .name = "bob"};
};

TEST_P(GraphsWalkTest, DepthsAreShortestDistancesAndCyclesEndTheWalk) {
  const std::string a = App("a"), b = App("b"), c = App("c"), d = App("d");
  Deps(a, {b, c});
  Deps(b, {c, d});
  Deps(c, {a});  // back to the start
  Deps(d, {b});  // and a cycle b → d → b
  const GraphData graph = Walk({a}, alice_);
  EXPECT_EQ(Depths(graph), (std::set<std::string>{"a:0", "b:1", "c:1", "d:2"}));
  EXPECT_EQ(Edges(graph), (std::set<std::string>{"a>b", "a>c", "b>c", "b>d", "c>a", "d>b"}))
      << "every dependency between two drawn applications, cycles included";
  ASSERT_EQ(graph.nodes.front().name, "a") << "nodes come by depth";
  for (const auto& edge : graph.edges) {
    EXPECT_EQ(edge.via, "rest");
  }
  // Two entry points: each node at its distance from the nearer one.
  EXPECT_EQ(Depths(Walk({a, d}, alice_)), (std::set<std::string>{"a:0", "b:1", "c:1", "d:0"}));
  EXPECT_TRUE(Walk({}, alice_).nodes.empty());
}

TEST_P(GraphsWalkTest, TheWalkStopsFortyStepsFromTheEntryPoints) {
  std::vector<std::string> chain;
  for (int i = 0; i < 50; ++i) chain.push_back(App(fmt::format("app-{:02}", i)));
  for (int i = 0; i + 1 < 50; ++i) Deps(chain[i], {chain[i + 1]}, "grpc");
  const GraphData graph = Walk({chain[0]}, alice_);
  ASSERT_EQ(graph.nodes.size(), 41u) << "depths 0 to 40";
  EXPECT_EQ(graph.nodes.back().name, "app-40");
  EXPECT_EQ(graph.nodes.back().depth, 40);
  EXPECT_EQ(graph.edges.size(), 40u);
  const auto metrics = analytics::Measure(graph);
  EXPECT_EQ(metrics.depth_histogram, std::vector<std::int64_t>(41, 1));
  // From the middle, the end is in reach.
  EXPECT_EQ(Walk({chain[20]}, alice_).nodes.size(), 30u);
}

TEST_P(GraphsWalkTest, AnApplicationTheOwnerCannotReadIsNeitherShownNorWalkedThrough) {
  // web → api → db, web → cache; Bob may read web, db and cache, not api.
  const std::string web = App("web"), api = App("api"), db = App("db", "Database"),
                    cache = App("cache", "Cache");
  Deps(web, {api, cache});
  Deps(api, {db});
  for (const auto& id : {web, db, cache}) LetBobRead(id);
  EXPECT_EQ(Depths(Walk({web}, alice_)),
            (std::set<std::string>{"web:0", "api:1", "cache:1", "db:2"}));
  const GraphData bobs = Walk({web}, bob_);
  EXPECT_EQ(Depths(bobs), (std::set<std::string>{"web:0", "cache:1"}))
      << "db is only reached through api";
  EXPECT_EQ(Edges(bobs), std::set<std::string>{"web>cache"});
  EXPECT_TRUE(Walk({api}, bob_).nodes.empty()) << "an unreadable entry point is dropped";
  // A deleted application is gone for everyone.
  ASSERT_TRUE(records_->Delete(alice_, *inventory::DefaultRegistry().Find("applications"), cache));
  EXPECT_EQ(Depths(Walk({web}, alice_)), (std::set<std::string>{"web:0", "api:1", "db:2"}));
}

TEST_P(GraphsWalkTest, NodesCarryTheirReadableServersAndSystemsAndClientsAreCounted) {
  const std::string s1 = Create("servers", {{"hostname", "web-1"},
                                            {"ipv4_private", "10.0.0.1"},
                                            {"ipv4_public", "203.0.113.1"},
                                            {"environment", "Production"}});
  const std::string s2 = Create("servers", {{"hostname", "web-2"}});
  const std::string acme = Create("clients", {{"name", "ACME"}});
  const std::string shop = Create("systems", {{"name", "shop"}, {"clients", {acme}}});
  const std::string web = App("web", "Application", {{"servers", {s1, s2}}, {"systems", {shop}}});
  const std::string db = App("db", "Database");
  Deps(web, {db}, "tcp");
  const GraphData graph = Walk({web}, alice_);
  ASSERT_EQ(graph.nodes.size(), 2u);
  ASSERT_EQ(graph.nodes[0].servers.size(), 2u);
  EXPECT_EQ(graph.nodes[0].servers[0].hostname, "web-1");
  EXPECT_EQ(graph.nodes[0].servers[0].ipv4_private, "10.0.0.1");
  EXPECT_EQ(graph.nodes[0].servers[0].ipv4_public, "203.0.113.1");
  EXPECT_EQ(graph.nodes[0].servers[0].environment, "Production");
  EXPECT_EQ(graph.nodes[1].family, "Database");
  EXPECT_EQ(graph.edges[0].via, "tcp");
  EXPECT_EQ(graph.systems, std::vector<std::string>{shop});
  EXPECT_EQ(graph.clients, std::vector<std::string>{acme});
  const auto metrics = analytics::Measure(graph);
  EXPECT_EQ(metrics.servers, 2);
  EXPECT_EQ(metrics.systems, 1);
  EXPECT_EQ(metrics.clients, 1);
  // Bob reads web, db and web-2 only: one server, and no system or client.
  for (const auto& id : {web, db, s2}) LetBobRead(id);
  const GraphData bobs = Walk({web}, bob_);
  ASSERT_EQ(bobs.nodes.size(), 2u);
  ASSERT_EQ(bobs.nodes[0].servers.size(), 1u);
  EXPECT_EQ(bobs.nodes[0].servers[0].hostname, "web-2");
  EXPECT_TRUE(bobs.systems.empty());
  EXPECT_TRUE(bobs.clients.empty());
}

TEST_P(GraphsWalkTest, SystemsStartAtTheirEntriesOrTheFirstFamilyBandAndClientsAtTheirSystems) {
  const std::string acme = Create("clients", {{"name", "ACME"}});
  const std::string shop = Create("systems", {{"name", "shop"}, {"clients", {acme}}});
  const std::string crm = Create("systems", {{"name", "crm"}, {"clients", {acme}}});
  const std::string cdn = App("cdn", "CDN", {{"systems", {shop}}});
  const std::string lb = App("lb", "Loadbalance", {{"systems", {shop}}});
  const std::string web = App("web", "Application", {{"systems", {shop}}});
  const std::string db = App("db", "Database", {{"systems", {shop}}});
  const std::string crm_app = App("crm-app", "Application", {{"systems", {crm}}});
  const std::string crm_db = App("crm-db", "Database", {{"systems", {crm}}});
  // Without entries: the first band of the hierarchy the system has.
  EXPECT_EQ(Entries(Source::kSystems, {shop}, alice_), (std::vector<std::string>{cdn, lb}));
  EXPECT_EQ(Entries(Source::kSystems, {crm}, alice_), std::vector<std::string>{crm_app});
  // With entries: those.
  Patch("systems", shop, {{"entries", {web}}});
  EXPECT_EQ(Entries(Source::kSystems, {shop}, alice_), std::vector<std::string>{web});
  // A client: its systems, in turn; an application of two systems counts once.
  Patch("applications", crm_db, {{"systems", {crm, shop}}});
  Patch("systems", crm, {{"entries", {crm_db, web}}});
  EXPECT_EQ(Entries(Source::kClients, {acme}, alice_), (std::vector<std::string>{crm_db, web}));
  EXPECT_EQ(Entries(Source::kApplications, {db, web, db}, alice_),
            (std::vector<std::string>{db, web}));
  // Bob reads ACME, shop and db: shop's entry (web) is not his to see, so shop falls back to its
  // applications he can read; crm is not his, so it gives nothing.
  for (const auto& id : {acme, shop, db}) LetBobRead(id);
  EXPECT_EQ(Entries(Source::kClients, {acme}, bob_), std::vector<std::string>{db});
  EXPECT_TRUE(Entries(Source::kSystems, {crm}, bob_).empty());
  EXPECT_TRUE(Entries(Source::kApplications, {web}, bob_).empty());
}

// The metrics of random graphs against networkx's: the test writes each graph, networkx walks it
// breadth first from the same entry points (at most 40 steps) and measures what it reached.
TEST_P(GraphsWalkTest, MetricsOfRandomGraphsAgreeWithNetworkx) {
  testing::TempDir dir;
  constexpr std::string_view kNetworkx = R"py(
import json, sys
import networkx as nx
data = json.load(open(sys.argv[1]))
g = nx.DiGraph()
g.add_nodes_from(data["nodes"])
g.add_edges_from(data["edges"])
depths = nx.multi_source_dijkstra_path_length(g, set(data["entries"]), cutoff=40)
sub = g.subgraph(depths)
histogram = [0] * (max(depths.values()) + 1)
for depth in depths.values():
    histogram[depth] += 1
print(json.dumps({"nodes": sub.number_of_nodes(), "edges": sub.number_of_edges(),
                  "density": nx.density(sub), "histogram": histogram}))
)py";
  for (unsigned seed : {1u, 2u, 3u}) {
    std::mt19937 random(seed);
    const int n = 25 + static_cast<int>(random() % 15);
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) ids.push_back(App(fmt::format("g{}-{}", seed, i)));
    std::map<int, std::set<int>> deps;
    const int m = n * 2 + static_cast<int>(random() % n);
    for (int k = 0; k < m; ++k) {
      const int a = static_cast<int>(random() % n), b = static_cast<int>(random() % n);
      if (a != b) deps[a].insert(b);
    }
    json edges = json::array();
    for (const auto& [a, targets] : deps) {
      std::vector<std::string> to;
      for (int b : targets) {
        to.push_back(ids[b]);
        edges.push_back({a, b});
      }
      Deps(ids[a], to);
    }
    const std::vector<std::string> entries = {ids[0], ids[1], ids[2]};
    const GraphData graph = Walk(entries, alice_);
    const auto metrics = analytics::Measure(graph);

    json nodes = json::array();
    for (int i = 0; i < n; ++i) nodes.push_back(i);
    const auto input = dir.path() / fmt::format("graph-{}.json", seed);
    testing::WriteFile(input,
                       json{{"nodes", nodes}, {"edges", edges}, {"entries", {0, 1, 2}}}.dump());
    const std::string log = (dir.path() / fmt::format("networkx-{}.txt", seed)).string();
    const pid_t python =
        testing::Spawn("/usr/bin/python3", {"-c", std::string(kNetworkx), input.string()}, {}, log);
    ASSERT_EQ(testing::WaitExit(python, std::chrono::seconds(60)), 0) << testing::ReadFile(log);
    const json expected = json::parse(testing::ReadFile(log));
    SCOPED_TRACE(fmt::format("seed {}: {} nodes, {} dependencies", seed, n, edges.size()));
    EXPECT_EQ(metrics.nodes, expected["nodes"]);
    EXPECT_EQ(metrics.edges, expected["edges"]);
    EXPECT_NEAR(metrics.density, expected["density"].get<double>(), 1e-12);
    EXPECT_EQ(json(metrics.depth_histogram), expected["histogram"]);
    // The walk's own depths say the same.
    std::vector<std::int64_t> walked;
    for (const auto& node : graph.nodes) {
      if (walked.size() <= static_cast<std::size_t>(node.depth)) walked.resize(node.depth + 1, 0);
      ++walked[node.depth];
    }
    EXPECT_EQ(json(walked), expected["histogram"]);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, GraphsWalkTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace maestro
