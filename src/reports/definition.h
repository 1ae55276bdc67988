// Report definitions (DATA-MODEL.md, reports): what a person asks for — a single kind, or a pivot
// chain out of clients → systems → applications → servers — with filters and columns per kind;
// checked against the inventory registry, and compiled to one parameterised SQL query of the paths
// (ids per level) on either backend.
//
// Pure functions over immutable values: thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/error.h"
#include "inventory/filter.h"
#include "inventory/registry.h"
#include "store/store.h"

namespace maestro::reports {

// How a column's value is read from a record.
enum class ColumnSource {
  kDocument,    // a path in the record's document ("hostname", "os.base", "tags")
  kCommon,      // a column every record has ("id", "created_at", "updated_at")
  kRelation,    // a relation field: the names of the related records the caller can read
  kDatacenter,  // "datacenter" with the name and provider of its datacenter record, or one of
                // "datacenter.name" / "datacenter.provider"
};

struct Column {
  std::string path;  // as written: "os.base"
  std::vector<std::string> parts;
  ColumnSource source = ColumnSource::kDocument;
  const inventory::FieldSpec* spec = nullptr;  // kDocument: the field at the end of the path
  inventory::RelationSide side{};              // kRelation
};

// One kind of the report, with its filters and columns.
struct Level {
  const inventory::EntitySpec* spec = nullptr;
  std::vector<inventory::Filter> filters;
  std::vector<Column> columns;
  std::vector<inventory::RelationSide> sides;  // the kind's relation fields
  // The link from the previous level (pivot, not the first level): the relation and whether this
  // level's records are at its `from` end.
  const inventory::RelationSpec* link = nullptr;
  bool link_from_here = false;
};

struct Definition {
  std::string name;
  std::string type;  // single | pivot
  std::vector<Level> levels;

  // The definition as stored and shown: {type, kinds, filters {kind: [..]}, columns {kind: [..]}}.
  nlohmann::json ToJson() const;
  // The names of the columns of result rows: "hostname" (single), "servers.hostname" (pivot).
  std::vector<std::string> RowColumns() const;
};

// The chains a pivot report may follow, in this order.
const std::vector<std::string>& PivotOrder();

// Checks a report body {name, type, kinds, filters, columns} (other keys are left to the caller,
// which passes the ones it allows in `also_allowed`). kValidationFailed with a problem per field
// ("kinds.1": "… no link from clients to servers: add systems, applications …"), kBadRequest for a
// body that is not an object.
Result<Definition> ParseDefinition(const inventory::Registry& registry, const nlohmann::json& body,
                                   const std::vector<std::string>& also_allowed = {});

// The SQL of a report's rows: one row per path, and for each level (in order) the id of its record
// (null where a pivot level is empty) followed by one value per column of the level: JSON text
// for document fields and the datacenter object, the text of common fields, NULL for relation
// fields (the caller looks those up by id). A pivot level without relation columns gives 1 instead
// of its id. Pivot rows come as the database walks the chain, not sorted; single reports take two
// more parameters, `after` (an id) and `limit`, for keyset pages in id order. Levels join like a
// left join; a level with filters drops paths without one of its records; a record appears only
// when active and readable by `user_id` (AccessPlan::kPerRow).
struct PathQuery {
  std::string sql;
  store::Params params;
};
Result<PathQuery> CompilePaths(store::Dialect dialect, const Definition& definition,
                               const std::string& user_id);

// The export headers of a column: its object fields spelled out with dots ("os.base", "os.dist"),
// a single header for scalars, lists and free JSON.
std::vector<std::string> Headers(const Column& column);

}  // namespace maestro::reports
