// Metrics of walked graphs, checked by hand here (and against networkx on random graphs in
// tests/integration/graphs_walk_test.cpp).
#include "analytics/metrics.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace maestro::analytics {
namespace {

Node At(std::string id, std::string family, int depth, std::vector<std::string> servers = {}) {
  Node node{.id = id, .name = id, .family = std::move(family), .depth = depth};
  for (auto& server : servers) node.servers.push_back({.id = server, .hostname = server});
  return node;
}

TEST(MeasureTest, CountsDensityDepthsFamiliesAndServers) {
  // a → b → c → a (a cycle), a → d, e an entry point of its own; b and d share server s2.
  GraphData graph;
  graph.nodes = {At("a", "CDN", 0, {"s1"}), At("e", "Application", 0),
                 At("b", "Application", 1, {"s2"}), At("d", "Database", 1, {"s2", "s3"}),
                 At("c", "Database", 2)};
  graph.edges = {{0, 2, "rest", ""}, {2, 4, "grpc", ""}, {4, 0, "tcp", ""}, {0, 3, "tcp", ""}};
  graph.systems = {"sys1", "sys2"};
  graph.clients = {"client1"};
  const Metrics metrics = Measure(graph);
  EXPECT_EQ(metrics.nodes, 5);
  EXPECT_EQ(metrics.edges, 4);
  EXPECT_DOUBLE_EQ(metrics.density, 4.0 / 20.0);
  EXPECT_EQ(metrics.depth_histogram, (std::vector<std::int64_t>{2, 2, 1}));
  EXPECT_EQ(metrics.families,
            (std::map<std::string, std::int64_t>{{"Application", 2}, {"CDN", 1}, {"Database", 2}}));
  EXPECT_EQ(metrics.servers, 3) << "a server of two applications counts once";
  EXPECT_EQ(metrics.systems, 2);
  EXPECT_EQ(metrics.clients, 1);
  const nlohmann::json info = InfoJson(metrics);
  EXPECT_EQ(info["depth_histogram"], nlohmann::json({2, 2, 1}));
  EXPECT_EQ(info["families"]["Database"], 2);
  EXPECT_DOUBLE_EQ(info["density"].get<double>(), 0.2);
}

TEST(MeasureTest, TheHistogramComesFromTheEdgesNotFromTheGivenDepths) {
  // The depths given say 3 for c, but the edges reach it in one step from the entry point.
  GraphData graph;
  graph.nodes = {At("a", "Application", 0), At("b", "Application", 1), At("c", "Application", 3)};
  graph.edges = {{0, 1, "rest", ""}, {0, 2, "rest", ""}};
  EXPECT_EQ(Measure(graph).depth_histogram, (std::vector<std::int64_t>{1, 2}));
}

TEST(MeasureTest, DensityIsZeroBelowTwoNodes) {
  EXPECT_EQ(Measure(GraphData{}).density, 0);
  EXPECT_EQ(Measure(GraphData{}).depth_histogram, std::vector<std::int64_t>{});
  GraphData one;
  one.nodes = {At("a", "Application", 0)};
  EXPECT_EQ(Measure(one).density, 0);
  EXPECT_EQ(Measure(one).depth_histogram, std::vector<std::int64_t>{1});
}

}  // namespace
}  // namespace maestro::analytics
