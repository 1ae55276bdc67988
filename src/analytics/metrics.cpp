#include "analytics/metrics.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>

namespace maestro::analytics {

double Density(std::size_t nodes, std::size_t edges) {
  if (nodes < 2) return 0;
  return static_cast<double>(edges) / (static_cast<double>(nodes) * static_cast<double>(nodes - 1));
}

std::vector<std::int64_t> DepthHistogram(const GraphData& graph) {
  const std::size_t n = graph.nodes.size();
  // Adjacency in compressed rows: the edges' targets grouped by source.
  std::vector<std::uint32_t> start(n + 1, 0);
  for (const auto& edge : graph.edges) ++start[edge.from + 1];
  for (std::size_t i = 0; i < n; ++i) start[i + 1] += start[i];
  std::vector<std::uint32_t> targets(graph.edges.size());
  std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
  for (const auto& edge : graph.edges)
    targets[fill[edge.from]++] = static_cast<std::uint32_t>(edge.to);
  // Breadth first from every entry point at once, a level at a time.
  std::vector<bool> seen(n, false);
  std::vector<std::uint32_t> level, next;
  for (std::size_t i = 0; i < n; ++i) {
    if (graph.nodes[i].depth == 0) {
      seen[i] = true;
      level.push_back(static_cast<std::uint32_t>(i));
    }
  }
  std::vector<std::int64_t> out;
  while (!level.empty()) {
    out.push_back(static_cast<std::int64_t>(level.size()));
    next.clear();
    for (const std::uint32_t at : level) {
      for (std::uint32_t k = start[at]; k < start[at + 1]; ++k) {
        if (!seen[targets[k]]) {
          seen[targets[k]] = true;
          next.push_back(targets[k]);
        }
      }
    }
    level.swap(next);
  }
  return out;
}

Metrics Measure(const GraphData& graph) {
  Metrics out;
  out.nodes = static_cast<std::int64_t>(graph.nodes.size());
  out.edges = static_cast<std::int64_t>(graph.edges.size());
  out.density = Density(graph.nodes.size(), graph.edges.size());
  out.depth_histogram = DepthHistogram(graph);
  std::unordered_map<std::string_view, std::int64_t> families;
  std::vector<std::string_view> servers;
  for (const auto& node : graph.nodes) {
    ++families[node.family];
    for (const auto& server : node.servers) servers.push_back(server.id);
  }
  for (const auto& [family, count] : families) out.families[std::string(family)] = count;
  std::sort(servers.begin(), servers.end());
  out.servers =
      static_cast<std::int64_t>(std::unique(servers.begin(), servers.end()) - servers.begin());
  out.systems = static_cast<std::int64_t>(graph.systems.size());
  out.clients = static_cast<std::int64_t>(graph.clients.size());
  return out;
}

nlohmann::json InfoJson(const Metrics& metrics) {
  return {{"nodes", metrics.nodes},       {"edges", metrics.edges},
          {"density", metrics.density},   {"depth_histogram", metrics.depth_histogram},
          {"families", metrics.families}, {"systems", metrics.systems},
          {"clients", metrics.clients},   {"servers", metrics.servers}};
}

}  // namespace maestro::analytics
