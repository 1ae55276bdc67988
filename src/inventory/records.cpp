#include "inventory/records.h"

#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <nlohmann/json.hpp>

#include "common/ids.h"
#include "common/json_util.h"
#include "inventory/search.h"
#include "inventory/validate.h"

namespace maestro::inventory {
namespace {

using auth::Role;
using nlohmann::json;
using store::AsBool;
using store::AsInt;
using store::AsString;
using store::IsNull;

constexpr std::int64_t kUniqueLockKey = 0x756e6971;  // "uniq"

tl::unexpected<Error> NotFound(const EntitySpec& spec) {
  return Fail(ErrorCode::kNotFound, fmt::format("no such record in {}", spec.kind));
}

std::string Marks(std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

bool IsCommon(const std::string& field) {
  const auto& common = CommonFields();
  return std::find(common.begin(), common.end(), field) != common.end();
}

// The record without the fields that are managed elsewhere or change on every write: what
// history keeps of each version.
json Snapshot(const json& record) {
  json out = record;
  out.erase("roles");
  out.erase("warnings");
  return out;
}

// The part of a record a change can touch: its own fields and whether it is active.
json Changeable(const json& record) {
  json out = json::object();
  for (const auto& [key, value] : record.items()) {
    if (!IsCommon(key)) out[key] = value;
  }
  out["active"] = record.value("active", true);
  return out;
}

// The history of an active record's creation, as json::diff(Changeable({}), Changeable(record))
// and Snapshot(record) would write it, each value dumped once (imports and syncs create many).
void CreationHistory(const json& record, std::string& changes, std::string& snapshot) {
  changes = "[";
  snapshot = "{";
  bool first_change = true, first_field = true;
  for (const auto& [key, value] : record.items()) {
    const bool in_snapshot = key != "roles" && key != "warnings";
    const bool changed = !IsCommon(key);
    if (!in_snapshot && !changed) continue;
    const std::string dumped = value.dump();
    if (in_snapshot) {
      snapshot += (first_field ? "" : ",") + json(key).dump() + ":" + dumped;
      first_field = false;
    }
    if (changed) {
      std::string path = "/";
      for (char c : key)
        path += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
      changes += (first_change ? "" : ",") + std::string(R"({"op":"add","path":)") +
                 json(path).dump() + R"(,"value":)" + dumped + "}";
      first_change = false;
    }
  }
  changes += "]";
  snapshot += "}";
}

// The record's own document: without common fields and without relation fields (edges).
json UserFields(const Registry& registry, const EntitySpec& spec, const json& record) {
  json doc = json::object();
  for (const auto& [key, value] : record.items()) {
    if (!IsCommon(key)) doc[key] = value;
  }
  for (const auto& side : registry.SidesOf(spec.kind)) doc.erase(side.field);
  return doc;
}

}  // namespace

struct Records::Loaded {
  std::string id;
  json record;  // rendered, with common fields
  Role role = Role::kNone;
};

struct Records::Planned {
  Loaded loaded;
  json doc;  // the new user fields, nulls dropped
  bool active = true;
  Role need = Role::kWrite;  // the caller's role this change needs
  std::vector<RelationWrite> relations;
};

Records::Records(store::Store& store, const Clock& clock, const Registry& registry,
                 RecordSettings settings)
    : store_(store), clock_(clock), registry_(registry), settings_(settings) {}

std::string Records::Now() const { return FormatTime(clock_.Now()); }

Result<json> Records::RolesOf(store::Session* session, const std::string& id) {
  const char* sql =
      "SELECT a.principal_type, a.principal_id, a.role, COALESCE(u.name, t.name) AS name FROM acl "
      "a LEFT JOIN users u ON a.principal_type = 'user' AND u.id = a.principal_id LEFT JOIN teams "
      "t "
      "ON a.principal_type = 'team' AND t.id = a.principal_id WHERE a.record_id = ? ORDER BY "
      "a.role DESC, a.principal_type DESC, a.principal_id";
  auto rows = session ? session->Query(sql, {id}) : store_.Query(sql, {id});
  if (!rows) return Fail(rows.error());
  json items = json::array();
  for (std::size_t i = 0; i < rows->size(); ++i) {
    items.push_back({{"type", AsString(rows->At(i, "principal_type"))},
                     {"id", AsString(rows->At(i, "principal_id"))},
                     {"name", IsNull(rows->At(i, "name")) ? json(nullptr)
                                                          : json(AsString(rows->At(i, "name")))},
                     {"role", auth::RoleName(static_cast<Role>(AsInt(rows->At(i, "role"))))}});
  }
  return items;
}

Result<json> Records::Render(store::Session* session, const auth::Principal& caller,
                             const EntitySpec& spec, const std::vector<std::string>& ids,
                             std::map<std::string, Role>* caller_roles) {
  if (ids.empty()) return json::array();
  const std::string marks = Marks(ids.size());
  store::Params params;
  std::string role_column;
  if (caller_roles != nullptr) {
    const auto role = auth::RoleExpression("r.id", caller.user_id);
    role_column = ", " + role.sql + " AS caller_role";
    params = role.params;
  }
  params.insert(params.end(), ids.begin(), ids.end());
  const std::string sql =
      "SELECT r.id, r.kind, r.owner_type, r.owner_id, r.version, r.created_at, r.updated_at, "
      "r.active, r.source, r.checksum, r.doc, CASE r.owner_type WHEN 'user' THEN (SELECT name FROM "
      "users WHERE id = r.owner_id) WHEN 'team' THEN (SELECT name FROM teams WHERE id = "
      "r.owner_id) END AS owner_name" +
      role_column + " FROM records r WHERE r.id IN (" + marks + ")";
  auto rows = session ? session->Query(sql, params) : store_.Query(sql, params);
  if (!rows) return Fail(rows.error());
  const std::string roles_sql =
      "SELECT a.record_id, a.principal_type, a.principal_id, a.role, COALESCE(u.name, t.name) AS "
      "name FROM acl a LEFT JOIN users u ON a.principal_type = 'user' AND u.id = a.principal_id "
      "LEFT JOIN teams t ON a.principal_type = 'team' AND t.id = a.principal_id WHERE a.record_id "
      "IN (" +
      marks + ") ORDER BY a.role DESC, a.principal_type DESC, a.principal_id";
  const store::Params id_params(ids.begin(), ids.end());
  auto acl = session ? session->Query(roles_sql, id_params) : store_.Query(roles_sql, id_params);
  if (!acl) return Fail(acl.error());
  std::map<std::string, json> roles;
  for (std::size_t i = 0; i < acl->size(); ++i) {
    const auto& name = acl->At(i, "name");
    roles[AsString(acl->At(i, "record_id"))].push_back(
        {{"type", AsString(acl->At(i, "principal_type"))},
         {"id", AsString(acl->At(i, "principal_id"))},
         {"name", IsNull(name) ? json(nullptr) : json(AsString(name))},
         {"role", auth::RoleName(static_cast<Role>(AsInt(acl->At(i, "role"))))}});
  }
  std::map<std::string, json> by_id;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    if (AsString(rows->At(i, "kind")) != spec.kind) continue;  // an id of another kind: not here
    auto doc = ParseJson(AsString(rows->At(i, "doc"), "{}"));
    if (!doc) return Fail(ErrorCode::kInternal, "a stored document is not JSON");
    json record = std::move(*doc);
    const std::string id = AsString(rows->At(i, "id"));
    const auto& owner_name = rows->At(i, "owner_name");
    record["id"] = id;
    record["kind"] = spec.kind;
    record["version"] = AsInt(rows->At(i, "version"));
    record["created_at"] = AsString(rows->At(i, "created_at"));
    record["updated_at"] = AsString(rows->At(i, "updated_at"));
    record["active"] = AsBool(rows->At(i, "active"));
    record["source"] = AsString(rows->At(i, "source"));
    record["owner"] = {{"type", AsString(rows->At(i, "owner_type"))},
                       {"id", AsString(rows->At(i, "owner_id"))},
                       {"name", IsNull(owner_name) ? json(nullptr) : json(AsString(owner_name))}};
    record["roles"] = roles.contains(id) ? roles[id] : json::array();
    if (!IsNull(rows->At(i, "checksum"))) record["checksum"] = AsString(rows->At(i, "checksum"));
    if (caller_roles != nullptr) {
      (*caller_roles)[id] = static_cast<Role>(AsInt(rows->At(i, "caller_role")));
    }
    by_id[id] = std::move(record);
  }
  if (auto related = RenderRelations(session, caller, spec, ids, by_id); !related) {
    return Fail(related.error());
  }
  json out = json::array();
  for (const auto& id : ids) {
    if (by_id.contains(id)) out.push_back(std::move(by_id[id]));
  }
  return out;
}

Status Records::RenderRelations(store::Session* session, const auth::Principal& caller,
                                const EntitySpec& spec, const std::vector<std::string>& ids,
                                std::map<std::string, json>& records) {
  const auto sides = registry_.SidesOf(spec.kind);
  if (sides.empty() || ids.empty()) return {};
  const store::Dialect dialect = store_.dialect();
  const auto access =
      auth::AccessCondition("o.id", caller.user_id, Role::kRead, auth::AccessPlan::kPerRow);
  // Every side in one query: one branch per side, told apart by its number.
  std::string sql;
  store::Params params;
  for (std::size_t s = 0; s < sides.size(); ++s) {
    const RelationSide& side = sides[s];
    for (auto& [id, record] : records) record[side.field] = json::array();
    // The other record's name, whichever of its kinds it is.
    std::string name = "COALESCE(";
    for (std::size_t k = 0; k < side.others.size(); ++k) {
      const EntitySpec* other = registry_.Find(side.others[k]);
      name += (k == 0 ? "" : ", ") + TextExpression(dialect, "o.doc", {other->name_field});
    }
    name += ", '')";
    const char* mine = side.forward ? "e.from_id" : "e.to_id";
    const char* theirs = side.forward ? "e.to_id" : "e.from_id";
    params.push_back(side.relation->name);
    params.push_back(true);
    params.insert(params.end(), ids.begin(), ids.end());
    params.insert(params.end(), access.params.begin(), access.params.end());
    sql += fmt::format(
        "{5}SELECT {6} AS side, {0} AS mine, o.id AS id, o.kind AS kind, {2} AS name, LOWER({2}) "
        "AS sort_name, e.attrs AS attrs FROM edges e JOIN records o ON o.id = {1} WHERE "
        "e.relation = ? AND "
        "o.active = ? AND {0} IN ({3}) AND {4}",
        mine, theirs, name, Marks(ids.size()), access.sql, s == 0 ? "" : " UNION ALL ", s);
  }
  sql += " ORDER BY side, sort_name, id";  // a compound query sorts by its columns only
  auto rows = session ? session->Query(sql, params) : store_.Query(sql, params);
  if (!rows) return Fail(rows.error());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const RelationSide& side = sides.at(static_cast<std::size_t>(AsInt(rows->At(i, "side"))));
    const bool with_attrs = side.forward && !side.relation->attrs.empty();
    json other = {{"id", AsString(rows->At(i, "id"))}, {"name", AsString(rows->At(i, "name"))}};
    // A side that may reach several kinds (load balancer targets) says which each item is.
    if (side.others.size() > 1) other["kind"] = AsString(rows->At(i, "kind"));
    json item = other;
    if (with_attrs) {
      item = json{{side.relation->id_key, other}};
      auto attrs = ParseJson(AsString(rows->At(i, "attrs"), "{}"));
      if (attrs && attrs->is_object()) {
        for (const auto& [key, value] : attrs->items()) item[key] = value;
      }
    }
    records[AsString(rows->At(i, "mine"))][side.field].push_back(std::move(item));
  }
  return {};
}

Result<std::vector<Records::RelationWrite>> Records::TakeRelations(const EntitySpec& spec,
                                                                   json& body) {
  std::vector<RelationWrite> writes;
  std::vector<FieldError> problems;
  for (const RelationSide& side : registry_.SidesOf(spec.kind)) {
    if (!body.is_object() || !body.contains(side.field)) continue;
    json value = std::move(body[side.field]);
    body.erase(side.field);
    if (value.is_null()) value = json::array();
    if (!value.is_array()) {
      problems.push_back({side.field, "must be a list of record ids"});
      continue;
    }
    if (value.size() > 1000) {
      problems.push_back({side.field, "must have at most 1000 items"});
      continue;
    }
    RelationWrite write{.side = side};
    const bool with_attrs = side.forward && !side.relation->attrs.empty();
    const std::string key = with_attrs ? side.relation->id_key : "id";
    for (std::size_t i = 0; i < value.size(); ++i) {
      const std::string path = fmt::format("{}.{}", side.field, i);
      const json& item = value[i];
      // An id, or an object naming it: {id, name} as reads show it, or {app: {id, name}, via, …}.
      json target = item.is_object() && item.contains(key) ? item[key] : item;
      if (target.is_object() && target.contains("id")) target = target["id"];
      if (!target.is_string() || !IsId(target.get<std::string>())) {
        problems.push_back({path, "must be the id of a record"});
        continue;
      }
      json attrs = json::object();
      if (item.is_object()) {
        for (const auto& [name, attr] : item.items()) {
          if (name == key || name == "name" || name == "kind") continue;  // as reads show them
          const FieldSpec* known = nullptr;
          if (with_attrs) {
            for (const auto& candidate : side.relation->attrs) {
              if (candidate.name == name) known = &candidate;
            }
          }
          if (known == nullptr) {
            problems.push_back({path + "." + name, "is not a field of " + side.field});
          } else if (!attr.is_null()) {
            if (!attr.is_string()) {
              problems.push_back({path + "." + name, "must be a string"});
            } else {
              attrs[name] = attr;
            }
          }
        }
      }
      write.items.emplace_back(target.get<std::string>(), std::move(attrs));
    }
    writes.push_back(std::move(write));
  }
  if (!problems.empty()) {
    return Fail(ErrorCode::kValidationFailed, "relation fields have problems", std::move(problems));
  }
  return writes;
}

Status Records::WriteRelations(store::Session& session, const auth::Principal& caller,
                               const std::string& id, const std::vector<RelationWrite>& writes) {
  const auto access =
      auth::AccessCondition("r.id", caller.user_id, Role::kRead, auth::AccessPlan::kPerRow);
  const std::string param(store::JsonParam(session.dialect()));
  const std::string now = Now();
  for (const RelationWrite& write : writes) {
    const RelationSide& side = write.side;
    std::vector<FieldError> problems;
    for (std::size_t i = 0; i < write.items.size(); ++i) {
      const std::string& other = write.items[i].first;
      store::Params params = {other, true};
      params.insert(params.end(), access.params.begin(), access.params.end());
      auto rows = session.Query(
          "SELECT r.kind FROM records r WHERE r.id = ? AND r.active = ? AND " + access.sql, params);
      if (!rows) return Fail(rows.error());
      const std::string kind = rows->empty() ? "" : AsString(rows->At(0, "kind"));
      if (other == id ||
          std::find(side.others.begin(), side.others.end(), kind) == side.others.end()) {
        std::string kinds;
        for (const auto& k : side.others) kinds += (kinds.empty() ? "" : " or ") + k;
        problems.push_back(
            {fmt::format("{}.{}", side.field, i), "is not a record of " + kinds + " you can read"});
      }
    }
    if (!problems.empty()) {
      return Fail(ErrorCode::kValidationFailed,
                  "relation fields name records that cannot be linked", std::move(problems));
    }
    // Edges to records the caller cannot see stay: replacing a list never drops what the caller
    // was not shown.
    const char* mine = side.forward ? "from_id" : "to_id";
    const auto visible =
        auth::AccessCondition(side.forward ? "edges.to_id" : "edges.from_id", caller.user_id,
                              Role::kRead, auth::AccessPlan::kPerRow);
    store::Params clear = {side.relation->name, id};
    clear.insert(clear.end(), visible.params.begin(), visible.params.end());
    auto cleared = session.Exec(
        fmt::format("DELETE FROM edges WHERE relation = ? AND {} = ? AND {}", mine, visible.sql),
        clear);
    if (!cleared) return Fail(cleared.error());
    for (const auto& [other, attrs] : write.items) {
      auto added = session.Exec(
          "INSERT INTO edges (relation, from_id, to_id, attrs, created_at) VALUES (?, ?, ?, " +
              param +
              ", ?) ON CONFLICT (relation, from_id, to_id) DO UPDATE SET attrs = excluded.attrs",
          {side.relation->name, side.forward ? id : other, side.forward ? other : id, attrs.dump(),
           now});
      if (!added) return Fail(added.error());
    }
  }
  return {};
}

Result<Records::Loaded> Records::Load(store::Session& session, const auth::Principal& caller,
                                      const EntitySpec& spec, const std::string& id, Role need,
                                      bool lock) {
  if (lock) {
    auto locked = session.Query("SELECT id FROM records WHERE id = ? AND kind = ?" +
                                    std::string(store::ForUpdate(session.dialect())),
                                {id, spec.kind});
    if (!locked) return Fail(locked.error());
    if (locked->empty()) return NotFound(spec);
  }
  // One read gives the record and the caller's role on it.
  std::map<std::string, Role> roles;
  auto rendered = Render(&session, caller, spec, {id}, &roles);
  if (!rendered) return Fail(rendered.error());
  if (rendered->empty()) return NotFound(spec);
  Loaded loaded{.id = id, .role = roles[id]};
  if (loaded.role == Role::kNone) return NotFound(spec);
  if (loaded.role < need) {
    return Fail(ErrorCode::kForbidden,
                fmt::format("you need {} access to this record; you have {}", auth::RoleName(need),
                            auth::RoleName(loaded.role)));
  }
  loaded.record = std::move((*rendered)[0]);
  return loaded;
}

Status Records::CheckUnique(store::Session& session, const EntitySpec& spec, const std::string& id,
                            const json& doc) {
  if (spec.unique_field.empty() || !doc.contains(spec.unique_field)) return {};
  if (auto locked = store::LockTransaction(session, kUniqueLockKey); !locked) return locked;
  const std::string expr = TextExpression(session.dialect(), "r.doc", {spec.unique_field});
  auto rows = session.Query(
      "SELECT r.id FROM records r WHERE r.kind = ? AND r.active = ? AND r.id <> ? AND "
      "LOWER(" +
          expr + ") = LOWER(?)",
      {spec.kind, true, id, doc[spec.unique_field].get<std::string>()});
  if (!rows) return Fail(rows.error());
  if (!rows->empty()) {
    return Fail(
        ErrorCode::kConflict,
        fmt::format("another record of {} already has this {}", spec.kind, spec.unique_field),
        {{spec.unique_field, "is already used"}});
  }
  return {};
}

Result<json> Records::Warnings(store::Session& session, const auth::Principal& caller,
                               const EntitySpec& spec, const std::string& id, const json& doc) {
  json warnings = json::array();
  const auto access =
      auth::AccessCondition("r.id", caller.user_id, Role::kRead, auth::AccessPlan::kPerRow);
  // One query, a branch per duplicate key the document has (each up to 5 other records).
  std::string sql;
  store::Params params;
  std::vector<std::string> keys;
  for (const auto& key : spec.duplicate_keys) {
    if (!doc.contains(key) || !doc[key].is_string()) continue;
    sql += fmt::format(
        "{}SELECT * FROM (SELECT {} AS k, r.id, {} AS name FROM records r WHERE r.kind = ? AND "
        "r.active = ? AND r.id <> ? AND {} = ? AND {} ORDER BY r.id LIMIT 5) w{}",
        keys.empty() ? "" : " UNION ALL ", keys.size(),
        TextExpression(session.dialect(), "r.doc", {spec.name_field}),
        TextExpression(session.dialect(), "r.doc", {key}), access.sql, keys.size());
    params.insert(params.end(), {spec.kind, true, id, doc[key].get<std::string>()});
    params.insert(params.end(), access.params.begin(), access.params.end());
    keys.push_back(key);
  }
  if (keys.empty()) return warnings;
  auto rows = session.Query(sql, params);
  if (!rows) return Fail(rows.error());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const std::string& key = keys.at(static_cast<std::size_t>(AsInt(rows->At(i, "k"))));
    warnings.push_back(
        {{"field", key},
         {"message", fmt::format("{} {} is also used by {} ({})", key, doc[key].get<std::string>(),
                                 AsString(rows->At(i, "name")), AsString(rows->At(i, "id")))},
         {"id", AsString(rows->At(i, "id"))}});
  }
  return warnings;
}

Status Records::WriteHistory(store::Session& session, const auth::Principal& caller,
                             const std::string& id, std::int64_t version, const std::string& at,
                             const std::string& action, const json& before, const json& after) {
  return WriteHistories(
      session, caller, at,
      {{.id = id, .version = version, .action = action, .before = &before, .after = &after}});
}

Status Records::WriteHistories(store::Session& session, const auth::Principal& caller,
                               const std::string& at, std::vector<HistoryEntry> entries) {
  if (!settings_.audit || entries.empty()) return {};
  const std::string param(store::JsonParam(session.dialect()));
  const json nothing = json::object();
  std::string sql =
      "INSERT INTO history (record_id, version, at, actor_type, actor_id, action, changes, "
      "snapshot) VALUES ";
  store::Params params;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    HistoryEntry& entry = entries[i];
    sql += (i == 0 ? "" : ", ") + ("(?, ?, ?, ?, ?, ?, " + param + ", " + param + ")");
    std::string changes, snapshot;
    if (entry.after == nullptr) {
      changes = std::move(entry.changes);  // worked out beforehand
      snapshot = std::move(entry.snapshot);
    } else if (entry.before == nullptr && entry.after->value("active", true)) {
      CreationHistory(*entry.after, changes, snapshot);
    } else {
      const json& before = entry.before != nullptr ? *entry.before : nothing;
      changes = json::diff(Changeable(before), Changeable(*entry.after)).dump();
      snapshot = Snapshot(*entry.after).dump();
    }
    params.insert(params.end(), {entry.id, entry.version, at, caller.actor_type, caller.actor(),
                                 entry.action, std::move(changes), std::move(snapshot)});
  }
  if (auto written = session.Exec(sql, params); !written) return Fail(written.error());
  return {};
}

namespace {

// The view of a record just inserted, with no relations yet: what Render shows for it, made
// without reading it back.
json NewRecordView(const Registry& registry, const EntitySpec& spec, json doc,
                   const std::string& id, const std::string& owner_type,
                   const std::string& owner_id, const std::string& owner_name,
                   const std::string& now, const std::string& source) {
  json record = std::move(doc);
  record["id"] = id;
  record["kind"] = spec.kind;
  record["version"] = 1;
  record["created_at"] = now;
  record["updated_at"] = now;
  record["active"] = true;
  record["source"] = source;
  record["owner"] = {{"type", owner_type}, {"id", owner_id}, {"name", owner_name}};
  record["roles"] = json::array({{{"type", owner_type},
                                  {"id", owner_id},
                                  {"name", owner_name},
                                  {"role", auth::RoleName(Role::kAdmin)}}});
  for (const auto& side : registry.SidesOf(spec.kind)) record[side.field] = json::array();
  return record;
}

}  // namespace

Result<Records::NewDocument> Records::Prepare(const EntitySpec& spec, json body) {
  if (!body.is_object()) {
    return Fail(ErrorCode::kValidationFailed, "the body must be a JSON object",
                {{"", "must be an object"}});
  }
  NewDocument prepared{.doc = std::move(body)};
  json& doc = prepared.doc;
  std::vector<FieldError> problems;
  for (const auto& [key, value] : doc.items()) {
    if (IsCommon(key)) problems.push_back({key, "is read-only"});
  }
  for (const auto& problem : problems) doc.erase(problem.field);
  auto relations = TakeRelations(spec, doc);
  if (!relations) {
    problems.insert(problems.end(), relations.error().fields.begin(),
                    relations.error().fields.end());
  } else {
    prepared.relations = std::move(*relations);
  }
  DropNulls(doc);
  if (auto valid = ValidateDocument(spec, doc); !valid) {
    problems.insert(problems.end(), valid.error().fields.begin(), valid.error().fields.end());
  }
  if (!problems.empty()) {
    std::string message = fmt::format("the {} record has {} problem{}:", spec.kind, problems.size(),
                                      problems.size() == 1 ? "" : "s");
    for (const auto& p : problems) message += fmt::format(" {} {};", p.field, p.problem);
    message.pop_back();
    return Fail(ErrorCode::kValidationFailed, std::move(message), std::move(problems));
  }
  return prepared;
}

Result<std::string> Records::OwnerName(store::Session& session, const std::string& owner_type,
                                       const std::string& owner_id) {
  auto rows = session.Query(owner_type == "team" ? "SELECT name FROM teams WHERE id = ?"
                                                 : "SELECT name FROM users WHERE id = ?",
                            {owner_id});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(ErrorCode::kNotFound, "no such " + owner_type);
  return AsString(rows->At(0, "name"));
}

namespace {

// A new record's row, worked out apart from its statements: its id, texts, view and first history
// entry (the view and history only for records without relations, which are read back instead).
struct NewRow {
  std::string id, search, doc, changes, snapshot;
  json view;
};

}  // namespace

Status Records::Insert(store::Session& session, const auth::Principal& caller,
                       const EntitySpec& spec, const std::vector<NewDocument*>& prepared,
                       const std::string& owner_type, const std::string& owner_id,
                       const std::string& owner_name, const std::string& source,
                       std::vector<json>& results) {
  const std::string now = Now();
  const std::string param(store::JsonParam(session.dialect()));
  results.clear();
  results.reserve(prepared.size());  // history entries of related records point into it
  // Rows go in groups, each one statement per table (bound parameters stay under SQLite's limit).
  constexpr std::size_t kRowsPerStatement = 100;
  const std::size_t groups = (prepared.size() + kRowsPerStatement - 1) / kRowsPerStatement;
  auto compose = [&](std::size_t group) {
    std::vector<NewRow> rows;
    const std::size_t first = group * kRowsPerStatement;
    for (std::size_t i = first; i < std::min(prepared.size(), first + kRowsPerStatement); ++i) {
      NewDocument& one = *prepared[i];
      NewRow& row = rows.emplace_back();
      row.id = NewId();
      row.search = SearchText(spec, one.doc);
      row.doc = one.doc.dump();
      if (!one.relations.empty()) continue;
      // The document is not read back: the view takes it.
      row.view = NewRecordView(registry_, spec, std::move(one.doc), row.id, owner_type, owner_id,
                               owner_name, now, source);
      if (settings_.audit) CreationHistory(row.view, row.changes, row.snapshot);
    }
    return rows;
  };
  // Many records without relations, of a kind without unique names (an import, a sync): each
  // group's rows are worked out on another thread while the statements of the group before run,
  // so that both cores work. That thread only reads the documents and the registry; on any way
  // out, the future's destructor waits for it.
  const bool ahead = groups > 1 && spec.unique_field.empty() &&
                     std::all_of(prepared.begin(), prepared.end(),
                                 [](const NewDocument* one) { return one->relations.empty(); });
  std::future<std::vector<NewRow>> next;
  if (ahead) next = std::async(std::launch::async, compose, 0);

  for (std::size_t group = 0; group < groups; ++group) {
    std::vector<NewRow> rows = ahead ? next.get() : compose(group);
    if (ahead && group + 1 < groups) next = std::async(std::launch::async, compose, group + 1);
    const std::size_t first = group * kRowsPerStatement;
    std::string records_sql =
        "INSERT INTO records (id, kind, owner_type, owner_id, version, created_at, updated_at, "
        "active, source, search, doc) VALUES ";
    std::string acl_sql = "INSERT INTO acl (record_id, principal_type, principal_id, role) VALUES ";
    store::Params records_params, acl_params;
    for (std::size_t k = 0; k < rows.size(); ++k) {
      NewRow& row = rows[k];
      const NewDocument& one = *prepared[first + k];
      // (Records of kinds with unique names come one at a time: earlier rows of this statement
      // are not in the table yet.)
      if (auto unique =
              CheckUnique(session, spec, row.id, one.relations.empty() ? row.view : one.doc);
          !unique) {
        return unique;
      }
      records_sql += (k == 0 ? "" : ", ") + ("(?, ?, ?, ?, 1, ?, ?, ?, ?, ?, " + param + ")");
      records_params.insert(records_params.end(),
                            {row.id, spec.kind, owner_type, owner_id, now, now, true, source,
                             std::move(row.search), std::move(row.doc)});
      acl_sql += k == 0 ? "(?, ?, ?, 3)" : ", (?, ?, ?, 3)";
      acl_params.insert(acl_params.end(), {row.id, owner_type, owner_id});
    }
    if (auto inserted = session.Exec(records_sql, records_params); !inserted)
      return Fail(inserted.error());
    if (auto granted = session.Exec(acl_sql, acl_params); !granted) return Fail(granted.error());
    std::vector<HistoryEntry> history;
    for (std::size_t k = 0; k < rows.size(); ++k) {
      NewRow& row = rows[k];
      NewDocument& one = *prepared[first + k];
      if (one.relations.empty()) {
        results.push_back(std::move(row.view));
        history.push_back({.id = row.id,
                           .version = 1,
                           .action = "create",
                           .changes = std::move(row.changes),
                           .snapshot = std::move(row.snapshot)});
        continue;
      }
      if (auto related = WriteRelations(session, caller, row.id, one.relations); !related) {
        return related;
      }
      auto rendered = Render(&session, caller, spec, {row.id});
      if (!rendered) return Fail(rendered.error());
      results.push_back(std::move((*rendered)[0]));
      history.push_back({.id = row.id, .version = 1, .action = "create", .after = &results.back()});
    }
    if (auto written = WriteHistories(session, caller, now, std::move(history)); !written) {
      return written;
    }
  }
  return {};
}

Result<json> Records::Create(const auth::Principal& caller, const EntitySpec& spec,
                             const json& body, const std::string& team, const std::string& source) {
  auto prepared = Prepare(spec, body);
  if (!prepared) return Fail(prepared.error());
  json result;
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    std::string owner_type = "user";
    std::string owner_id = caller.user_id;
    if (!team.empty()) {
      auto membership =
          session.Query("SELECT role FROM team_members WHERE team_id = ? AND user_id = ?",
                        {team, caller.user_id});
      if (!membership) return Fail(membership.error());
      if (membership->empty()) return Fail(ErrorCode::kNotFound, "no such team");
      if (AsInt(membership->At(0, "role")) < static_cast<int>(Role::kWrite)) {
        return Fail(ErrorCode::kForbidden, "creating records for a team needs write in the team");
      }
      owner_type = "team";
      owner_id = team;
    }
    auto owner_name = OwnerName(session, owner_type, owner_id);
    if (!owner_name) return Fail(owner_name.error());
    std::vector<json> results;
    if (auto inserted = Insert(session, caller, spec, {&*prepared}, owner_type, owner_id,
                               *owner_name, source, results);
        !inserted) {
      return inserted;
    }
    result = std::move(results.at(0));
    auto warnings = Warnings(session, caller, spec, result["id"], result);
    if (!warnings) return Fail(warnings.error());
    if (!warnings->empty()) result["warnings"] = std::move(*warnings);
    return {};
  });
  if (!done) return Fail(done.error());
  return result;
}

std::vector<std::optional<Records::NewDocument>> Records::PrepareMany(
    const EntitySpec& spec, std::vector<json> bodies, std::vector<Result<json>>& results) {
  std::vector<std::optional<NewDocument>> prepared;
  results.clear();
  for (json& body : bodies) {
    auto one = Prepare(spec, std::move(body));
    if (one) {
      prepared.emplace_back(std::move(*one));
      results.emplace_back(json());
    } else {
      prepared.emplace_back();
      results.emplace_back(Fail(one.error()));
    }
  }
  return prepared;
}

Result<std::vector<Result<json>>> Records::CreateMany(const auth::Principal& caller,
                                                      const EntitySpec& spec,
                                                      std::vector<json> bodies,
                                                      const std::string& source) {
  std::vector<Result<json>> results;
  auto prepared = PrepareMany(spec, std::move(bodies), results);  // outside the transaction
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    return CreatePrepared(session, caller, spec, prepared, source, results);
  });
  if (!done) return Fail(done.error());
  return results;
}

Result<std::vector<Result<json>>> Records::CreateMany(store::Session& session,
                                                      const auth::Principal& caller,
                                                      const EntitySpec& spec,
                                                      std::vector<json> bodies,
                                                      const std::string& source) {
  std::vector<Result<json>> results;
  auto prepared = PrepareMany(spec, std::move(bodies), results);
  if (auto done = CreatePrepared(session, caller, spec, prepared, source, results); !done) {
    return Fail(done.error());
  }
  return results;
}

Result<json> Records::Update(store::Session& session, const auth::Principal& caller,
                             const EntitySpec& spec, const std::string& id,
                             const std::function<json(const json& record)>& change,
                             std::optional<bool> active) {
  auto loaded = Load(session, caller, spec, id, Role::kWrite, true);
  if (!loaded) return Fail(loaded.error());
  const bool was_active = loaded->record["active"].get<bool>();
  const bool restoring = active.value_or(was_active) && !was_active;
  if (restoring && loaded->role < Role::kAdmin) {
    return Fail(ErrorCode::kForbidden, "restoring a record needs admin on it");
  }
  json fields = change(loaded->record);
  if (!fields.is_object()) {
    return Fail(ErrorCode::kValidationFailed, "the record must be a JSON object");
  }
  if (auto relations = TakeRelations(spec, fields); !relations) return Fail(relations.error());
  return Save(session, caller, spec, *loaded, UserFields(registry_, spec, fields),
              active.value_or(was_active), "");
}

Result<json> Records::Get(const auth::Principal& caller, const EntitySpec& spec,
                          const std::string& id) {
  json result;
  auto done = store_.Transaction(
      [&](store::Session& session) -> Status {
        auto loaded = Load(session, caller, spec, id, Role::kRead, false);
        if (!loaded) return Fail(loaded.error());
        result = std::move(loaded->record);
        return {};
      },
      // The record, its roles and its relations are read one after another, without a snapshot
      // in common: a change landing between two reads shows in the next GET.
      store::TransactionMode::kNone);
  if (!done) return Fail(done.error());
  return result;
}

Status Records::CreatePrepared(store::Session& session, const auth::Principal& caller,
                               const EntitySpec& spec,
                               std::vector<std::optional<NewDocument>>& prepared,
                               const std::string& source, std::vector<Result<json>>& results) {
  auto owner_name = OwnerName(session, "user", caller.user_id);
  if (!owner_name) return Fail(owner_name.error());
  // Records without relations, of a kind without unique names, cannot be refused once checked:
  // they are written together. The others one by one, each under a savepoint, so that a
  // refusal (a relation to an unreadable record, a name in use) undoes only that record.
  std::vector<NewDocument*> together;
  std::vector<std::size_t> together_at;
  for (std::size_t i = 0; i < prepared.size(); ++i) {
    if (!prepared[i]) continue;
    if (prepared[i]->relations.empty() && spec.unique_field.empty()) {
      together.push_back(&*prepared[i]);
      together_at.push_back(i);
      continue;
    }
    if (auto saved = session.Exec("SAVEPOINT one_record"); !saved) return Fail(saved.error());
    std::vector<json> one;
    auto inserted = Insert(session, caller, spec, {&*prepared[i]}, "user", caller.user_id,
                           *owner_name, source, one);
    if (!inserted && (inserted.error().code == ErrorCode::kInternal ||
                      inserted.error().code == ErrorCode::kUnavailable)) {
      return inserted;
    }
    if (!inserted) {
      if (auto undone = session.Exec("ROLLBACK TO SAVEPOINT one_record"); !undone)
        return Fail(undone.error());
      results[i] = Fail(inserted.error());
    } else {
      results[i] = std::move(one.at(0));
    }
    if (auto released = session.Exec("RELEASE SAVEPOINT one_record"); !released)
      return Fail(released.error());
  }
  std::vector<json> written;
  if (auto inserted = Insert(session, caller, spec, together, "user", caller.user_id, *owner_name,
                             source, written);
      !inserted) {
    return inserted;
  }
  for (std::size_t k = 0; k < together_at.size(); ++k)
    results[together_at[k]] = std::move(written[k]);
  return {};
}

namespace {

// Lists of up to this many matches keep all their ids in the cache (~60 bytes each).
constexpr std::int64_t kKeptIds = 10000;

// WHERE clause (and its parameters) shared by List and Count.
Result<auth::SqlCondition> ListCondition(store::Dialect dialect, const auth::Principal& caller,
                                         const EntitySpec& spec, const ListQuery& query,
                                         auth::AccessPlan plan) {
  auth::SqlCondition where{.sql = "r.kind = ?", .params = {spec.kind}};
  if (query.active != "all") {
    where.sql += " AND r.active = ?";
    where.params.push_back(query.active == "true");
  }
  const auto access = auth::AccessCondition("r.id", caller.user_id, Role::kRead, plan);
  where.sql += " AND " + access.sql;
  where.params.insert(where.params.end(), access.params.begin(), access.params.end());
  auto filters = CompileFilters(dialect, spec, query.filters);
  if (!filters) return Fail(filters.error());
  where.sql += " AND " + filters->sql;
  where.params.insert(where.params.end(), filters->params.begin(), filters->params.end());
  const auto search = CompileSearch(dialect, spec, query.q);
  where.sql += " AND " + search.sql;
  where.params.insert(where.params.end(), search.params.begin(), search.params.end());
  return where;
}

// The ids matching a list condition, in order (the key of its match set in the cache).
std::string MatchQuery(const auth::SqlCondition& where, const std::string& order) {
  return "SELECT r.id FROM records r WHERE " + where.sql + " ORDER BY " + order;
}

}  // namespace

Result<Records::MatchSet> Records::Matches(store::Session& session, const auth::SqlCondition& where,
                                           const std::string& order) {
  auto generation = ListCache::Generation(session);  // first: before the snapshot
  if (!generation) return Fail(generation.error());
  const std::string ordered = MatchQuery(where, order);
  MatchSet set{.key = ListCache::Key(ordered, where.params), .generation = std::move(*generation)};
  auto entry = lists_.FindOrMake(set.key, set.generation, [&]() -> Result<ListCache::Entry> {
    // The first kKeptIds matches in order give every page among them, and the total when
    // there are no more.
    ListCache::Entry made;
    auto counted = store::WithoutNestedLoops(session, [&]() -> Status {
      store::Params params = where.params;
      params.push_back(std::int64_t{kKeptIds + 1});
      auto rows = session.Query(ordered + " LIMIT ?", params);
      if (!rows) return Fail(rows.error());
      auto kept = std::make_shared<std::vector<std::string>>();
      const std::size_t keep = std::min<std::size_t>(rows->size(), kKeptIds);
      kept->reserve(keep);
      for (std::size_t i = 0; i < keep; ++i) kept->push_back(AsString(rows->At(i, "id")));
      made.count = static_cast<std::int64_t>(rows->size());
      if (rows->size() > keep) {
        auto total =
            session.Query("SELECT COUNT(*) AS n FROM records r WHERE " + where.sql, where.params);
        if (!total) return Fail(total.error());
        made.count = AsInt(total->At(0, "n"));
      }
      made.ids = std::move(kept);
      return {};
    });
    if (!counted) return Fail(counted.error());
    return made;
  });
  if (!entry) return Fail(entry.error());
  set.entry = std::move(*entry);
  return set;
}

Result<std::string> Records::List(const auth::Principal& caller, const EntitySpec& spec,
                                  const ListQuery& query) {
  auto order = CompileSort(store_.dialect(), spec, query.sort);
  if (!order) return Fail(order.error());
  auto all = ListCondition(store_.dialect(), caller, spec, query, auth::AccessPlan::kSet);
  if (!all) return Fail(all.error());
  const std::int64_t offset = std::int64_t{query.page - 1} * query.limit;
  auto Body = [&](std::int64_t total, const std::string* items) {
    return fmt::format(R"({{"items":{},"total":{},"page":{},"limit":{}}})", items ? *items : "[]",
                       total, query.page, query.limit);
  };
  // A page kept from the data as it is now needs the generation alone: one statement, no
  // transaction (a round trip instead of three on PostgreSQL).
  const std::string key = ListCache::Key(MatchQuery(*all, *order), all->params);
  auto now = ListCache::CurrentGeneration(store_);
  if (!now) return Fail(now.error());
  if (auto set = lists_.Find(key, *now)) {
    if (offset >= set->count) return Body(set->count, nullptr);
    if (auto page = lists_.Find(ListCache::PageKey(key, offset, query.limit), *now);
        page && page->items) {
      return Body(set->count, page->items.get());
    }
  }
  std::int64_t total = 0;
  std::shared_ptr<const std::string> items;
  auto done = store_.Transaction(
      [&](store::Session& session) -> Status {
        auto matches = Matches(session, *all, *order);
        if (!matches) return Fail(matches.error());
        total = matches->entry.count;
        if (offset >= total) return {};
        // A page rendered from the same data is shown again as it was.
        const std::string page_key = ListCache::PageKey(matches->key, offset, query.limit);
        auto page =
            lists_.FindOrMake(page_key, matches->generation, [&]() -> Result<ListCache::Entry> {
              const auto& kept = *matches->entry.ids;
              const auto end = std::min<std::int64_t>(total, offset + query.limit);
              std::vector<std::string> ids;
              if (end <= static_cast<std::int64_t>(kept.size())) {
                ids.assign(kept.begin() + offset, kept.begin() + end);
              } else {
                // Beyond the kept ids: the page is found by walking the sort order and checking
                // each row's acl (the readable set as a whole would cost more than the few rows
                // walked).
                auto walk = ListCondition(session.dialect(), caller, spec, query,
                                          auth::AccessPlan::kPerRow);
                if (!walk) return Fail(walk.error());
                store::Params params = walk->params;
                params.push_back(std::int64_t{query.limit});
                params.push_back(offset);
                auto rows = session.Query("SELECT r.id FROM records r WHERE " + walk->sql +
                                              " ORDER BY " + *order + " LIMIT ? OFFSET ?",
                                          params);
                if (!rows) return Fail(rows.error());
                for (std::size_t i = 0; i < rows->size(); ++i) {
                  ids.push_back(AsString(rows->At(i, "id")));
                }
              }
              // Rendered in the same snapshot as the generation it is kept under.
              auto rendered = Render(&session, caller, spec, ids);
              if (!rendered) return Fail(rendered.error());
              return ListCache::Entry{
                  .count = total,
                  .items = std::make_shared<const std::string>(DumpJson(*rendered))};
            });
        if (!page) return Fail(page.error());
        items = std::move(page->items);
        return {};
      },
      store::TransactionMode::kRead);
  if (!done) return Fail(done.error());
  return Body(total, items.get());
}

Result<Records::Shown> Records::Show(const auth::Principal& caller, const EntitySpec& spec,
                                     const std::string& id) {
  const std::string key = fmt::format("{}\x1f{}\x1f{}", caller.user_id, spec.kind, id);
  auto entry =
      shown_.Current(store_, key, [&](store::Session& session) -> Result<ListCache::Entry> {
        auto loaded = Load(session, caller, spec, id, Role::kRead, false);
        if (!loaded) return Fail(loaded.error());
        return ListCache::Entry{
            .count = loaded->record["version"].get<std::int64_t>(),
            .items = std::make_shared<const std::string>(DumpJson(loaded->record))};
      });
  if (!entry) return Fail(entry.error());
  return Shown{.json = *entry->items, .version = entry->count};
}

Result<std::int64_t> Records::Count(const auth::Principal& caller, const EntitySpec& spec,
                                    const ListQuery& query) {
  // The list's matches in the kind's default order: a count and the first list share them.
  auto order = CompileSort(store_.dialect(), spec, "");
  if (!order) return Fail(order.error());
  auto where = ListCondition(store_.dialect(), caller, spec, query, auth::AccessPlan::kSet);
  if (!where) return Fail(where.error());
  std::int64_t total = 0;
  auto done = store_.Transaction(
      [&](store::Session& session) -> Status {
        auto matches = Matches(session, *where, *order);
        if (!matches) return Fail(matches.error());
        total = matches->entry.count;
        return {};
      },
      store::TransactionMode::kRead);
  if (!done) return Fail(done.error());
  return total;
}

Result<std::vector<Records::KeyMatch>> Records::FindByValues(const auth::Principal& caller,
                                                             const EntitySpec& spec,
                                                             const std::string& field,
                                                             const std::vector<std::string>& values,
                                                             const std::vector<std::string>& also) {
  std::vector<KeyMatch> matches;
  if (values.empty()) return matches;
  const store::Dialect dialect = store_.dialect();
  const auto access =
      auth::AccessCondition("r.id", caller.user_id, Role::kRead, auth::AccessPlan::kPerRow);
  const std::string value = TextExpression(dialect, "r.doc", {field});
  const std::string other = also.empty() ? "''" : TextExpression(dialect, "r.doc", also);
  store::Params params = {spec.kind, true};
  params.insert(params.end(), values.begin(), values.end());
  params.insert(params.end(), access.params.begin(), access.params.end());
  auto rows = store_.Query(fmt::format("SELECT r.id, r.version, {0} AS v, {1} AS a FROM records r "
                                       "WHERE r.kind = ? AND r.active = ? AND {0} IN ({2}) AND "
                                       "{3} ORDER BY r.id",
                                       value, other, Marks(values.size()), access.sql),
                           params);
  if (!rows) return Fail(rows.error());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    matches.push_back({AsString(rows->At(i, "id")), AsInt(rows->At(i, "version")),
                       AsString(rows->At(i, "v")), AsString(rows->At(i, "a"), "")});
  }
  return matches;
}

Result<json> Records::FindFirst(const auth::Principal& caller, const EntitySpec& spec,
                                const std::vector<Filter>& filters) {
  auto where = ListCondition(store_.dialect(), caller, spec, ListQuery{.filters = filters},
                             auth::AccessPlan::kPerRow);
  if (!where) return Fail(where.error());
  auto rows = store_.Query(
      "SELECT r.id FROM records r WHERE " + where->sql + " ORDER BY r.id LIMIT 1", where->params);
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return json(nullptr);
  auto items = Render(nullptr, caller, spec, {AsString(rows->At(0, "id"))});
  if (!items) return Fail(items.error());
  return items->empty() ? json(nullptr) : std::move((*items)[0]);
}

Result<int> Records::FillSearchText() {
  int filled = 0;
  for (;;) {
    int batch = 0;
    auto done = store_.Transaction([&](store::Session& session) -> Status {
      auto rows =
          session.Query("SELECT id, kind, doc FROM records WHERE search IS NULL LIMIT 1000");
      if (!rows) return Fail(rows.error());
      for (std::size_t i = 0; i < rows->size(); ++i) {
        const EntitySpec* spec = registry_.Find(AsString(rows->At(i, "kind")));
        auto doc = ParseJson(AsString(rows->At(i, "doc"), "{}"));
        // A kind this version does not know keeps an empty text (and is not looked at again).
        const std::string text = spec != nullptr && doc ? SearchText(*spec, *doc) : "\n";
        auto updated = session.Exec("UPDATE records SET search = ? WHERE id = ?",
                                    {text, AsString(rows->At(i, "id"))});
        if (!updated) return Fail(updated.error());
      }
      batch = static_cast<int>(rows->size());
      return {};
    });
    if (!done) return Fail(done.error());
    filled += batch;
    if (batch == 0) return filled;
  }
}

bool Records::Changes(const EntitySpec& spec, const json& before, const json& doc,
                      bool active) const {
  return UserFields(registry_, spec, before) != doc || before["active"].get<bool>() != active;
}

Result<json> Records::Save(store::Session& session, const auth::Principal& caller,
                           const EntitySpec& spec, Loaded& current, json doc, bool active,
                           std::string action, const std::vector<RelationWrite>& relations,
                           std::optional<Role> recheck, bool warn) {
  DropNulls(doc);
  if (auto valid = ValidateDocument(spec, doc); !valid) return Fail(valid.error());
  const json before = current.record;
  if (relations.empty() && !Changes(spec, before, doc, active)) {
    return before;  // nothing changed: no new version
  }
  const std::int64_t version = before["version"].get<std::int64_t>() + 1;
  const std::string now = Now();
  std::string sql = "UPDATE records SET doc = " + std::string(store::JsonParam(session.dialect())) +
                    ", search = ?, version = ?, updated_at = ?, active = ? WHERE id = ? AND "
                    "version = ?";
  store::Params params{doc.dump(), SearchText(spec, doc), version, now, active, current.id,
                       version - 1};
  if (recheck) {
    const auto access =
        auth::AccessCondition("records.id", caller.user_id, *recheck, auth::AccessPlan::kPerRow);
    sql += " AND " + access.sql;
    params.insert(params.end(), access.params.begin(), access.params.end());
  }
  auto updated = session.Exec(sql, params);
  if (!updated) return Fail(updated.error());
  if (*updated == 0) {
    return Fail(ErrorCode::kPreconditionFailed,
                "the record changed meanwhile; reload it and retry");
  }
  // After the UPDATE, which holds the record's row: the unique check's lock comes second for
  // every writer (PostgreSQL), whether it read the record under the row lock or before it.
  if (auto unique = CheckUnique(session, spec, current.id, doc); !unique) {
    return Fail(unique.error());
  }
  json result;
  if (relations.empty()) {
    // Only the document and the version changed: the rest of the record is as it was read.
    result = doc;
    for (const auto& key : CommonFields()) {
      if (key != "warnings" && before.contains(key)) result[key] = before[key];
    }
    for (const auto& side : registry_.SidesOf(spec.kind)) {
      result[side.field] = before.value(side.field, json::array());
    }
    result["version"] = version;
    result["updated_at"] = now;
    result["active"] = active;
  } else {
    if (auto related = WriteRelations(session, caller, current.id, relations); !related) {
      return Fail(related.error());
    }
    auto rendered = Render(&session, caller, spec, {current.id});
    if (!rendered) return Fail(rendered.error());
    result = std::move((*rendered)[0]);
  }
  if (action.empty()) action = !before["active"].get<bool>() && active ? "restore" : "update";
  if (auto history =
          WriteHistory(session, caller, current.id, version, now, action, before, result);
      !history) {
    return Fail(history.error());
  }
  if (active && warn) {
    auto warnings = Warnings(session, caller, spec, current.id, doc);
    if (!warnings) return Fail(warnings.error());
    if (!warnings->empty()) result["warnings"] = std::move(*warnings);
  }
  return result;
}

namespace {

Status CheckIfMatch(const json& record, std::optional<std::int64_t> if_match) {
  if (if_match && *if_match != record["version"].get<std::int64_t>()) {
    return Fail(ErrorCode::kPreconditionFailed,
                fmt::format("the record is at version {}, not {}: reload it and retry",
                            record["version"].get<std::int64_t>(), *if_match));
  }
  return {};
}

// Read-only fields may be sent back unchanged; any other value is a problem.
std::vector<FieldError> ReadOnlyProblems(const json& current, const json& wanted,
                                         bool allow_restore) {
  std::vector<FieldError> problems;
  for (const auto& field : CommonFields()) {
    if (field == "warnings" || !wanted.contains(field)) continue;
    if (field == "active" && allow_restore && wanted[field] == true) continue;
    if (!current.contains(field) || wanted[field] != current[field]) {
      problems.push_back({field, field == "active"
                                     ? "can only be set to true (restore); delete with DELETE"
                                     : "is read-only"});
    }
  }
  return problems;
}

}  // namespace

Result<json> Records::Patch(const auth::Principal& caller, const EntitySpec& spec,
                            const std::string& id, const json& patch,
                            std::optional<std::int64_t> if_match) {
  return Change(caller, spec, id, patch, if_match, /*merge=*/true);
}

Result<json> Records::Replace(const auth::Principal& caller, const EntitySpec& spec,
                              const std::string& id, const json& body,
                              std::optional<std::int64_t> if_match) {
  return Change(caller, spec, id, body, if_match, /*merge=*/false);
}

Result<json> Records::Change(const auth::Principal& caller, const EntitySpec& spec,
                             const std::string& id, const json& body,
                             std::optional<std::int64_t> if_match, bool merge) {
  // A change of the document alone is read and worked out outside the write transaction, which
  // then only writes, and only if the record is still at the version read and the caller may
  // still change it: writers serialise on SQLite, so the less they do there the more of them
  // pass. When the record changed meanwhile, it is read again (a few times, then under the lock).
  constexpr int kOptimisticTries = 3;
  for (int attempt = 0; attempt < kOptimisticTries; ++attempt) {
    Result<Planned> planned = Fail(ErrorCode::kInternal, "not read");
    // The duplicate keys of the new version among the other records are looked up in the same
    // read: the write changes no other record.
    Result<json> warnings = json::array();
    auto read = store_.Transaction(
        [&](store::Session& session) -> Status {
          planned = PlanChange(session, caller, spec, id, body, if_match, merge, false);
          // (None for a change that changes nothing, as re-imports mostly are.)
          if (planned && planned->relations.empty() && planned->active &&
              Changes(spec, planned->loaded.record, planned->doc, planned->active)) {
            warnings = Warnings(session, caller, spec, id, planned->doc);
          }
          return {};
        },
        store::TransactionMode::kNone);
    if (!read) return Fail(read.error());
    if (!planned) return Fail(planned.error());
    if (!warnings) return Fail(warnings.error());
    if (!planned->relations.empty()) break;  // edges too: all under the lock
    json result;
    auto done = store_.Transaction([&](store::Session& session) -> Status {
      auto saved = Save(session, caller, spec, planned->loaded, std::move(planned->doc),
                        planned->active, "", {}, planned->need, /*warn=*/false);
      if (!saved) return Fail(saved.error());
      result = std::move(*saved);
      return {};
    });
    if (!done && done.error().code == ErrorCode::kPreconditionFailed && !if_match) continue;
    if (!done) return Fail(done.error());
    // (Looked up only for an active new version, which Save then made.)
    if (!warnings->empty()) result["warnings"] = std::move(*warnings);
    return result;
  }
  json result;
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    auto changed = Change(session, caller, spec, id, body, if_match, merge);
    if (!changed) return Fail(changed.error());
    result = std::move(*changed);
    return {};
  });
  if (!done) return Fail(done.error());
  return result;
}

Result<json> Records::Patch(store::Session& session, const auth::Principal& caller,
                            const EntitySpec& spec, const std::string& id, const json& patch) {
  return Change(session, caller, spec, id, patch, std::nullopt, /*merge=*/true);
}

Result<json> Records::Change(store::Session& session, const auth::Principal& caller,
                             const EntitySpec& spec, const std::string& id, const json& body,
                             std::optional<std::int64_t> if_match, bool merge) {
  auto planned = PlanChange(session, caller, spec, id, body, if_match, merge, true);
  if (!planned) return Fail(planned.error());
  return Save(session, caller, spec, planned->loaded, std::move(planned->doc), planned->active, "",
              planned->relations);
}

Result<Records::Planned> Records::PlanChange(store::Session& session, const auth::Principal& caller,
                                             const EntitySpec& spec, const std::string& id,
                                             const json& body, std::optional<std::int64_t> if_match,
                                             bool merge, bool lock) {
  if (!body.is_object()) {
    return Fail(ErrorCode::kValidationFailed,
                merge ? "a merge patch must be a JSON object" : "the body must be a JSON object",
                {{"", "must be an object"}});
  }
  // Only a merge patch restores ({"active": true}), and restoring needs admin.
  const bool restoring = merge && body.contains("active") && body["active"] == true;
  Planned planned;
  planned.need = restoring ? Role::kAdmin : Role::kWrite;
  auto loaded = Load(session, caller, spec, id, planned.need, lock);
  if (!loaded) return Fail(loaded.error());
  if (auto matched = CheckIfMatch(loaded->record, if_match); !matched) return Fail(matched.error());
  auto problems = ReadOnlyProblems(loaded->record, body, /*allow_restore=*/merge);
  if (!problems.empty()) {
    return Fail(ErrorCode::kValidationFailed, "read-only fields cannot be changed",
                std::move(problems));
  }
  json fields = body;
  auto relations = TakeRelations(spec, fields);
  if (!relations) return Fail(relations.error());
  if (merge) {
    json merged = loaded->record;
    merged.merge_patch(fields);
    fields = std::move(merged);
  }
  planned.active = restoring || loaded->record["active"].get<bool>();
  planned.doc = UserFields(registry_, spec, fields);
  DropNulls(planned.doc);
  planned.relations = std::move(*relations);
  planned.loaded = std::move(*loaded);
  return planned;
}

Status Records::Delete(const auth::Principal& caller, const EntitySpec& spec,
                       const std::string& id) {
  return store_.Transaction([&](store::Session& session) -> Status {
    auto loaded = Load(session, caller, spec, id, Role::kAdmin, true);
    if (!loaded) return Fail(loaded.error());
    if (!loaded->record["active"].get<bool>()) return {};  // already deleted
    auto saved = Save(session, caller, spec, *loaded, UserFields(registry_, spec, loaded->record),
                      false, "delete");
    if (!saved) return Fail(saved.error());
    return {};
  });
}

Status Records::CheckKeepsAdmin(store::Session& session, const std::string& id) {
  auto admins =
      session.Query("SELECT COUNT(*) AS n FROM acl WHERE record_id = ? AND role = 3", {id});
  if (!admins) return Fail(admins.error());
  if (AsInt(admins->At(0, "n")) == 0) {
    return Fail(ErrorCode::kConflict, "a record must keep an admin: give someone else admin first");
  }
  return {};
}

Result<json> Records::Roles(const auth::Principal& caller, const EntitySpec& spec,
                            const std::string& id) {
  json items;
  auto done = store_.Transaction(
      [&](store::Session& session) -> Status {
        auto loaded = Load(session, caller, spec, id, Role::kAdmin, false);
        if (!loaded) return Fail(loaded.error());
        auto roles = RolesOf(&session, id);
        if (!roles) return Fail(roles.error());
        items = std::move(*roles);
        return {};
      },
      store::TransactionMode::kRead);
  if (!done) return Fail(done.error());
  return json{{"items", std::move(items)}};
}

namespace {

struct RoleEntry {
  std::string type;
  std::string id;
  Role role;
};

Result<RoleEntry> ParseRoleEntry(store::Session& session, const json& item,
                                 const std::string& where) {
  if (!item.is_object() || !item.contains("type") || !item.contains("id") ||
      !item.contains("role") || !item["type"].is_string() || !item["id"].is_string() ||
      !item["role"].is_string()) {
    return Fail(ErrorCode::kValidationFailed, "a role entry is {type: user|team, id, role}",
                {{where, "needs type (user or team), id and role (strings)"}});
  }
  for (const auto& [key, unused] : item.items()) {
    if (key != "type" && key != "id" && key != "role" && key != "name") {
      return Fail(ErrorCode::kValidationFailed, "unknown field in a role entry",
                  {{where + "." + key, "is not a field of a role entry"}});
    }
  }
  const std::string type = item["type"];
  if (type != "user" && type != "team") {
    return Fail(ErrorCode::kValidationFailed, "type must be user or team",
                {{where + ".type", "must be user or team"}});
  }
  auto role = auth::ParseRole(item["role"].get<std::string>());
  if (!role) {
    return Fail(ErrorCode::kValidationFailed, "role must be read, write or admin",
                {{where + ".role", "must be read, write or admin"}});
  }
  auto exists = session.Query(
      type == "user" ? "SELECT 1 FROM users WHERE id = ?" : "SELECT 1 FROM teams WHERE id = ?",
      {item["id"].get<std::string>()});
  if (!exists) return Fail(exists.error());
  if (exists->empty()) {
    return Fail(ErrorCode::kValidationFailed, fmt::format("no such {}", type),
                {{where + ".id", "is not a " + type}});
  }
  return RoleEntry{type, item["id"], *role};
}

}  // namespace

Result<json> Records::AddRole(const auth::Principal& caller, const EntitySpec& spec,
                              const std::string& id, const json& body) {
  json items;
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    auto loaded = Load(session, caller, spec, id, Role::kAdmin, true);
    if (!loaded) return Fail(loaded.error());
    auto entry = ParseRoleEntry(session, body, "role");
    if (!entry) return Fail(entry.error());
    auto removed = session.Exec(
        "DELETE FROM acl WHERE record_id = ? AND principal_type = ? AND principal_id = ?",
        {id, entry->type, entry->id});
    if (!removed) return Fail(removed.error());
    auto added = session.Exec(
        "INSERT INTO acl (record_id, principal_type, principal_id, role) VALUES (?, ?, ?, ?)",
        {id, entry->type, entry->id, static_cast<std::int64_t>(entry->role)});
    if (!added) return Fail(added.error());
    if (auto kept = CheckKeepsAdmin(session, id); !kept) return kept;
    auto roles = RolesOf(&session, id);
    if (!roles) return Fail(roles.error());
    items = std::move(*roles);
    return {};
  });
  if (!done) return Fail(done.error());
  return json{{"items", std::move(items)}};
}

Result<json> Records::ReplaceRoles(const auth::Principal& caller, const EntitySpec& spec,
                                   const std::string& id, const json& body) {
  const json& list = body.is_object() && body.contains("items") ? body["items"] : body;
  if (!list.is_array()) {
    return Fail(ErrorCode::kValidationFailed, "send the list of roles",
                {{"items", "must be a list"}});
  }
  json items;
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    auto loaded = Load(session, caller, spec, id, Role::kAdmin, true);
    if (!loaded) return Fail(loaded.error());
    std::vector<RoleEntry> entries;
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto entry = ParseRoleEntry(session, list[i], fmt::format("items.{}", i));
      if (!entry) return Fail(entry.error());
      entries.push_back(std::move(*entry));
    }
    if (auto cleared = session.Exec("DELETE FROM acl WHERE record_id = ?", {id}); !cleared) {
      return Fail(cleared.error());
    }
    for (const auto& entry : entries) {
      auto added = session.Exec(
          "INSERT INTO acl (record_id, principal_type, principal_id, role) VALUES (?, ?, ?, ?)",
          {id, entry.type, entry.id, static_cast<std::int64_t>(entry.role)});
      if (!added) {
        if (added.error().code == ErrorCode::kConflict) {
          return Fail(ErrorCode::kValidationFailed, "a principal appears twice",
                      {{"items", "names " + entry.type + " " + entry.id + " twice"}});
        }
        return Fail(added.error());
      }
    }
    if (auto kept = CheckKeepsAdmin(session, id); !kept) return kept;
    auto roles = RolesOf(&session, id);
    if (!roles) return Fail(roles.error());
    items = std::move(*roles);
    return {};
  });
  if (!done) return Fail(done.error());
  return json{{"items", std::move(items)}};
}

Status Records::RemoveRole(const auth::Principal& caller, const EntitySpec& spec,
                           const std::string& id, const std::string& type,
                           const std::string& principal) {
  return store_.Transaction([&](store::Session& session) -> Status {
    auto loaded = Load(session, caller, spec, id, Role::kAdmin, true);
    if (!loaded) return Fail(loaded.error());
    auto removed = session.Exec(
        "DELETE FROM acl WHERE record_id = ? AND principal_type = ? AND principal_id = ?",
        {id, type, principal});
    if (!removed) return Fail(removed.error());
    if (*removed == 0) return Fail(ErrorCode::kNotFound, "no such role entry on this record");
    return CheckKeepsAdmin(session, id);
  });
}

Result<json> Records::History(const auth::Principal& caller, const EntitySpec& spec,
                              const std::string& id, int page, int limit) {
  json result;
  auto done = store_.Transaction(
      [&](store::Session& session) -> Status {
        auto loaded = Load(session, caller, spec, id, Role::kRead, false);
        if (!loaded) return Fail(loaded.error());
        auto total = session.Query("SELECT COUNT(*) AS n FROM history WHERE record_id = ?", {id});
        if (!total) return Fail(total.error());
        auto rows = session.Query(
            "SELECT h.version, h.at, h.actor_type, h.actor_id, h.action, h.changes, "
            "COALESCE(u.name, c.name) AS actor_name FROM history h "
            "LEFT JOIN users u ON h.actor_type = 'user' AND u.id = h.actor_id "
            "LEFT JOIN connections c ON h.actor_type = 'connection' AND c.id = h.actor_id "
            "WHERE h.record_id = ? ORDER BY h.version DESC LIMIT ? OFFSET ?",
            {id, std::int64_t{limit}, std::int64_t{page - 1} * limit});
        if (!rows) return Fail(rows.error());
        json items = json::array();
        for (std::size_t i = 0; i < rows->size(); ++i) {
          auto changes = ParseJson(AsString(rows->At(i, "changes"), "[]"));
          const auto& name = rows->At(i, "actor_name");
          items.push_back({{"version", AsInt(rows->At(i, "version"))},
                           {"at", AsString(rows->At(i, "at"))},
                           {"actor",
                            {{"type", AsString(rows->At(i, "actor_type"))},
                             {"id", AsString(rows->At(i, "actor_id"))},
                             {"name", IsNull(name) ? json(nullptr) : json(AsString(name))}}},
                           {"action", AsString(rows->At(i, "action"))},
                           {"changes", changes ? *changes : json::array()}});
        }
        result = {{"items", std::move(items)},
                  {"total", AsInt(total->At(0, "n"))},
                  {"page", page},
                  {"limit", limit}};
        return {};
      },
      store::TransactionMode::kRead);
  if (!done) return Fail(done.error());
  return result;
}

Result<json> Records::HistoryVersion(const auth::Principal& caller, const EntitySpec& spec,
                                     const std::string& id, std::int64_t version) {
  json result;
  auto done = store_.Transaction(
      [&](store::Session& session) -> Status {
        auto loaded = Load(session, caller, spec, id, Role::kRead, false);
        if (!loaded) return Fail(loaded.error());
        auto rows = session.Query(
            "SELECT snapshot FROM history WHERE record_id = ? AND version = ?", {id, version});
        if (!rows) return Fail(rows.error());
        if (rows->empty() || IsNull(rows->At(0, "snapshot"))) {
          return Fail(ErrorCode::kNotFound,
                      fmt::format("no version {} in the history of this record", version));
        }
        auto snapshot = ParseJson(AsString(rows->At(0, "snapshot")));
        if (!snapshot) return Fail(ErrorCode::kInternal, "a stored snapshot is not JSON");
        result = std::move(*snapshot);
        return {};
      },
      store::TransactionMode::kRead);
  if (!done) return Fail(done.error());
  return result;
}

}  // namespace maestro::inventory
