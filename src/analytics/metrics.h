// Metrics of a walked graph (DATA-MODEL.md, graphs `info`): nodes, edges, density as networkx
// defines it for a directed graph (m / (n(n−1)), 0 below two nodes), the number of nodes at each
// depth, nodes by family, and the systems, clients and servers involved.
//
// The depth histogram is measured here from the edges alone — a breadth-first search from the
// entry points (the nodes at depth 0) — so it checks the walk's own depths rather than repeating
// them. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "analytics/walk.h"

namespace maestro::analytics {

struct Metrics {
  std::int64_t nodes = 0;
  std::int64_t edges = 0;
  double density = 0;
  std::vector<std::int64_t> depth_histogram;  // index = depth (0 = entry points)
  std::map<std::string, std::int64_t> families;
  std::int64_t systems = 0;
  std::int64_t clients = 0;
  std::int64_t servers = 0;  // distinct servers attached to the nodes
};

Metrics Measure(const GraphData& graph);

// The parts of Measure that networkx also computes (the benchmark compares them):
// m / (n(n−1)), 0 below two nodes.
double Density(std::size_t nodes, std::size_t edges);
// The number of nodes at each depth, breadth first over the edges from the nodes at depth 0.
std::vector<std::int64_t> DepthHistogram(const GraphData& graph);

// The `info` object of a graph: {nodes, edges, density, depth_histogram, families, systems,
// clients, servers}.
nlohmann::json InfoJson(const Metrics& metrics);

}  // namespace maestro::analytics
