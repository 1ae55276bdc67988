#include "inventory/search.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "auth/roles.h"
#include "common/validation.h"
#include "inventory/filter.h"

namespace maestro::inventory {
namespace {

using nlohmann::json;
using store::AsInt;
using store::AsString;

constexpr const char* kMatchNames[] = {"exact", "prefix", "contains"};

}  // namespace

Search::Search(store::Store& store, const Registry& registry)
    : store_(store), registry_(registry) {}

Result<json> Search::Find(const auth::Principal& caller, const std::string& q,
                          const std::vector<std::string>& kinds, int limit) {
  const std::string needle = Lower(q);
  if (needle.empty()) return Fail(ErrorCode::kBadRequest, "q is required", {{"q", "is required"}});
  if (needle.size() > 200)
    return Fail(ErrorCode::kBadRequest, "q is longer than 200 characters", {{"q", "is too long"}});
  std::vector<const EntitySpec*> specs;
  for (const auto& kind : kinds) {
    const EntitySpec* spec = registry_.Find(kind);
    if (spec == nullptr) {
      return Fail(ErrorCode::kBadRequest, fmt::format("unknown kind '{}'", kind),
                  {{"kinds", "names an unknown kind"}});
    }
    specs.push_back(spec);
  }
  if (specs.empty()) {
    for (const auto& spec : registry_.kinds()) specs.push_back(&spec);
  }
  const std::string prefix = EscapeLike(needle) + "%";
  const std::string contains = "%" + EscapeLike(needle) + "%";
  const auto access = auth::AccessCondition("r.id", caller.user_id, auth::Role::kRead);

  struct Hit {
    int rank;
    std::string name;
    json item;
  };
  std::vector<Hit> hits;
  for (const EntitySpec* spec : specs) {
    if (spec->search_fields.empty()) continue;
    // The rank of a record is its best field: 0 exact, 1 prefix, 2 contains.
    std::string rank = "(CASE";
    std::string any;
    store::Params rank_params;
    store::Params where_params;
    for (int level = 0; level < 2; ++level) {
      for (const auto& field : spec->search_fields) {
        const std::string expr =
            "LOWER(" + TextExpression(store_.dialect(), "r.doc", {field}) + ")";
        rank += level == 0 ? fmt::format(" WHEN {} = ? THEN 0", expr)
                           : fmt::format(" WHEN {} LIKE ? ESCAPE '\\' THEN 1", expr);
        rank_params.push_back(level == 0 ? needle : prefix);
      }
    }
    rank += " ELSE 2 END)";
    for (const auto& field : spec->search_fields) {
      any += (any.empty() ? "(" : " OR ") +
             fmt::format("LOWER({}) LIKE ? ESCAPE '\\'",
                         TextExpression(store_.dialect(), "r.doc", {field}));
      where_params.push_back(contains);
    }
    any += ")";
    const std::string name = TextExpression(store_.dialect(), "r.doc", {spec->name_field});
    store::Params params = rank_params;
    params.push_back(spec->kind);
    params.push_back(true);
    params.insert(params.end(), where_params.begin(), where_params.end());
    params.insert(params.end(), access.params.begin(), access.params.end());
    params.push_back(std::int64_t{limit});
    auto rows = store_.Query(
        fmt::format("SELECT r.id, {} AS name, {} AS rank FROM records r WHERE r.kind = ? AND "
                    "r.active = ? AND {} AND {} ORDER BY rank, LOWER({}), r.id LIMIT ?",
                    name, rank, any, access.sql, name),
        params);
    if (!rows) return Fail(rows.error());
    for (std::size_t i = 0; i < rows->size(); ++i) {
      const int level = static_cast<int>(AsInt(rows->At(i, "rank")));
      const std::string record_name = AsString(rows->At(i, "name"));
      hits.push_back({level,
                      Lower(record_name),
                      {{"kind", spec->kind},
                       {"id", AsString(rows->At(i, "id"))},
                       {"name", record_name},
                       {"match", kMatchNames[std::clamp(level, 0, 2)]}}});
    }
  }
  std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return a.rank != b.rank ? a.rank < b.rank : a.name < b.name;
  });
  json items = json::array();
  for (std::size_t i = 0; i < hits.size() && static_cast<int>(i) < limit; ++i)
    items.push_back(std::move(hits[i].item));
  return json{{"items", std::move(items)}};
}

Result<json> Search::GroupBy(const auth::Principal& caller, const std::string& kind,
                             const std::string& key_sql) {
  const auto access = auth::AccessCondition("r.id", caller.user_id, auth::Role::kRead);
  store::Params params = {kind, true};
  params.insert(params.end(), access.params.begin(), access.params.end());
  auto rows = store_.Query(
      fmt::format("SELECT COALESCE({0}, '(none)') AS k, COUNT(*) AS n FROM records r WHERE r.kind "
                  "= ? AND r.active = ? AND {1} GROUP BY COALESCE({0}, '(none)') ORDER BY n "
                  "DESC, k LIMIT 50",
                  key_sql, access.sql),
      params);
  if (!rows) return Fail(rows.error());
  json out = json::array();
  for (std::size_t i = 0; i < rows->size(); ++i) {
    out.push_back({{"key", AsString(rows->At(i, "k"))}, {"count", AsInt(rows->At(i, "n"))}});
  }
  return out;
}

Result<json> Search::Stats(const auth::Principal& caller) {
  const auto dialect = store_.dialect();
  const auto access = auth::AccessCondition("r.id", caller.user_id, auth::Role::kRead);
  store::Params params = {true};
  params.insert(params.end(), access.params.begin(), access.params.end());
  auto counts =
      store_.Query("SELECT r.kind AS kind, COUNT(*) AS n FROM records r WHERE r.active = ? AND " +
                       access.sql + " GROUP BY r.kind",
                   params);
  if (!counts) return Fail(counts.error());
  json by_kind = json::object();
  for (const auto& spec : registry_.kinds()) by_kind[spec.kind] = 0;
  for (std::size_t i = 0; i < counts->size(); ++i) {
    const std::string kind = AsString(counts->At(i, "kind"));
    if (by_kind.contains(kind)) by_kind[kind] = AsInt(counts->At(i, "n"));
  }
  // A server's provider is its datacenter's.
  const std::string provider = fmt::format("(SELECT {} FROM records d WHERE d.id = {})",
                                           TextExpression(dialect, "d.doc", {"provider"}),
                                           TextExpression(dialect, "r.doc", {"datacenter", "id"}));
  json out = {{"counts", std::move(by_kind)}};
  const std::pair<const char*, std::string> server_groups[] = {
      {"by_provider", provider},
      {"by_environment", TextExpression(dialect, "r.doc", {"environment"})},
      {"by_os", TextExpression(dialect, "r.doc", {"os", "base"})},
      {"by_region", TextExpression(dialect, "r.doc", {"datacenter", "region"})},
  };
  for (const auto& [name, key] : server_groups) {
    auto group = GroupBy(caller, "servers", key);
    if (!group) return Fail(group.error());
    out["servers"][name] = std::move(*group);
  }
  const std::pair<const char*, std::string> application_groups[] = {
      {"by_family", TextExpression(dialect, "r.doc", {"family"})},
      {"by_environment", TextExpression(dialect, "r.doc", {"environment"})},
  };
  for (const auto& [name, key] : application_groups) {
    auto group = GroupBy(caller, "applications", key);
    if (!group) return Fail(group.error());
    out["applications"][name] = std::move(*group);
  }
  return out;
}

}  // namespace maestro::inventory
