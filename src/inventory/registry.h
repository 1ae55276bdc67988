// The entity registry: every inventory kind as data. Validation, CRUD, list filters, sorting,
// search, history, access, the OpenAPI document and the UI's kinds endpoint all read these
// definitions, so a new kind is a definition in kinds.cpp, not new handler code.
//
// Built once at start (DefaultRegistry()), then only read: thread-safe.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maestro::inventory {

enum class FieldType {
  kString,  // one line of text
  kText,    // multi-line text (tab and newline allowed)
  kInt,
  kNumber,
  kBool,
  kTime,    // RFC 3339 UTC
  kIp,      // IPv4 or IPv6 text
  kEnum,    // one of `values`
  kObject,  // sub-fields in `fields`
  kList,    // items of `item` (scalars) or objects with `fields`
  kRef,     // the id of a record of `ref_kind`
  kJson,    // any JSON object, not validated inside
};

struct FieldSpec {
  std::string name;
  FieldType type = FieldType::kString;
  bool required = false;
  std::size_t max = 255;                // characters for text; items for lists
  std::vector<std::string> values;      // kEnum (and kList of kEnum)
  std::vector<FieldSpec> fields;        // kObject, or kList of objects
  FieldType item = FieldType::kString;  // kList of scalars
  std::string ref_kind;                 // kRef
  bool open = false;                    // kObject: extra string keys allowed (provider specifics)
  std::string label;                    // for people; defaults to the name
};

// A tab of a record's page: some of its fields (or relation fields), shown only when the record's
// `when_field` holds one of `when_values` (for instance the Database tab of applications).
struct FieldGroup {
  std::string label;
  std::vector<std::string> fields;
  std::string when_field;
  std::vector<std::string> when_values;
};

struct EntitySpec {
  std::string kind;        // path and stored kind: "servers"
  std::string label;       // "Servers"
  std::string name_field;  // the field that names a record: "hostname" or "name"
  std::vector<FieldSpec> fields;
  std::vector<std::string> search_fields;  // q= looks here (text fields, top level)
  std::vector<std::string> list_fields;    // the main columns of lists
  std::string default_sort = "-updated_at";
  std::vector<std::string> duplicate_keys;  // saving warns when another readable record has these
  std::string unique_field;  // saving refuses (409) a second active record with this value
  // Imports find a record by its name_field; with a key_scope (a field path, "datacenter.id"),
  // by its name_field within that scope (records without it form one scope).
  std::string key_scope;
  std::vector<FieldGroup> groups;  // tabs of the record's page; other fields are on "Details"

  const FieldSpec* Field(std::string_view name) const;
};

// A relation between records, kept as edges (one table): readable and writable from both sides
// (or from `from_kind` only when `to_field` is empty), shown as {id, name} of the other records.
struct RelationSpec {
  std::string name;                   // the edge relation: "app_servers"
  std::string from_kind;              // "applications"
  std::string from_field;             // the field on from_kind records: "servers"
  std::vector<std::string> to_kinds;  // kinds the other end may be: {"servers"}
  std::string to_field;               // the field on the other side, "" for one-way relations
  std::vector<FieldSpec> attrs;       // fields of each edge (deps: via, endpoint)
  std::string id_key;                 // items are {<id_key>: id, attrs…} when attrs exist ("app")
};

// One side of a relation, as seen from a kind.
struct RelationSide {
  const RelationSpec* relation;
  bool forward;                     // the kind is the relation's from_kind
  std::string field;                // the field on this kind
  std::vector<std::string> others;  // kinds at the other end
};

// The fields every record has, set by the server and read-only in the API.
const std::vector<std::string>& CommonFields();

class Registry {
 public:
  void Add(EntitySpec spec);
  void AddRelation(RelationSpec relation);
  // The relation fields of a kind.
  std::vector<RelationSide> SidesOf(std::string_view kind) const;
  const EntitySpec* Find(std::string_view kind) const;
  const std::vector<EntitySpec>& kinds() const { return kinds_; }
  // The GET /api/kinds document.
  nlohmann::json Describe() const;

 private:
  std::vector<EntitySpec> kinds_;
  std::vector<std::unique_ptr<RelationSpec>> relations_;  // stable addresses for RelationSide
};

// All inventory kinds of DATA-MODEL.md.
const Registry& DefaultRegistry();

// A field found by dotted path ("os.base", "tags.key", "storage.size"): the spec of the last
// part, and whether the path goes through a list (the filter then tests "any item").
struct FieldPath {
  const FieldSpec* spec = nullptr;  // null for common columns
  std::vector<std::string> parts;
  int list_index = -1;  // index in parts of the list field, or -1
  std::string column;   // common column ("updated_at"), when spec is null
};
// nullopt when the path names nothing of the kind.
std::optional<FieldPath> ResolvePath(const EntitySpec& spec, std::string_view path);

std::string_view TypeName(FieldType type);

}  // namespace maestro::inventory
