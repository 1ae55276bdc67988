#include "reports/definition.h"

#include <fmt/format.h>

#include <algorithm>

#include "auth/roles.h"
#include "common/validation.h"

namespace maestro::reports {
namespace {

using inventory::EntitySpec;
using inventory::FieldSpec;
using inventory::FieldType;
using nlohmann::json;

constexpr std::size_t kMaxColumns = 60;
const std::vector<std::string> kCommonColumns = {"id", "created_at", "updated_at"};

std::string JoinNames(const std::vector<std::string>& names, std::string_view last = " or ") {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? std::string(last) : ", ";
    out += names[i];
  }
  return out;
}

// The relation that links two kinds of a pivot chain: the relation field of `from` named after
// `to` (clients.systems, systems.applications, applications.servers).
const inventory::RelationSide* LinkOf(const std::vector<inventory::RelationSide>& sides,
                                      const std::string& to) {
  for (const auto& side : sides) {
    if (side.field == to && side.others.size() == 1 && side.others.front() == to) return &side;
  }
  return nullptr;
}

// A column path of `level`'s kind, or a problem.
Result<Column> ResolveColumn(const Level& level, const std::string& path) {
  const EntitySpec& spec = *level.spec;
  Column column{.path = path};
  if (std::find(kCommonColumns.begin(), kCommonColumns.end(), path) != kCommonColumns.end()) {
    column.source = ColumnSource::kCommon;
    column.parts = {path};
    return column;
  }
  for (const auto& side : level.sides) {
    if (side.field == path) {
      column.source = ColumnSource::kRelation;
      column.parts = {path};
      column.side = side;
      return column;
    }
  }
  if (spec.Field("datacenter") != nullptr &&
      (path == "datacenter" || path == "datacenter.name" || path == "datacenter.provider")) {
    column.source = ColumnSource::kDatacenter;
    column.parts = path == "datacenter" ? std::vector<std::string>{"datacenter"}
                                        : std::vector<std::string>{"datacenter", path.substr(11)};
    column.spec = spec.Field("datacenter");
    return column;
  }
  auto resolved = inventory::ResolvePath(spec, path);
  if (!resolved || !resolved->spec) {
    return Fail(ErrorCode::kValidationFailed,
                fmt::format("{} is not a field of {}", path, spec.kind));
  }
  // Inside a list, a column would have several values per record: take the list itself.
  if (resolved->list_index >= 0 &&
      resolved->list_index != static_cast<int>(resolved->parts.size()) - 1) {
    return Fail(ErrorCode::kValidationFailed,
                fmt::format("{} is inside the list {}: choose the list as a column", path,
                            resolved->parts[resolved->list_index]));
  }
  column.parts = resolved->parts;
  column.spec = resolved->spec;
  return column;
}

void AddHeaders(const std::string& prefix, const FieldSpec& field, std::vector<std::string>& out) {
  if (field.type != FieldType::kObject) {
    out.push_back(prefix);
    return;
  }
  for (const auto& sub : field.fields) {
    AddHeaders(prefix + "." + sub.name, sub, out);
    if (field.name == "datacenter" && sub.name == "id") {
      out.push_back(prefix + ".name");
      out.push_back(prefix + ".provider");
    }
  }
}

// The SQL of one column's value on the record aliased `alias`: JSON text for document paths (and
// the datacenter object), the column itself for common fields, NULL for relations (looked up by
// id afterwards). Path parts are identifiers from the registry.
std::string ValueExpression(store::Dialect dialect, const std::string& alias,
                            const Column& column) {
  switch (column.source) {
    case ColumnSource::kCommon:
      return alias + "." + column.path;
    case ColumnSource::kRelation:
      return "NULL";
    case ColumnSource::kDocument:
    case ColumnSource::kDatacenter:
      break;
  }
  const std::vector<std::string> parts = column.source == ColumnSource::kDatacenter
                                             ? std::vector<std::string>{"datacenter"}
                                             : column.parts;
  std::string path;
  if (dialect == store::Dialect::kSqlite) {
    path = "$";
    for (const auto& part : parts) path += "." + part;
    return fmt::format("({}.doc -> '{}')", alias, path);
  }
  for (const auto& part : parts) path += (path.empty() ? "" : ",") + part;
  return fmt::format("(({}.doc #> '{{{}}}')::text)", alias, path);
}

// What a pivot query gives for a level's record: its id when the level has relation columns (the
// caller looks them up by id), else only 1 (null when the level is empty), which is cheaper to
// read than an id.
std::string LevelId(const Level& level, const std::string& alias) {
  const bool lookups = std::any_of(level.columns.begin(), level.columns.end(), [](const Column& c) {
    return c.source == ColumnSource::kRelation;
  });
  return lookups ? alias + ".id"
                 : fmt::format("CASE WHEN {}.id IS NULL THEN NULL ELSE 1 END", alias);
}

std::string Values(store::Dialect dialect, const std::string& alias, const Level& level) {
  std::string out;
  for (const auto& column : level.columns) out += ", " + ValueExpression(dialect, alias, column);
  return out;
}

}  // namespace

const std::vector<std::string>& PivotOrder() {
  static const std::vector<std::string> kOrder = {"clients", "systems", "applications", "servers"};
  return kOrder;
}

json Definition::ToJson() const {
  json kinds = json::array();
  json filters = json::object();
  json columns = json::object();
  for (const auto& level : levels) {
    kinds.push_back(level.spec->kind);
    json list = json::array();
    for (const auto& filter : level.filters) {
      list.push_back({{"field", filter.field}, {"op", filter.op}, {"value", filter.value}});
    }
    filters[level.spec->kind] = std::move(list);
    json names = json::array();
    for (const auto& column : level.columns) names.push_back(column.path);
    columns[level.spec->kind] = std::move(names);
  }
  return {{"type", type}, {"kinds", kinds}, {"filters", filters}, {"columns", columns}};
}

std::vector<std::string> Definition::RowColumns() const {
  std::vector<std::string> out;
  for (const auto& level : levels) {
    for (const auto& column : level.columns) {
      out.push_back(type == "pivot" ? level.spec->kind + "." + column.path : column.path);
    }
  }
  return out;
}

Result<Definition> ParseDefinition(const inventory::Registry& registry, const json& body,
                                   const std::vector<std::string>& also_allowed) {
  if (!body.is_object()) return Fail(ErrorCode::kBadRequest, "a report is a JSON object");
  FieldCheck check(body);
  for (const auto& name : also_allowed) check.Allow(name);
  Definition out;
  out.name = check.RequiredText("name", {.min = 1, .max = 200}).value_or("");
  check.Allow("type");
  if (!body.contains("type") || !body["type"].is_string() ||
      (body["type"] != "single" && body["type"] != "pivot")) {
    check.Problem("type", "is required: single or pivot");
  } else {
    out.type = body["type"];
  }

  // kinds: a list (a single report also takes one kind as text).
  check.Allow("kinds");
  std::vector<std::string> kinds;
  const json* given = body.contains("kinds") ? &body["kinds"] : nullptr;
  if (given != nullptr && given->is_string()) {
    kinds.push_back(*given);
  } else if (given != nullptr && given->is_array() && !given->empty()) {
    for (std::size_t i = 0; i < given->size(); ++i) {
      if (!(*given)[i].is_string()) {
        check.Problem(fmt::format("kinds.{}", i), "must be the name of a kind");
        kinds.clear();
        break;
      }
      kinds.push_back((*given)[i]);
    }
  } else {
    check.Problem("kinds", "is required: a list of kinds (one for a single report)");
  }
  bool kinds_ok = !kinds.empty();
  for (std::size_t i = 0; i < kinds.size() && kinds_ok; ++i) {
    const std::string at = fmt::format("kinds.{}", i);
    const EntitySpec* spec = registry.Find(kinds[i]);
    if (spec == nullptr) {
      check.Problem(at, fmt::format("{} is not a kind", kinds[i]));
      kinds_ok = false;
      break;
    }
    if (std::find(kinds.begin(), kinds.begin() + static_cast<std::ptrdiff_t>(i), kinds[i]) !=
        kinds.begin() + static_cast<std::ptrdiff_t>(i)) {
      check.Problem(at, fmt::format("{} appears twice", kinds[i]));
      kinds_ok = false;
      break;
    }
    Level level{.spec = spec, .sides = registry.SidesOf(spec->kind)};
    out.levels.push_back(std::move(level));
  }
  if (kinds_ok && out.type == "single" && kinds.size() != 1) {
    check.Problem("kinds", "a single report has exactly one kind");
    kinds_ok = false;
  }
  if (kinds_ok && out.type == "pivot") {
    const auto& order = PivotOrder();
    if (kinds.size() < 2) {
      check.Problem("kinds",
                    "a pivot report chains at least two of clients, systems, applications, "
                    "servers (for one kind, make a single report)");
      kinds_ok = false;
    }
    for (std::size_t i = 0; i < kinds.size() && kinds_ok; ++i) {
      const auto position = std::find(order.begin(), order.end(), kinds[i]);
      if (position == order.end()) {
        check.Problem(fmt::format("kinds.{}", i),
                      fmt::format("{} cannot be in a pivot: use {}", kinds[i], JoinNames(order)));
        kinds_ok = false;
        break;
      }
      if (i == 0) continue;
      const auto previous = std::find(order.begin(), order.end(), kinds[i - 1]);
      if (position < previous) {
        check.Problem(fmt::format("kinds.{}", i),
                      fmt::format("{} comes before {} in a pivot: the chain goes {}", kinds[i],
                                  kinds[i - 1], JoinNames(order, " → ")));
        kinds_ok = false;
        break;
      }
      if (position != previous + 1) {
        std::vector<std::string> missing(previous + 1, position);
        check.Problem(fmt::format("kinds.{}", i),
                      fmt::format("there is no link from {} to {}: add {} between them",
                                  kinds[i - 1], kinds[i], JoinNames(missing, " and ")));
        kinds_ok = false;
        break;
      }
      const auto* side = LinkOf(out.levels[i - 1].sides, kinds[i]);
      if (side == nullptr) {
        check.Problem(fmt::format("kinds.{}", i),
                      fmt::format("there is no link from {} to {}", kinds[i - 1], kinds[i]));
        kinds_ok = false;
        break;
      }
      out.levels[i].link = side->relation;
      // The previous level sees this one through `side`: forward means the previous kind is the
      // relation's `from` end, so this level is at its `to` end.
      out.levels[i].link_from_here = !side->forward;
    }
  }
  if (!kinds_ok) out.levels.clear();

  // filters and columns: {kind: [...]}, only for kinds of the report.
  for (const char* key : {"filters", "columns"}) {
    check.Allow(key);
    if (!body.contains(key) || body[key].is_null()) continue;
    if (!body[key].is_object()) {
      check.Problem(key, "must be an object of lists by kind: {\"servers\": [...]}");
      continue;
    }
    for (const auto& [kind, list] : body[key].items()) {
      const std::string at = fmt::format("{}.{}", key, kind);
      auto level = std::find_if(out.levels.begin(), out.levels.end(),
                                [&](const Level& l) { return l.spec->kind == kind; });
      if (level == out.levels.end()) {
        if (kinds_ok) check.Problem(at, fmt::format("{} is not one of the report's kinds", kind));
        continue;
      }
      if (!list.is_array()) {
        check.Problem(at, "must be a list");
        continue;
      }
      if (std::string(key) == "filters") {
        for (std::size_t i = 0; i < list.size(); ++i) {
          const json& item = list[i];
          const std::string item_at = fmt::format("{}.{}", at, i);
          if (!item.is_object() || !item.contains("field") || !item["field"].is_string() ||
              !item.contains("op") || !item["op"].is_string()) {
            check.Problem(item_at, "must be {field, op, value}");
            continue;
          }
          bool extra = false;
          for (const auto& [name, unused] : item.items()) {
            if (name != "field" && name != "op" && name != "value") {
              check.Problem(item_at + "." + name, "is not part of a filter (field, op, value)");
              extra = true;
            }
          }
          if (extra) continue;
          inventory::Filter filter{item["field"], item["op"], item.value("value", json())};
          // Compiled once here to check it: field, op and value type.
          auto compiled =
              inventory::CompileFilters(store::Dialect::kSqlite, *level->spec, {filter});
          if (!compiled) {
            check.Problem(item_at, compiled.error().message);
            continue;
          }
          level->filters.push_back(std::move(filter));
        }
      } else {
        if (list.size() > kMaxColumns) {
          check.Problem(at, fmt::format("at most {} columns", kMaxColumns));
          continue;
        }
        for (std::size_t i = 0; i < list.size(); ++i) {
          const std::string item_at = fmt::format("{}.{}", at, i);
          if (!list[i].is_string()) {
            check.Problem(item_at, "must be a field name");
            continue;
          }
          const std::string path = list[i];
          if (std::any_of(level->columns.begin(), level->columns.end(),
                          [&](const Column& c) { return c.path == path; })) {
            check.Problem(item_at, fmt::format("{} is there twice", path));
            continue;
          }
          auto column = ResolveColumn(*level, path);
          if (!column) {
            check.Problem(item_at, column.error().message);
            continue;
          }
          level->columns.push_back(std::move(*column));
        }
      }
    }
  }
  if (auto finished = check.Finish("report"); !finished) return Fail(finished.error());
  // Default columns: the kind's main fields.
  for (auto& level : out.levels) {
    if (!level.columns.empty()) continue;
    for (const auto& name : level.spec->list_fields) {
      auto column = ResolveColumn(level, name);
      if (column) level.columns.push_back(std::move(*column));
    }
  }
  return out;
}

Result<PathQuery> CompilePaths(store::Dialect dialect, const Definition& definition,
                               const std::string& user_id) {
  if (definition.levels.empty()) return Fail(ErrorCode::kInternal, "a report without kinds");
  PathQuery out;
  const Level& base = definition.levels.front();
  auto base_filters = inventory::CompileFilters(dialect, *base.spec, base.filters);
  if (!base_filters) return Fail(base_filters.error());
  const auto base_access =
      auth::AccessCondition("r.id", user_id, auth::Role::kRead, auth::AccessPlan::kPerRow);
  const std::string base_where =
      fmt::format("r.kind = ? AND r.active = ? AND {} AND {}", base_filters->sql, base_access.sql);
  auto base_params = [&] {
    store::Params params = {base.spec->kind, true};
    params.insert(params.end(), base_filters->params.begin(), base_filters->params.end());
    params.insert(params.end(), base_access.params.begin(), base_access.params.end());
    return params;
  };
  if (definition.type == "single") {
    // Pages walk the primary key. On SQLite the kind's index (kind, active, updated_at, id) would
    // otherwise be chosen for `kind = ?`, and every page would sort all the kind's records: the
    // unary + keeps that term off the index.
    std::string where = base_where;
    if (dialect == store::Dialect::kSqlite) where = "+" + where;
    out.sql =
        fmt::format("SELECT r.id{} FROM records r WHERE {} AND r.id > ? ORDER BY r.id LIMIT ?",
                    Values(dialect, "r", base), where);
    out.params = base_params();
    return out;
  }
  // Pivot: each later level is joined with its records, one row per record linked to the
  // previous level's record that passes the level's conditions (kind, active, filters, access),
  // or one row with the level empty when none does. Each record is read once, by primary key:
  //  - SQLite: the record's id IN (the ids at the other end of the edges). Its kind and active
  //    flag are kept off their index with a unary +, which SQLite would otherwise scan for every
  //    parent; edges found by their `to` end go through edges_to (to_id, relation), as the
  //    primary key (relation, from_id, to_id) would scan every edge of the relation for `relation
  //    = ?` alone (4.6 s instead of 0.25 s for 50k rows), hence the + on the relation there.
  //  - PostgreSQL: a LATERAL join of the edges and the records, planned as a nested loop of index
  //    lookups for each parent.
  // Ids and values of each level are those of alias t<i>. Rows are not sorted: they come as the
  // database walks the chain, parents before their children (a sort of every row and its values
  // cost more than a third of a 50k-row generation on PostgreSQL, where it spilled to disk).
  std::string select =
      fmt::format("SELECT {} AS l0{}", LevelId(base, "r"), Values(dialect, "r", base));
  std::string joins;
  std::string where;
  store::Params join_params;
  std::string previous_id = "r.id";
  for (std::size_t i = 1; i < definition.levels.size(); ++i) {
    const Level& level = definition.levels[i];
    const std::string alias = fmt::format("t{}", i);
    const std::string record = dialect == store::Dialect::kSqlite ? alias : "t";
    auto filters = inventory::CompileFilters(dialect, *level.spec, level.filters, record);
    if (!filters) return Fail(filters.error());
    const auto access = auth::AccessCondition(record + ".id", user_id, auth::Role::kRead,
                                              auth::AccessPlan::kPerRow);
    // The edge's end at this level's record, and at the previous level's.
    const char* here = level.link_from_here ? "from_id" : "to_id";
    const char* there = level.link_from_here ? "to_id" : "from_id";
    if (dialect == store::Dialect::kSqlite) {
      joins += fmt::format(
          " LEFT JOIN records {0} ON {0}.id IN (SELECT k.{1} FROM edges k WHERE {2}k.relation = ? "
          "AND k.{3} = {4}) AND +{0}.kind = ? AND +{0}.active = ? AND {5} AND {6}",
          alias, here, std::string_view(there) == "to_id" ? "+" : "", there, previous_id,
          filters->sql, access.sql);
    } else {
      joins += fmt::format(
          " LEFT JOIN LATERAL (SELECT t.id, t.created_at, t.updated_at, t.doc FROM edges k JOIN "
          "records t ON t.id = k.{1} WHERE k.relation = ? AND k.{2} = {3} AND t.kind = ? AND "
          "t.active = ? AND {4} AND {5}) {0} ON TRUE",
          alias, here, there, previous_id, filters->sql, access.sql);
    }
    join_params.push_back(level.link->name);
    join_params.push_back(level.spec->kind);
    join_params.push_back(true);
    join_params.insert(join_params.end(), filters->params.begin(), filters->params.end());
    join_params.insert(join_params.end(), access.params.begin(), access.params.end());
    select += fmt::format(", {} AS l{}{}", LevelId(level, alias), i, Values(dialect, alias, level));
    if (!level.filters.empty()) where += fmt::format(" AND {}.id IS NOT NULL", alias);
    previous_id = alias + ".id";
  }
  out.sql = fmt::format("{} FROM records r{} WHERE {}{}", select, joins, base_where, where);
  out.params = std::move(join_params);
  auto params = base_params();
  out.params.insert(out.params.end(), params.begin(), params.end());
  return out;
}

std::vector<std::string> Headers(const Column& column) {
  std::vector<std::string> out;
  if (column.source == ColumnSource::kDocument && column.spec != nullptr) {
    AddHeaders(column.path, *column.spec, out);
  } else if (column.source == ColumnSource::kDatacenter && column.parts.size() == 1) {
    AddHeaders(column.path, *column.spec, out);
  } else {
    out.push_back(column.path);
  }
  return out;
}

}  // namespace maestro::reports
