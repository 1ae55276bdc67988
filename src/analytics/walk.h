// The dependency walk of a graph (ARCHITECTURE.md, analytics): which applications a graph starts
// from, and what they depend on, as their owner may see it.
//
// Entry points: a graph from applications starts at those; from systems, at each system's
// `entries`, or — for a system without any — at its applications of the first family band
// (FallbackEntries); from clients, at their systems, then as from systems.
//
// The walk is one recursive SQL query over the edge table (relation app_deps), breadth first from
// the entry points to a depth of 40: each level is the set of applications one step further that
// no earlier level reached, so cycles end the walk instead of repeating it and each node's depth is
// its shortest distance from an entry point. Access is checked in the query with the rule lists
// use (auth::AccessCondition): an application the owner cannot read, or a deleted one, is neither
// shown nor walked through. Then each node's servers (readable ones) and the systems and clients
// the nodes belong to are read.
//
// Thread-safe: state is in the Store.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "store/store.h"

namespace maestro::analytics {

// What a graph is drawn from (the one key of its `from`).
enum class Source { kSystems, kClients, kApplications };

struct Server {
  std::string id;
  std::string hostname;
  std::string ipv4_private;
  std::string ipv4_public;
  std::string environment;
};

struct Node {
  std::string id;  // the application's
  std::string name;
  std::string family;
  int depth = 0;  // shortest distance from an entry point (0 = an entry point)
  std::vector<Server> servers;
};

struct Edge {
  std::size_t from = 0;  // index into nodes: the application that depends…
  std::size_t to = 0;    // …on this one
  std::string via;       // rest, grpc, tcp, amqp, …
  std::string endpoint;
};

// A walked graph: its nodes (by depth, then name), the dependencies between them, and the
// systems and clients the nodes belong to (ids, readable ones).
struct GraphData {
  std::vector<Node> nodes;
  std::vector<Edge> edges;
  std::vector<std::string> systems;
  std::vector<std::string> clients;
};

// How far the walk goes from an entry point.
inline constexpr int kMaxDepth = 40;

// The entry applications of a graph for its owner: ids in a stable order, without duplicates.
// Records the owner cannot read (or deleted ones) count as absent.
Result<std::vector<std::string>> FindEntryPoints(store::Store& store, Source source,
                                                 const std::vector<std::string>& ids,
                                                 const std::string& owner_id);

// The applications a system without entries starts from, out of its applications (id, family),
// by the original's family hierarchy (see walk.cpp for the reading of its rule). In the order
// given, which should be stable (by name, say).
std::vector<std::string> FallbackEntries(
    const std::vector<std::pair<std::string, std::string>>& applications);

// Walks from the entry points (ids of applications; unreadable ones are dropped) as the owner may
// see it, at most `max_depth` steps, and loads what the drawing shows.
Result<GraphData> Walk(store::Store& store, const std::vector<std::string>& entries,
                       const std::string& owner_id, int max_depth = kMaxDepth);

}  // namespace maestro::analytics
