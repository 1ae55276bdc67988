#include "analytics/walk.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "auth/roles.h"

namespace maestro::analytics {
namespace {

using nlohmann::json;
using store::AsInt;
using store::AsString;
using store::Dialect;
using store::IsNull;

// The original's family hierarchy for systems without entries (ORIGINAL.md, Dependency graphs),
// read in bands of three (one a line).
// clang-format off
constexpr std::array<std::string_view, 21> kHierarchy = {
    "CDN",           "ApiGateway",       "Loadbalance",
    "NAS",           "Application",      "Serverless",
    "ObjectStorage", "ServiceDiscovery", "VPN",
    "CI/CD",         "Monitor",          "Cache",
    "Logs",          "SMTP",             "Auth",
    "Broker",        "Repository",       "Database",
    "ContainerOrchestration", "ServiceMesh", "DNS"};
// clang-format on
constexpr std::size_t kBand = 3;

// A list of ids bound as one parameter (a JSON list), whatever its length: "x IN <this>".
std::string IdsIn(Dialect dialect) {
  return dialect == Dialect::kSqlite ? "(SELECT value FROM json_each(?))"
                                     : "(SELECT jsonb_array_elements_text(CAST(? AS jsonb)))";
}

void Append(store::Params& params, const store::Params& more) {
  params.insert(params.end(), more.begin(), more.end());
}

// The ids of `kind` among `ids` that the owner can read and that are active, in the order given,
// once each.
Result<std::vector<std::string>> Readable(store::Store& store, const std::string& kind,
                                          const std::vector<std::string>& ids,
                                          const std::string& owner_id) {
  const auto access =
      auth::AccessCondition("r.id", owner_id, auth::Role::kRead, auth::AccessPlan::kPerRow);
  store::Params params = {json(ids).dump(), kind, true};
  Append(params, access.params);
  auto rows = store.Query(fmt::format("SELECT r.id FROM records r WHERE r.id IN {} AND r.kind = ? "
                                      "AND r.active = ? AND {}",
                                      IdsIn(store.dialect()), access.sql),
                          params);
  if (!rows) return Fail(rows.error());
  std::unordered_set<std::string> found;
  for (const auto& row : rows->rows) found.insert(AsString(row[0]));
  std::vector<std::string> out;
  for (const auto& id : ids) {
    if (found.erase(id) > 0) out.push_back(id);
  }
  return out;
}

// For each id of `ids` (one end of `relation`: its from_id when `ids_are_from`, else its to_id),
// the records at the other end that are of `kind`, readable and active, by name: [id] ->
// [(other id, family)].
Result<std::map<std::string, std::vector<std::pair<std::string, std::string>>>> Linked(
    store::Store& store, const std::string& relation, bool ids_are_from,
    const std::vector<std::string>& ids, const std::string& kind, const std::string& owner_id) {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> out;
  if (ids.empty()) return out;
  const char* mine = ids_are_from ? "e.from_id" : "e.to_id";
  const char* theirs = ids_are_from ? "e.to_id" : "e.from_id";
  const Dialect dialect = store.dialect();
  const auto access =
      auth::AccessCondition("o.id", owner_id, auth::Role::kRead, auth::AccessPlan::kPerRow);
  store::Params params = {relation, json(ids).dump(), kind, true};
  Append(params, access.params);
  auto rows = store.Query(
      fmt::format("SELECT {0}, o.id, {2} FROM edges e JOIN records o ON o.id = {1} WHERE "
                  "e.relation = ? AND {0} IN {3} AND o.kind = ? AND o.active = ? AND {4} "
                  "ORDER BY {0}, LOWER({5}), o.id",
                  mine, theirs, store::JsonText(dialect, "o.doc", {"family"}), IdsIn(dialect),
                  access.sql, store::JsonText(dialect, "o.doc", {"name"})),
      params);
  if (!rows) return Fail(rows.error());
  for (const auto& row : rows->rows) {
    out[AsString(row[0])].emplace_back(AsString(row[1]), AsString(row[2]));
  }
  return out;
}

// The distinct records of `kind` at the other end of `relation` from `ids` (its from_id end), that
// the owner can read and that are active: access is checked once per record, not per edge.
Result<std::vector<std::string>> Involved(store::Store& store, const std::string& relation,
                                          const std::vector<std::string>& ids,
                                          const std::string& kind, const std::string& owner_id) {
  if (ids.empty()) return std::vector<std::string>{};
  const auto access =
      auth::AccessCondition("o.id", owner_id, auth::Role::kRead, auth::AccessPlan::kPerRow);
  store::Params params = {relation, json(ids).dump(), kind, true};
  Append(params, access.params);
  auto rows = store.Query(
      fmt::format("SELECT o.id FROM records o WHERE o.id IN (SELECT e.to_id FROM edges e WHERE "
                  "e.relation = ? AND e.from_id IN {}) AND o.kind = ? AND o.active = ? AND {} "
                  "ORDER BY o.id",
                  IdsIn(store.dialect()), access.sql),
      params);
  if (!rows) return Fail(rows.error());
  std::vector<std::string> out;
  out.reserve(rows->size());
  for (const auto& row : rows->rows) out.push_back(AsString(row[0]));
  return out;
}

// The walk: rows (id, NULL, depth, name, family) for nodes and (from, to, NULL, via, endpoint)
// for the dependencies between them. Each level of `bfs` is one row: the level's depth, its
// applications (`frontier`) and those of every level before it (`seen`); the next level is the
// dependencies of the frontier that are in neither and that are readable and active (checked
// after the set difference, so once per application rather than once per edge). Parameters: the
// entry ids (a JSON list), then for each of the two levels true (active) and the access
// parameters, then the depth limit.
std::string WalkSql(Dialect dialect, const std::string& access_sql) {
  const std::string name = store::JsonText(dialect, "r.doc", {"name"});
  const std::string family = store::JsonText(dialect, "r.doc", {"family"});
  const std::string via = store::JsonText(dialect, "e.attrs", {"via"});
  const std::string endpoint = store::JsonText(dialect, "e.attrs", {"endpoint"});
  // The nodes and the edges between two of them, from the levels (materialized: read three times).
  // CROSS JOIN keeps SQLite's join order (PostgreSQL plans it as an inner join).
  const std::string results = fmt::format(
      "SELECT n.id AS id, NULL AS to_id, n.depth AS depth, {0} AS name, {1} AS family FROM "
      "nodes n CROSS JOIN records r WHERE r.id = n.id "
      "UNION ALL "
      "SELECT e.from_id, e.to_id, NULL, {2}, {3} FROM nodes n CROSS JOIN edges e JOIN nodes m ON "
      "m.id = e.to_id WHERE e.relation = 'app_deps' AND e.from_id = n.id",
      name, family, via, endpoint);
  if (dialect == Dialect::kSqlite) {
    // Levels are JSON lists; `seen` grows by text concatenation of the compact lists SQLite
    // writes. CROSS JOIN keeps SQLite's join order: from the level's few ids to their edges.
    return fmt::format(
        "WITH RECURSIVE bfs(depth, frontier, seen) AS ("
        "SELECT 0, (SELECT json_group_array(r.id) FROM records r WHERE r.id IN (SELECT value "
        "FROM json_each(?)) AND r.kind = 'applications' AND r.active = ? AND {0}), '[]' "
        "UNION ALL "
        "SELECT b.depth + 1, (SELECT json_group_array(r.id) FROM (SELECT e.to_id AS id FROM "
        "json_each(b.frontier) f CROSS JOIN edges e WHERE e.relation = 'app_deps' AND e.from_id "
        "= f.value EXCEPT SELECT value FROM json_each(b.seen) EXCEPT SELECT value FROM "
        "json_each(b.frontier)) c CROSS JOIN records r WHERE r.id = c.id AND r.kind = "
        "'applications' AND r.active = ? AND {0}), CASE WHEN b.seen = '[]' THEN b.frontier ELSE "
        "substr(b.seen, 1, "
        "length(b.seen) - 1) || ',' || substr(b.frontier, 2) END "
        "FROM bfs b WHERE b.depth < ? AND b.frontier <> '[]'), "
        "nodes(id, depth) AS MATERIALIZED (SELECT f.value, b.depth FROM bfs b, "
        "json_each(b.frontier) f) {1}",
        access_sql, results);
  }
  // PostgreSQL: levels are text arrays; EXCEPT makes each set difference a hash operation.
  return fmt::format(
      "WITH RECURSIVE bfs(depth, frontier, seen) AS ("
      "SELECT 0, ARRAY(SELECT r.id FROM records r WHERE r.id IN (SELECT "
      "jsonb_array_elements_text(CAST(? AS jsonb))) AND r.kind = 'applications' AND r.active = ? "
      "AND {0}), CAST(ARRAY[] AS text[]) "
      "UNION ALL "
      "SELECT b.depth + 1, ARRAY(SELECT r.id FROM (SELECT e.to_id AS id FROM unnest(b.frontier) "
      "f(id) JOIN edges e ON e.relation = 'app_deps' AND e.from_id = f.id EXCEPT SELECT "
      "unnest(b.seen) EXCEPT SELECT unnest(b.frontier)) c JOIN records r ON r.id = c.id WHERE "
      "r.kind = 'applications' AND r.active = ? AND {0}), b.seen || b.frontier "
      "FROM bfs b WHERE b.depth < ? AND cardinality(b.frontier) > 0), "
      "nodes AS MATERIALIZED (SELECT f.id, b.depth FROM bfs b, unnest(b.frontier) f(id)) {1}",
      access_sql, results);
}

}  // namespace

std::vector<std::string> FallbackEntries(
    const std::vector<std::pair<std::string, std::string>>& applications) {
  // The original sorted a system's applications by this hierarchy and "cut at the first band of
  // three". Our reading: the hierarchy is a list of bands of three families (CDN, ApiGateway,
  // Loadbalance | NAS, Application, Serverless | ObjectStorage, ServiceDiscovery, VPN | …), front
  // doors first; the entry points are the applications of the first band that has any of the
  // system's applications — all of them, whichever family of the band each has. A system with a
  // CDN and a load balancer starts at both; one of applications and databases starts at its
  // applications; one of databases alone at its databases. Families outside the hierarchy
  // (AutoScaling, Corporate) form a last band of their own, so a system still has entry points.
  auto band = [](const std::string& family) {
    const auto found = std::find(kHierarchy.begin(), kHierarchy.end(), family);
    return static_cast<std::size_t>(found - kHierarchy.begin()) / kBand;  // outside: past the end
  };
  std::size_t first = SIZE_MAX;
  for (const auto& [id, family] : applications) first = std::min(first, band(family));
  std::vector<std::string> out;
  for (const auto& [id, family] : applications) {
    if (band(family) == first) out.push_back(id);
  }
  return out;
}

Result<std::vector<std::string>> FindEntryPoints(store::Store& store, Source source,
                                                 const std::vector<std::string>& ids,
                                                 const std::string& owner_id) {
  if (source == Source::kApplications) return Readable(store, "applications", ids, owner_id);
  std::vector<std::string> systems;
  if (source == Source::kClients) {
    auto clients = Readable(store, "clients", ids, owner_id);
    if (!clients) return clients;
    auto linked =
        Linked(store, "system_clients", /*ids_are_from=*/false, *clients, "systems", owner_id);
    if (!linked) return Fail(linked.error());
    for (const auto& client : *clients) {
      for (const auto& [system, unused] : (*linked)[client]) systems.push_back(system);
    }
  } else {
    auto readable = Readable(store, "systems", ids, owner_id);
    if (!readable) return readable;
    systems = std::move(*readable);
  }
  auto entries =
      Linked(store, "system_entries", /*ids_are_from=*/true, systems, "applications", owner_id);
  if (!entries) return Fail(entries.error());
  std::vector<std::string> without;
  for (const auto& system : systems) {
    if (!entries->contains(system)) without.push_back(system);
  }
  auto applications =
      Linked(store, "app_systems", /*ids_are_from=*/false, without, "applications", owner_id);
  if (!applications) return Fail(applications.error());
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& system : systems) {
    std::vector<std::string> starts;
    if (auto found = entries->find(system); found != entries->end()) {
      for (const auto& [id, unused] : found->second) starts.push_back(id);
    } else {
      starts = FallbackEntries((*applications)[system]);
    }
    for (auto& id : starts) {
      if (seen.insert(id).second) out.push_back(std::move(id));
    }
  }
  return out;
}

Result<GraphData> Walk(store::Store& store, const std::vector<std::string>& entries,
                       const std::string& owner_id, int max_depth) {
  GraphData graph;
  if (entries.empty()) return graph;
  const Dialect dialect = store.dialect();
  const auto access =
      auth::AccessCondition("r.id", owner_id, auth::Role::kRead, auth::AccessPlan::kPerRow);
  store::Params params = {json(entries).dump(), true};
  Append(params, access.params);  // the first level
  params.push_back(true);
  Append(params, access.params);
  params.push_back(static_cast<std::int64_t>(max_depth));
  auto rows = store.Query(WalkSql(dialect, access.sql), params);
  if (!rows) return Fail(rows.error());

  std::unordered_map<std::string, std::size_t> index;  // node id -> position in graph.nodes
  for (const auto& row : rows->rows) {
    if (!IsNull(row[1])) continue;
    graph.nodes.push_back({.id = AsString(row[0]),
                           .name = AsString(row[3]),
                           .family = AsString(row[4]),
                           .depth = static_cast<int>(AsInt(row[2]))});
  }
  std::stable_sort(graph.nodes.begin(), graph.nodes.end(), [](const Node& a, const Node& b) {
    return a.depth != b.depth ? a.depth < b.depth
                              : (a.name != b.name ? a.name < b.name : a.id < b.id);
  });
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) index[graph.nodes[i].id] = i;
  for (const auto& row : rows->rows) {
    if (IsNull(row[1])) continue;
    auto from = index.find(AsString(row[0]));
    auto to = index.find(AsString(row[1]));
    if (from == index.end() || to == index.end()) continue;
    graph.edges.push_back({.from = from->second,
                           .to = to->second,
                           .via = AsString(row[3]),
                           .endpoint = AsString(row[4])});
  }
  std::sort(graph.edges.begin(), graph.edges.end(), [](const Edge& a, const Edge& b) {
    return std::pair(a.from, a.to) < std::pair(b.from, b.to);
  });

  std::vector<std::string> ids;
  ids.reserve(graph.nodes.size());
  for (const auto& node : graph.nodes) ids.push_back(node.id);
  // Servers of each node, readable ones, by hostname.
  const auto server_access =
      auth::AccessCondition("s.id", owner_id, auth::Role::kRead, auth::AccessPlan::kPerRow);
  store::Params server_params = {json(ids).dump(), true};
  Append(server_params, server_access.params);
  const std::string hostname = store::JsonText(dialect, "s.doc", {"hostname"});
  auto servers = store.Query(
      fmt::format("SELECT e.from_id, s.id, {0}, {1}, {2}, {3} FROM edges e JOIN records s ON s.id "
                  "= e.to_id WHERE e.relation = 'app_servers' AND e.from_id IN {4} AND s.kind = "
                  "'servers' AND s.active = ? AND {5} ORDER BY e.from_id, {0}, s.id",
                  hostname, store::JsonText(dialect, "s.doc", {"ipv4_private"}),
                  store::JsonText(dialect, "s.doc", {"ipv4_public"}),
                  store::JsonText(dialect, "s.doc", {"environment"}), IdsIn(dialect),
                  server_access.sql),
      server_params);
  if (!servers) return Fail(servers.error());
  for (const auto& row : servers->rows) {
    graph.nodes[index[AsString(row[0])]].servers.push_back({.id = AsString(row[1]),
                                                            .hostname = AsString(row[2]),
                                                            .ipv4_private = AsString(row[3]),
                                                            .ipv4_public = AsString(row[4]),
                                                            .environment = AsString(row[5])});
  }

  // The systems the nodes belong to, and the clients of those systems.
  auto systems = Involved(store, "app_systems", ids, "systems", owner_id);
  if (!systems) return Fail(systems.error());
  graph.systems = std::move(*systems);
  auto clients = Involved(store, "system_clients", graph.systems, "clients", owner_id);
  if (!clients) return Fail(clients.error());
  graph.clients = std::move(*clients);
  return graph;
}

}  // namespace maestro::analytics
