#include "inventory/filter.h"

#include <fmt/format.h>

#include <charconv>

#include "common/json_util.h"
#include "common/validation.h"
#include "inventory/validate.h"

namespace maestro::inventory {
namespace {

using nlohmann::json;
using store::Dialect;

constexpr std::size_t kMaxFilters = 50;
constexpr std::size_t kMaxInValues = 500;

tl::unexpected<Error> Bad(std::string message, std::string field = {}) {
  std::vector<FieldError> details;
  if (!field.empty()) details.push_back({field, message});
  return Fail(ErrorCode::kBadRequest, std::move(message), std::move(details));
}

std::string JsonPathSqlite(const std::vector<std::string>& parts, std::size_t from,
                           std::size_t to) {
  std::string path = "$";
  for (std::size_t i = from; i < to; ++i) path += "." + parts[i];
  return path;
}

std::string JsonPathPostgres(const std::vector<std::string>& parts, std::size_t from,
                             std::size_t to) {
  std::string path;
  for (std::size_t i = from; i < to; ++i) path += (path.empty() ? "" : ",") + parts[i];
  return "{" + path + "}";
}

// Presence (non-null JSON value) of a path inside `base`.
std::string PresentExpression(Dialect d, const std::string& base,
                              const std::vector<std::string>& parts, std::size_t from,
                              std::size_t to) {
  if (d == Dialect::kSqlite) {
    return fmt::format("json_type({}, '{}')", base, JsonPathSqlite(parts, from, to));
  }
  return fmt::format("({} #> '{}')", base, JsonPathPostgres(parts, from, to));
}

std::string TextAt(Dialect d, const std::string& base, const std::vector<std::string>& parts,
                   std::size_t from, std::size_t to) {
  if (from == to) {
    return d == Dialect::kSqlite ? base : fmt::format("({} #>> '{{}}')", base);
  }
  if (d == Dialect::kSqlite) {
    return fmt::format("json_extract({}, '{}')", base, JsonPathSqlite(parts, from, to));
  }
  return fmt::format("({} #>> '{}')", base, JsonPathPostgres(parts, from, to));
}

std::string NumberAt(Dialect d, const std::string& base, const std::vector<std::string>& parts,
                     std::size_t from, std::size_t to) {
  if (d == Dialect::kSqlite) return TextAt(d, base, parts, from, to);
  const std::string path = from == to ? "{}" : JsonPathPostgres(parts, from, to);
  return fmt::format(
      "(CASE WHEN jsonb_typeof({0} #> '{1}') = 'number' THEN ({0} #>> '{1}')::numeric END)", base,
      path);
}

enum class Kind { kText, kNumber, kBool, kTime, kStructure };

Kind KindOf(const FieldPath& path) {
  if (!path.spec) {
    if (path.column == "version") return Kind::kNumber;
    if (path.column == "active") return Kind::kBool;
    if (path.column == "created_at" || path.column == "updated_at") return Kind::kTime;
    return Kind::kText;
  }
  FieldType type = path.spec->type;
  if (type == FieldType::kList && path.list_index == static_cast<int>(path.parts.size()) - 1) {
    type = path.spec->item;  // the path ends at a list of scalars: test its items
  }
  switch (type) {
    case FieldType::kInt:
    case FieldType::kNumber:
      return Kind::kNumber;
    case FieldType::kBool:
      return Kind::kBool;
    case FieldType::kTime:
      return Kind::kTime;
    case FieldType::kObject:
    case FieldType::kJson:
    case FieldType::kList:
      return Kind::kStructure;
    default:
      return Kind::kText;
  }
}

// Checks that `value` fits `kind` and returns it as a bound value.
Result<store::Value> Bind(Kind kind, const json& value, const std::string& field) {
  switch (kind) {
    case Kind::kNumber:
      if (!value.is_number())
        return Bad(fmt::format("the value for {} must be a number", field), field);
      if (value.is_number_integer()) return store::Value(value.get<std::int64_t>());
      return store::Value(value.get<double>());
    case Kind::kBool:
      if (!value.is_boolean())
        return Bad(fmt::format("the value for {} must be true or false", field), field);
      return store::Value(value.get<bool>());
    case Kind::kTime:
      if (!value.is_string() || !IsRfc3339(value.get<std::string>())) {
        return Bad(fmt::format("the value for {} must be an RFC 3339 time", field), field);
      }
      return store::Value(value.get<std::string>());
    case Kind::kText:
      if (!value.is_string())
        return Bad(fmt::format("the value for {} must be a string", field), field);
      return store::Value(value.get<std::string>());
    case Kind::kStructure:
      break;
  }
  return Bad(fmt::format("{} is a structure: filter on one of its fields", field), field);
}

struct Compiled {
  std::string sql;
  store::Params params;
};

Result<Compiled> CompileOne(Dialect d, const EntitySpec& spec, const Filter& filter,
                            const std::string& alias) {
  const std::string doc = alias + ".doc";
  auto path = ResolvePath(spec, filter.field);
  if (!path)
    return Bad(fmt::format("{} is not a field of {}", filter.field, spec.kind), filter.field);
  const Kind kind = KindOf(*path);
  const std::string& op = filter.op;
  const std::string& name = filter.field;
  const bool in_list = path->list_index >= 0;

  // The expression of the tested value: a column, a document path, or (inside a list) a path
  // within the list item `e.value`.
  std::string value_expr;
  std::string number_expr;
  std::string present_expr;
  std::string list_source;  // FROM clause of the list items, when the path goes through a list
  const std::size_t n = path->parts.size();
  if (!path->spec) {
    value_expr = number_expr = alias + "." + path->column;
    present_expr = value_expr;
  } else if (!in_list) {
    value_expr = TextAt(d, doc, path->parts, 0, n);
    number_expr = NumberAt(d, doc, path->parts, 0, n);
    present_expr = PresentExpression(d, doc, path->parts, 0, n);
  } else {
    const std::size_t list_end = static_cast<std::size_t>(path->list_index) + 1;
    if (d == Dialect::kSqlite) {
      list_source =
          fmt::format("json_each({}, '{}') e", doc, JsonPathSqlite(path->parts, 0, list_end));
      value_expr = list_end == n ? "e.value" : TextAt(d, "e.value", path->parts, list_end, n);
    } else {
      list_source = fmt::format(
          "jsonb_array_elements(CASE WHEN jsonb_typeof({1} #> '{0}') = 'array' "
          "THEN {1} #> '{0}' ELSE '[]'::jsonb END) e(value)",
          JsonPathPostgres(path->parts, 0, list_end), doc);
      value_expr = TextAt(d, "e.value", path->parts, list_end, n);
    }
    number_expr =
        d == Dialect::kSqlite ? value_expr : NumberAt(d, "e.value", path->parts, list_end, n);
    present_expr = value_expr;
  }

  Compiled out;
  std::string condition;  // on one value (one item, for lists)
  if (op == "exists" || op == "empty") {
    if (!filter.value.is_boolean()) return Bad(fmt::format("{} takes true or false", op), name);
    const bool wanted = filter.value.get<bool>();
    std::string test;
    if (op == "exists") {
      test = in_list ? fmt::format("EXISTS (SELECT 1 FROM {} WHERE {} IS NOT NULL)", list_source,
                                   present_expr)
                     : fmt::format("{} IS NOT NULL", present_expr);
    } else if (kind == Kind::kStructure || (path->spec && path->spec->type == FieldType::kList)) {
      const std::string target =
          in_list ? present_expr : PresentExpression(d, doc, path->parts, 0, n);
      test = d == Dialect::kSqlite ? fmt::format("COALESCE(json_array_length({}, '{}'), 0) = 0",
                                                 doc, JsonPathSqlite(path->parts, 0, n))
                                   : fmt::format(
                                         "COALESCE(jsonb_array_length(CASE WHEN jsonb_typeof({0}) "
                                         "= 'array' THEN {0} END), 0) = 0",
                                         target);
    } else {
      test = in_list ? fmt::format("NOT EXISTS (SELECT 1 FROM {} WHERE {} <> '')", list_source,
                                   value_expr)
                     : fmt::format("COALESCE({}, '') = ''", value_expr);
    }
    out.sql = wanted ? "(" + test + ")" : "NOT (" + test + ")";
    return out;
  }
  if (kind == Kind::kStructure) {
    return Bad(fmt::format("{} is a structure: filter on one of its fields", name), name);
  }

  bool negate = false;  // for lists: "no item matches"
  if (op == "eq" || op == "ne") {
    auto bound = Bind(kind, filter.value, name);
    if (!bound) return Fail(bound.error());
    const std::string expr = kind == Kind::kNumber ? number_expr : value_expr;
    if (kind == Kind::kBool && d == Dialect::kPostgres && path->spec) {
      condition = fmt::format("{} = ?", value_expr);
      out.params.push_back(std::get<bool>(*bound) ? std::string("true") : std::string("false"));
    } else if (kind == Kind::kBool && d == Dialect::kSqlite && path->spec) {
      condition = fmt::format("{} = ?", expr);
      out.params.push_back(std::int64_t{std::get<bool>(*bound) ? 1 : 0});
    } else {
      condition = fmt::format("{} = ?", expr);
      out.params.push_back(std::move(*bound));
    }
    negate = op == "ne";
  } else if (op == "contains" || op == "not_contains" || op == "starts_with") {
    if (kind != Kind::kText)
      return Bad(fmt::format("{} works on text fields; {} is not one", op, name), name);
    if (!filter.value.is_string())
      return Bad(fmt::format("the value for {} must be a string", name), name);
    const std::string text = EscapeLike(Lower(filter.value.get<std::string>()));
    condition = fmt::format("LOWER({}) LIKE ? ESCAPE '\\'", value_expr);
    out.params.push_back(op == "starts_with" ? fmt::format("{}%", text)
                                             : fmt::format("%{}%", text));
    negate = op == "not_contains";
  } else if (op == "in") {
    if (!filter.value.is_array() || filter.value.empty() || filter.value.size() > kMaxInValues) {
      return Bad(fmt::format("in takes a list of 1 to {} values", kMaxInValues), name);
    }
    std::string marks;
    for (const auto& item : filter.value) {
      auto bound = Bind(kind, item, name);
      if (!bound) return Fail(bound.error());
      if (kind == Kind::kBool) return Bad("in does not apply to true/false fields", name);
      out.params.push_back(std::move(*bound));
      marks += marks.empty() ? "?" : ", ?";
    }
    condition = fmt::format("{} IN ({})", kind == Kind::kNumber ? number_expr : value_expr, marks);
  } else if (op == "gt" || op == "gte" || op == "lt" || op == "lte") {
    if (kind != Kind::kNumber)
      return Bad(fmt::format("{} compares numbers; {} is not a number field", op, name), name);
    auto bound = Bind(kind, filter.value, name);
    if (!bound) return Fail(bound.error());
    const char* sign = op == "gt" ? ">" : op == "gte" ? ">=" : op == "lt" ? "<" : "<=";
    condition = fmt::format("{} {} ?", number_expr, sign);
    out.params.push_back(std::move(*bound));
  } else if (op == "before" || op == "after") {
    if (kind != Kind::kTime)
      return Bad(fmt::format("{} compares times; {} is not a time field", op, name), name);
    auto bound = Bind(kind, filter.value, name);
    if (!bound) return Fail(bound.error());
    condition = fmt::format("{} {} ?", value_expr, op == "before" ? "<" : ">");
    out.params.push_back(std::move(*bound));
  } else {
    return Bad(
        fmt::format("unknown op '{}': use eq, ne, contains, not_contains, starts_with, in, gt, "
                    "gte, lt, lte, before, after, exists or empty",
                    op),
        name);
  }

  if (in_list) {
    out.sql = fmt::format("{}EXISTS (SELECT 1 FROM {} WHERE {})", negate ? "NOT " : "", list_source,
                          condition);
  } else if (negate) {
    // "not equal" includes records without the field.
    out.sql = fmt::format("({} IS NULL OR NOT ({}))", value_expr, condition);
  } else {
    out.sql = "(" + condition + ")";
  }
  return out;
}

Result<int> ParseInt(std::string_view name, std::string_view text, int min, int max) {
  auto value = ParseWholeNumber(text, min, max);
  if (!value) {
    return Bad(fmt::format("{} must be a whole number from {} to {}", name, min, max),
               std::string(name));
  }
  return static_cast<int>(*value);
}

// A query-string value ("4", "true", "Linux") as the JSON value the field's type expects.
Result<json> TypedValue(const EntitySpec& spec, const std::string& field, const std::string& text) {
  auto path = ResolvePath(spec, field);
  if (!path) return Bad(fmt::format("{} is not a field of {}", field, spec.kind), field);
  switch (KindOf(*path)) {
    case Kind::kNumber: {
      double number = 0;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (error != std::errc() || end != text.data() + text.size()) {
        return Bad(fmt::format("{} must be a number", field), field);
      }
      if (text.find_first_of(".eE") == std::string::npos)
        return json(static_cast<std::int64_t>(number));
      return json(number);
    }
    case Kind::kBool:
      if (text != "true" && text != "false")
        return Bad(fmt::format("{} must be true or false", field), field);
      return json(text == "true");
    default:
      return json(text);
  }
}

}  // namespace

std::string TextExpression(Dialect dialect, const std::string& base,
                           const std::vector<std::string>& parts) {
  return TextAt(dialect, base, parts, 0, parts.size());
}

Result<auth::SqlCondition> CompileFilters(Dialect dialect, const EntitySpec& spec,
                                          const std::vector<Filter>& filters,
                                          const std::string& alias) {
  if (filters.size() > kMaxFilters)
    return Bad(fmt::format("at most {} filters", kMaxFilters), "filter");
  auth::SqlCondition out{.sql = "1 = 1"};
  for (const Filter& filter : filters) {
    auto compiled = CompileOne(dialect, spec, filter, alias);
    if (!compiled) return Fail(compiled.error());
    out.sql += " AND " + compiled->sql;
    out.params.insert(out.params.end(), compiled->params.begin(), compiled->params.end());
  }
  return out;
}

Result<std::string> CompileSort(Dialect dialect, const EntitySpec& spec, const std::string& sort) {
  const std::string& wanted = sort.empty() ? spec.default_sort : sort;
  const bool descending = wanted.starts_with('-');
  const std::string field = descending ? wanted.substr(1) : wanted;
  auto path = ResolvePath(spec, field);
  if (!path || path->list_index >= 0 || KindOf(*path) == Kind::kStructure) {
    return Bad(fmt::format("cannot sort {} by {}", spec.kind, field), "sort");
  }
  const char* direction = descending ? "DESC" : "ASC";
  if (!path->spec) {
    // Columns are never null: order by the column alone, so an index can give the order.
    return fmt::format("r.{} {}, r.id {}", path->column, direction, direction);
  }
  const std::string expr =
      KindOf(*path) == Kind::kNumber
          ? NumberAt(dialect, "r.doc", path->parts, 0, path->parts.size())
          : "LOWER(" + TextAt(dialect, "r.doc", path->parts, 0, path->parts.size()) + ")";
  // Records without the field come last either way, the same on both backends.
  return fmt::format("({} IS NULL), {} {}, r.id {}", expr, expr, direction, direction);
}

auth::SqlCondition CompileSearch(Dialect dialect, const EntitySpec& spec, const std::string& q) {
  if (q.empty() || spec.search_fields.empty()) return {.sql = "1 = 1"};
  auth::SqlCondition out;
  const std::string pattern = fmt::format("%{}%", EscapeLike(Lower(q)));
  for (const auto& field : spec.search_fields) {
    out.sql += out.sql.empty() ? "(" : " OR ";
    out.sql += fmt::format("LOWER({}) LIKE ? ESCAPE '\\'", TextAt(dialect, "r.doc", {field}, 0, 1));
    out.params.push_back(pattern);
  }
  out.sql += ")";
  return out;
}

Result<ListQuery> ParseListQuery(const EntitySpec& spec,
                                 const std::vector<std::pair<std::string, std::string>>& params) {
  ListQuery query;
  std::map<std::string, std::vector<std::string>> exact;
  for (const auto& [name, value] : params) {
    if (name == "page") {
      auto page = ParseInt(name, value, 1, 1'000'000);
      if (!page) return Fail(page.error());
      query.page = *page;
    } else if (name == "limit") {
      auto limit = ParseInt(name, value, 1, 500);
      if (!limit) return Fail(limit.error());
      query.limit = *limit;
    } else if (name == "sort") {
      query.sort = value;
    } else if (name == "q") {
      if (value.size() > 200) return Bad("q is longer than 200 characters", "q");
      query.q = value;
    } else if (name == "active") {
      if (value != "true" && value != "false" && value != "all") {
        return Bad("active must be true, false or all", "active");
      }
      query.active = value;
    } else if (name == "filter") {
      auto parsed = ParseJson(value);
      if (!parsed) return Bad("filter is not JSON: " + parsed.error().message, "filter");
      const json list = parsed->is_object() ? json::array({*parsed}) : *parsed;
      if (!list.is_array())
        return Bad("filter must be a JSON list of {field, op, value}", "filter");
      for (const auto& item : list) {
        if (!item.is_object() || !item.contains("field") || !item["field"].is_string() ||
            !item.contains("op") || !item["op"].is_string()) {
          return Bad("each filter needs a field and an op (strings) and a value", "filter");
        }
        for (const auto& [key, unused] : item.items()) {
          if (key != "field" && key != "op" && key != "value") {
            return Bad(fmt::format("a filter has no '{}': use field, op and value", key), "filter");
          }
        }
        query.filters.push_back({item["field"], item["op"], item.value("value", json())});
      }
    } else if (ResolvePath(spec, name)) {
      exact[name].push_back(value);
    } else {
      return Bad(
          fmt::format("unknown parameter '{}': use page, limit, sort, q, active, filter or a "
                      "field of {}",
                      name, spec.kind),
          name);
    }
  }
  for (const auto& [field, values] : exact) {
    json typed = json::array();
    for (const auto& text : values) {
      auto value = TypedValue(spec, field, text);
      if (!value) return Fail(value.error());
      typed.push_back(std::move(*value));
    }
    if (typed.size() == 1) {
      query.filters.push_back({field, "eq", typed[0]});
    } else {
      query.filters.push_back({field, "in", typed});
    }
  }
  return query;
}

}  // namespace maestro::inventory
