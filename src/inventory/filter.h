// The filter language of DATA-MODEL.md — [{field, op, value}], all ANDed — and list queries
// (page, limit, sort, q, active, field=value), compiled to parameterised SQL for either backend.
// Identifiers come only from the registry; every value is bound. Pure functions: thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "auth/roles.h"
#include "common/error.h"
#include "inventory/registry.h"
#include "store/store.h"

namespace maestro::inventory {

struct Filter {
  std::string field;
  std::string op;
  nlohmann::json value;
};

struct ListQuery {
  int page = 1;
  int limit = 20;
  std::string sort;             // "field" or "-field"; empty = the kind's default
  std::string q;                // text search over the kind's search fields
  std::string active = "true";  // "true", "false" or "all"
  std::vector<Filter> filters;
};

// Reads a list request's query parameters. kBadRequest naming the parameter for unknown
// parameters, bad numbers, malformed filter JSON, unknown fields or ops, wrong value types.
Result<ListQuery> ParseListQuery(const EntitySpec& spec,
                                 const std::vector<std::pair<std::string, std::string>>& params);

// Checks and compiles filters into one SQL condition on the record alias `alias` (its columns and
// `doc`). REQUIRES: `alias` is an identifier from code.
Result<auth::SqlCondition> CompileFilters(store::Dialect dialect, const EntitySpec& spec,
                                          const std::vector<Filter>& filters,
                                          const std::string& alias = "r");
// The ORDER BY clause (without the keywords) for a sort parameter; kBadRequest when the field
// cannot be sorted on.
Result<std::string> CompileSort(store::Dialect dialect, const EntitySpec& spec,
                                const std::string& sort);
// The condition for q: case-insensitive "contains" over the kind's search fields.
auth::SqlCondition CompileSearch(store::Dialect dialect, const EntitySpec& spec,
                                 const std::string& q);

// SQL text of a scalar document field of record alias `r` (path parts from the registry).
std::string TextExpression(store::Dialect dialect, const std::string& base,
                           const std::vector<std::string>& parts);

}  // namespace maestro::inventory
