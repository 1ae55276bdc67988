// The graphs benchmark of scripts/bench (the graphs issue).
//
//   maestro-bench-graphs URI DIR [APPLICATIONS] [DEPENDENCIES]
//
// Migrates the empty database at URI and fills it with APPLICATIONS (10,000) applications and
// DEPENDENCIES (30,000) random dependencies between them (a fixed seed, cycles and all), one server
// per application, 500 systems and 100 clients, owned by one user. Then measures, in this process:
//   - the walk and the metrics of the graph from five applications (which reach most of the
//     others): entry points, the recursive query, servers, systems and clients, and Measure —
//     the median of five runs after a first one;
//   - the layout and SVG of a 500-node graph (the 500 nodes nearest those entry points and the
//     dependencies between them), and its PNG; and of a denser map of 500 applications with 1,500
//     dependencies, cycles among them;
//   - the density and breadth-first depth histogram of the same walked graph, ours next to
//     networkx's (Debian's /usr/bin/python3, timed inside Python without its start-up, the file
//     read and the graph construction; ours includes building the adjacency). They must agree.
//     Measure as a whole (families, servers too) is timed as well.
// Prints one JSON line with the figures. DIR holds the files handed to Python.
//
// Records are inserted with plain multi-row SQL: seeding is setup, not what is measured.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "analytics/drawing.h"
#include "analytics/metrics.h"
#include "analytics/walk.h"
#include "bench_support.h"
#include "common/clock.h"
#include "common/ids.h"
#include "store/migrations.h"
#include "store/open.h"

namespace {

using maestro::bench::Die;
using maestro::bench::Must;
using maestro::store::Session;
using maestro::store::Store;
using nlohmann::json;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

class Seeder {
 public:
  explicit Seeder(Store& store)
      : store_(store), now_(maestro::FormatTime(std::chrono::system_clock::now())) {}

  const std::string& user() const { return user_; }

  // Returns the applications' ids.
  std::vector<std::string> Run(int applications, int dependencies) {
    const auto start = std::chrono::steady_clock::now();
    user_ = maestro::NewId();
    Must(
        store_.Exec("INSERT INTO users (id, email, email_key, name, password_hash, created_at, "
                    "updated_at) VALUES (?, ?, ?, ?, 'x', ?, ?)",
                    {user_, std::string("graphs@bench.example"),
                     std::string("graphs@bench.example"), std::string("Graphs bench"), now_, now_}),
        "user");
    static const std::vector<std::string> families = {"Application", "Application", "Database",
                                                      "Cache",       "Loadbalance", "Broker",
                                                      "CDN",         "ApiGateway"};
    const auto apps = Insert("applications", applications, [](int i) {
      return json{{"name", fmt::format("app-{:05}", i)}, {"family", families[i % families.size()]}};
    });
    const auto servers = Insert("servers", applications, [](int i) {
      return json{
          {"hostname", fmt::format("srv-{:05}", i)},
          {"ipv4_private", fmt::format("10.{}.{}.{}", i >> 16 & 255, i >> 8 & 255, i & 255)},
          {"environment", i % 3 ? "Production" : "Staging"}};
    });
    const int system_count = 500, client_count = 100;
    const auto systems = Insert("systems", system_count, [](int i) {
      return json{{"name", fmt::format("system-{:03}", i)}};
    });
    const auto clients = Insert("clients", client_count, [](int i) {
      return json{{"name", fmt::format("client-{:03}", i)}};
    });
    std::mt19937 random(42);
    std::set<std::pair<std::size_t, std::size_t>> deps;
    while (static_cast<int>(deps.size()) < dependencies) {
      const std::size_t a = random() % apps.size(), b = random() % apps.size();
      if (a != b) deps.insert({a, b});
    }
    std::vector<std::pair<std::size_t, std::size_t>> dep_list(deps.begin(), deps.end());
    Link("app_deps", dep_list.size(), [&](std::size_t i) {
      return std::pair{apps[dep_list[i].first], apps[dep_list[i].second]};
    });
    Link("app_servers", apps.size(), [&](std::size_t i) { return std::pair{apps[i], servers[i]}; });
    Link("app_systems", apps.size(), [&](std::size_t i) {
      return std::pair{apps[i], systems[i % systems.size()]};
    });
    Link("system_clients", systems.size(), [&](std::size_t i) {
      return std::pair{systems[i], clients[i % clients.size()]};
    });
    if (store_.dialect() == maestro::store::Dialect::kPostgres) {
      Must(store_.Transaction(
               [](Session& session) -> maestro::Status { return session.ExecScript("ANALYZE"); }),
           "analyze");
    }
    fmt::print(stderr, "seeded {} applications and {} dependencies in {:.1f} s\n", applications,
               dependencies, SecondsSince(start));
    return apps;
  }

 private:
  template <typename Make>
  std::vector<std::string> Insert(const std::string& kind, int count, Make make) {
    std::vector<std::string> ids;
    ids.reserve(count);
    Must(store_.Transaction([&](Session& session) {
      return maestro::bench::InsertOwnedRecords(session, kind, user_, now_, 0, count, make, ids);
    }),
         "records");
    return ids;
  }

  template <typename Pair>
  void Link(const std::string& relation, std::size_t count, Pair pair) {
    static const std::vector<std::string> protocols = {"rest", "grpc", "tcp", "amqp", "http"};
    Must(store_.Transaction([&](Session& session) {
      return maestro::bench::InsertEdges(session, relation, now_, 0, count, [&](std::size_t i) {
        auto [from, to] = pair(i);
        return maestro::bench::Edge{
            from, to,
            relation == "app_deps" ? json{{"via", protocols[i % protocols.size()]}}.dump() : "{}"};
      });
    }),
         "edges");
  }

  Store& store_;
  std::string now_;
  std::string user_;
};

// The nodes nearest the entry points (graph.nodes is in depth order) and the edges between them.
maestro::analytics::GraphData Nearest(const maestro::analytics::GraphData& graph, std::size_t n) {
  maestro::analytics::GraphData out;
  n = std::min(n, graph.nodes.size());
  out.nodes.assign(graph.nodes.begin(), graph.nodes.begin() + static_cast<std::ptrdiff_t>(n));
  for (const auto& edge : graph.edges) {
    if (edge.from < n && edge.to < n) out.edges.push_back(edge);
  }
  return out;
}

// A denser map: `n` applications, a random tree from five entry points plus random dependencies up
// to `m` in all (cycles among them), depths by breadth-first search as the walk gives them.
maestro::analytics::GraphData Dense(std::size_t n, std::size_t m) {
  maestro::analytics::GraphData graph;
  std::mt19937 random(7);
  static const std::vector<std::string> families = {"Application", "Application", "Database",
                                                    "Cache",       "Broker",      "Loadbalance"};
  for (std::size_t i = 0; i < n; ++i) {
    graph.nodes.push_back({.id = maestro::NewId(),
                           .name = fmt::format("service-{}", i),
                           .family = families[i % families.size()]});
  }
  std::set<std::pair<std::size_t, std::size_t>> edges;
  for (std::size_t i = 5; i < n; ++i) edges.insert({random() % i, i});
  while (edges.size() < m) {
    const std::size_t a = random() % n, b = random() % n;
    if (a != b) edges.insert({a, b});
  }
  std::vector<std::vector<std::size_t>> next(n);
  for (const auto& [a, b] : edges) {
    graph.edges.push_back({a, b, a % 2 ? "rest" : "grpc", ""});
    next[a].push_back(b);
  }
  std::vector<int> depth(n, -1);
  std::vector<std::size_t> queue = {0, 1, 2, 3, 4};
  for (std::size_t i : queue) depth[i] = 0;
  for (std::size_t head = 0; head < queue.size(); ++head) {
    for (std::size_t b : next[queue[head]]) {
      if (depth[b] < 0) {
        depth[b] = depth[queue[head]] + 1;
        queue.push_back(b);
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) graph.nodes[i].depth = depth[i];
  return graph;
}

constexpr std::string_view kNetworkx = R"py(
import json, sys, time
import networkx as nx
data = json.load(open(sys.argv[1]))
started = time.perf_counter()
g = nx.DiGraph()
g.add_nodes_from(range(data["nodes"]))
g.add_edges_from(data["edges"])
build = time.perf_counter() - started
runs = []
for _ in range(5):
    started = time.perf_counter()
    density = nx.density(g)
    histogram = [len(layer) for layer in nx.bfs_layers(g, data["entries"])][:41]
    runs.append(time.perf_counter() - started)
runs.sort()
print(json.dumps({"build_s": build, "metrics_s": runs[len(runs) // 2], "density": density,
                  "histogram": histogram, "networkx": nx.__version__}))
)py";

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() < 2 || args.size() > 4) {
    fmt::print(stderr, "usage: maestro-bench-graphs URI DIR [APPLICATIONS] [DEPENDENCIES]\n");
    return 2;
  }
  const int applications = args.size() > 2 ? std::max(10, std::atoi(args[2].c_str())) : 10000;
  const int dependencies = args.size() > 3 ? std::max(1, std::atoi(args[3].c_str())) : 30000;
  const std::filesystem::path dir = args[1];
  std::filesystem::create_directories(dir);
  auto opened = maestro::store::OpenStore({.uri = args[0], .pool_size = 2});
  if (!opened) Die(opened.error().message);
  Store& store = **opened;
  Must(maestro::store::Migrate(store), "migrate");
  Seeder seeder(store);
  const auto apps = seeder.Run(applications, dependencies);
  const std::vector<std::string> from(apps.begin(), apps.begin() + 5);

  // Walk and metrics, as a build does them.
  maestro::analytics::GraphData graph;
  maestro::analytics::Metrics metrics;
  std::vector<double> totals, walks, measures;
  for (int run = 0; run < 6; ++run) {
    const auto start = std::chrono::steady_clock::now();
    auto entries = Must(maestro::analytics::FindEntryPoints(
                            store, maestro::analytics::Source::kApplications, from, seeder.user()),
                        "entry points");
    graph = Must(maestro::analytics::Walk(store, entries, seeder.user()), "walk");
    const double walk = SecondsSince(start);
    const auto measuring = std::chrono::steady_clock::now();
    metrics = maestro::analytics::Measure(graph);
    measures.push_back(SecondsSince(measuring));
    walks.push_back(walk);
    totals.push_back(SecondsSince(start));
  }
  const double first = totals.front();
  totals.erase(totals.begin());
  walks.erase(walks.begin());
  // Measure alone, many times (it takes milliseconds); and the part networkx also computes:
  // density and depth histogram.
  for (int run = 0; run < 50; ++run) {
    const auto measuring = std::chrono::steady_clock::now();
    metrics = maestro::analytics::Measure(graph);
    measures.push_back(SecondsSince(measuring));
  }
  std::vector<double> comparable;
  double density = 0;
  std::vector<std::int64_t> histogram;
  for (int run = 0; run < 50; ++run) {
    const auto start = std::chrono::steady_clock::now();
    density = maestro::analytics::Density(graph.nodes.size(), graph.edges.size());
    histogram = maestro::analytics::DepthHistogram(graph);
    comparable.push_back(SecondsSince(start));
  }

  // A 500-node drawing.
  const auto near = Nearest(graph, 500);
  std::vector<double> layouts;
  maestro::analytics::Drawing drawing;
  for (int run = 0; run < 3; ++run) {
    const auto start = std::chrono::steady_clock::now();
    drawing = Must(maestro::analytics::Draw(near, "benchmark"), "draw");
    layouts.push_back(SecondsSince(start));
  }
  const auto dense = Dense(500, 1500);
  std::vector<double> dense_layouts;
  for (int run = 0; run < 3; ++run) {
    const auto start = std::chrono::steady_clock::now();
    Must(maestro::analytics::Draw(dense, "dense"), "draw the dense map");
    dense_layouts.push_back(SecondsSince(start));
  }
  const auto rendering = std::chrono::steady_clock::now();
  const std::string png = Must(maestro::analytics::RenderPng(drawing.dot), "png");
  const double png_s = SecondsSince(rendering);

  // networkx on the same walked graph.
  json edges = json::array();
  json entries = json::array();
  for (const auto& edge : graph.edges) edges.push_back({edge.from, edge.to});
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    if (graph.nodes[i].depth == 0) entries.push_back(i);
  }
  const auto input = dir / "graph.json";
  const auto script = dir / "networkx_metrics.py";
  std::ofstream(input) << json{
      {"nodes", graph.nodes.size()},
      {"edges", edges},
      {"entries", entries}}.dump();
  std::ofstream(script) << kNetworkx;
  std::string output;
  {
    FILE* python = ::popen(
        fmt::format("/usr/bin/python3 '{}' '{}'", script.string(), input.string()).c_str(), "r");
    if (python == nullptr) Die("cannot run /usr/bin/python3");
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, python) != nullptr) output += buffer;
    if (::pclose(python) != 0) Die("networkx failed (is python3-networkx installed?): " + output);
  }
  const json networkx = json::parse(output);
  const bool agree = networkx["histogram"] == json(histogram) &&
                     histogram == metrics.depth_histogram &&
                     std::abs(networkx["density"].get<double>() - density) < 1e-12;
  if (!agree) {
    Die(fmt::format("networkx disagrees: {} vs density {} histogram {}", networkx.dump(), density,
                    json(histogram).dump()));
  }
  const double ours = Median(comparable);
  fmt::print("{}\n",
             json{{"backend",
                   store.dialect() == maestro::store::Dialect::kSqlite ? "sqlite" : "postgresql"},
                  {"applications", applications},
                  {"dependencies", dependencies},
                  {"nodes", metrics.nodes},
                  {"edges", metrics.edges},
                  {"walk_metrics_s", Median(totals)},
                  {"walk_metrics_first_s", first},
                  {"walk_s", Median(walks)},
                  {"measure_s", Median(measures)},
                  {"metrics_s", ours},
                  {"layout_nodes", near.nodes.size()},
                  {"layout_edges", near.edges.size()},
                  {"layout_svg_s", Median(layouts)},
                  {"svg_bytes", drawing.svg.size()},
                  {"dense_nodes", dense.nodes.size()},
                  {"dense_edges", dense.edges.size()},
                  {"dense_layout_svg_s", Median(dense_layouts)},
                  {"png_s", png_s},
                  {"png_bytes", png.size()},
                  {"networkx", networkx["networkx"]},
                  {"networkx_metrics_s", networkx["metrics_s"]},
                  {"networkx_build_s", networkx["build_s"]},
                  {"speedup", networkx["metrics_s"].get<double>() / ours}}
                 .dump());
  return 0;
}
