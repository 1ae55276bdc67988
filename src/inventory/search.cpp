#include "inventory/search.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "auth/roles.h"
#include "common/json_util.h"
#include "common/validation.h"
#include "inventory/filter.h"

namespace maestro::inventory {
namespace {

using nlohmann::json;
using store::AsInt;
using store::AsString;

constexpr const char* kMatchNames[] = {"exact", "prefix", "contains"};

// Text as the search text holds it: lowercased, line breaks (which part its values) as spaces.
std::string SearchForm(std::string_view text) {
  std::string out = Lower(text);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return out;
}

}  // namespace

std::string SearchText(const EntitySpec& spec, const json& doc) {
  std::string text = "\n";
  auto add = [&](const std::string& field) {
    const auto found = doc.find(field);
    if (found == doc.end() || !found->is_string() || found->get_ref<const std::string&>().empty())
      return;
    text += SearchForm(found->get<std::string>()) + '\n';
  };
  add(spec.name_field);
  for (const auto& field : spec.search_fields) {
    if (field != spec.name_field) add(field);
  }
  return text;
}

Search::Search(store::Store& store, const Registry& registry)
    : store_(store), registry_(registry) {}

Result<std::string> Search::Find(const auth::Principal& caller, const std::string& q,
                                 const std::vector<std::string>& kinds, int limit) {
  const std::string needle = SearchForm(q);
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
  const std::string escaped = EscapeLike(needle);
  store::Params params = {"%\n" + escaped + "\n%", "%\n" + escaped + "%"};
  std::string in;
  for (const EntitySpec* spec : specs) {
    in += in.empty() ? "?" : ", ?";
    params.push_back(spec->kind);
  }
  params.push_back(true);
  // Candidates come from the trigram index: on SQLite its FTS5 table answers a phrase of 3 or more
  // characters; on PostgreSQL the GIN index serves the LIKE itself. The LIKE keeps exactly the
  // records with q inside one value.
  std::string candidates = "1 = 1";
  const auto characters =
      std::count_if(needle.begin(), needle.end(), [](char c) { return (c & 0xC0) != 0x80; });
  if (store_.dialect() == store::Dialect::kSqlite && characters >= 3) {
    std::string phrase = "\"";
    for (char c : needle) phrase += c == '"' ? std::string("\"\"") : std::string(1, c);
    candidates = "r.rowid IN (SELECT rowid FROM records_search WHERE records_search MATCH ?)";
    params.push_back(phrase + "\"");
  }
  params.push_back("%" + escaped + "%");
  const auto access =
      auth::AccessCondition("r.id", caller.user_id, auth::Role::kRead, auth::AccessPlan::kPerRow);
  params.insert(params.end(), access.params.begin(), access.params.end());
  params.push_back(std::int64_t{limit});
  // The search text starts with the name, so ordering by it orders by name.
  const std::string sql = fmt::format(
      "SELECT r.id, r.kind, r.doc, CASE WHEN r.search LIKE ? ESCAPE '\\' THEN 0 WHEN r.search "
      "LIKE ? ESCAPE '\\' THEN 1 ELSE 2 END AS rank FROM records r WHERE r.kind IN ({}) AND "
      "r.active = ? AND {} AND r.search LIKE ? ESCAPE '\\' AND {} ORDER BY rank, r.search, r.id "
      "LIMIT ?",
      in, candidates, access.sql);
  // Answers are kept, as lists are, until anything they could see changes (the caller is among
  // the parameters).
  auto answer =
      answers_.Current(store_, ListCache::Key(sql, params),
                       [&](store::Session& session) -> Result<ListCache::Entry> {
                         auto rows = session.Query(sql, params);
                         if (!rows) return Fail(rows.error());
                         json items = json::array();
                         for (std::size_t i = 0; i < rows->size(); ++i) {
                           const EntitySpec* spec = registry_.Find(AsString(rows->At(i, "kind")));
                           auto doc = ParseJson(AsString(rows->At(i, "doc"), "{}"));
                           if (spec == nullptr || !doc) {
                             return Fail(ErrorCode::kInternal, "a stored record is unreadable");
                           }
                           const int level = static_cast<int>(AsInt(rows->At(i, "rank")));
                           items.push_back({{"kind", spec->kind},
                                            {"id", AsString(rows->At(i, "id"))},
                                            {"name", doc->value(spec->name_field, "")},
                                            {"match", kMatchNames[std::clamp(level, 0, 2)]}});
                         }
                         return ListCache::Entry{.count = static_cast<std::int64_t>(items.size()),
                                                 .items = std::make_shared<const std::string>(
                                                     DumpJson(json{{"items", std::move(items)}}))};
                       });
  if (!answer) return Fail(answer.error());
  return *answer->items;
}

Result<json> Search::GroupBy(store::Session& session, const auth::Principal& caller,
                             const std::string& kind, const std::string& key_sql) {
  const auto access = auth::AccessCondition("r.id", caller.user_id, auth::Role::kRead);
  store::Params params = {kind, true};
  params.insert(params.end(), access.params.begin(), access.params.end());
  auto rows = session.Query(
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
  Result<json> figures = Fail(ErrorCode::kInternal, "not read");
  // One snapshot for all the figures.
  auto done = store_.Transaction(
      [&](store::Session& session) -> Status {
        return store::WithoutNestedLoops(session, [&]() -> Status {
          figures = Figures(session, caller);
          return figures ? Status{} : Fail(figures.error());
        });
      },
      store::TransactionMode::kRead);
  if (!done) return Fail(done.error());
  return figures;
}

Result<json> Search::Figures(store::Session& session, const auth::Principal& caller) {
  const auto dialect = session.dialect();
  const auto access = auth::AccessCondition("r.id", caller.user_id, auth::Role::kRead);
  store::Params params = {true};
  params.insert(params.end(), access.params.begin(), access.params.end());
  auto counts =
      session.Query("SELECT r.kind AS kind, COUNT(*) AS n FROM records r WHERE r.active = ? AND " +
                        access.sql + " GROUP BY r.kind",
                    params);
  if (!counts) return Fail(counts.error());
  json by_kind = json::object();
  for (const auto& spec : registry_.kinds()) by_kind[spec.kind] = 0;
  for (std::size_t i = 0; i < counts->size(); ++i) {
    const std::string kind = AsString(counts->At(i, "kind"));
    if (by_kind.contains(kind)) by_kind[kind] = AsInt(counts->At(i, "n"));
  }
  json out = {{"counts", std::move(by_kind)}};
  // A server's provider is its datacenter's.
  const std::string provider = fmt::format("(SELECT {} FROM records d WHERE d.id = {})",
                                           TextExpression(dialect, "d.doc", {"provider"}),
                                           TextExpression(dialect, "r.doc", {"datacenter", "id"}));
  const std::pair<const char*, std::string> server_groups[] = {
      {"by_provider", provider},
      {"by_environment", TextExpression(dialect, "r.doc", {"environment"})},
      {"by_os", TextExpression(dialect, "r.doc", {"os", "base"})},
      {"by_region", TextExpression(dialect, "r.doc", {"datacenter", "region"})},
  };
  for (const auto& [name, key] : server_groups) {
    auto group = GroupBy(session, caller, "servers", key);
    if (!group) return Fail(group.error());
    out["servers"][name] = std::move(*group);
  }
  const std::pair<const char*, std::string> application_groups[] = {
      {"by_family", TextExpression(dialect, "r.doc", {"family"})},
      {"by_environment", TextExpression(dialect, "r.doc", {"environment"})},
  };
  for (const auto& [name, key] : application_groups) {
    auto group = GroupBy(session, caller, "applications", key);
    if (!group) return Fail(group.error());
    out["applications"][name] = std::move(*group);
  }
  return out;
}

}  // namespace maestro::inventory
