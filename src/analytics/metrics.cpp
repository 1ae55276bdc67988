#include "analytics/metrics.h"

#include <nlohmann/json.hpp>
#include <set>

namespace maestro::analytics {

Metrics Measure(const GraphData& graph) {
  Metrics out;
  const std::size_t n = graph.nodes.size();
  out.nodes = static_cast<std::int64_t>(n);
  out.edges = static_cast<std::int64_t>(graph.edges.size());
  if (n >= 2) {
    out.density =
        static_cast<double>(out.edges) / (static_cast<double>(n) * static_cast<double>(n - 1));
  }
  // Adjacency in compressed rows: the edges' targets grouped by source.
  std::vector<std::size_t> start(n + 1, 0);
  for (const auto& edge : graph.edges) ++start[edge.from + 1];
  for (std::size_t i = 0; i < n; ++i) start[i + 1] += start[i];
  std::vector<std::size_t> targets(graph.edges.size());
  std::vector<std::size_t> fill(start.begin(), start.end() - 1);
  for (const auto& edge : graph.edges) targets[fill[edge.from]++] = edge.to;
  // Breadth first from every entry point at once.
  std::vector<int> depth(n, -1);
  std::vector<std::size_t> queue;
  queue.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (graph.nodes[i].depth == 0) {
      depth[i] = 0;
      queue.push_back(i);
    }
  }
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const std::size_t at = queue[head];
    for (std::size_t k = start[at]; k < start[at + 1]; ++k) {
      const std::size_t next = targets[k];
      if (depth[next] < 0) {
        depth[next] = depth[at] + 1;
        queue.push_back(next);
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (depth[i] < 0) continue;  // not reached: cannot happen for a walked graph
    const auto d = static_cast<std::size_t>(depth[i]);
    if (out.depth_histogram.size() <= d) out.depth_histogram.resize(d + 1, 0);
    ++out.depth_histogram[d];
  }
  std::set<std::string> servers;
  for (const auto& node : graph.nodes) {
    ++out.families[node.family];
    for (const auto& server : node.servers) servers.insert(server.id);
  }
  out.servers = static_cast<std::int64_t>(servers.size());
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
