// Records: create, read, list, count, change, delete and restore records of any registered kind,
// with their roles and history. Access is checked on every record, in SQL for lists and counts:
// a record the caller cannot read is "not found" (its existence never leaks); a readable record
// whose role is too low gives 403. Thread-safe: state is in the Store.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "auth/principal.h"
#include "auth/roles.h"
#include "common/clock.h"
#include "common/error.h"
#include "inventory/filter.h"
#include "inventory/list_cache.h"
#include "inventory/registry.h"
#include "store/store.h"

namespace maestro::inventory {

struct RecordSettings {
  bool audit = true;  // write history (MAESTRO_AUDIT_DISABLED turns it off)
};

class Records {
 public:
  Records(store::Store& store, const Clock& clock, const Registry& registry,
          RecordSettings settings);

  // POST /api/<kind>[?team=<id>]. The caller (or the team) owns the record and holds admin.
  // `source`: "manual" for the API, "import" for imports.
  Result<nlohmann::json> Create(const auth::Principal& caller, const EntitySpec& spec,
                                const nlohmann::json& body, const std::string& team,
                                const std::string& source = "manual");
  // Creates several records of `spec` owned by the caller in one transaction (imports): each body
  // is checked as Create checks it, and its result is the record or the reason it was refused.
  // Fails as a whole only when the database does (then nothing is written).
  Result<std::vector<Result<nlohmann::json>>> CreateMany(const auth::Principal& caller,
                                                         const EntitySpec& spec,
                                                         std::vector<nlohmann::json> bodies,
                                                         const std::string& source);
  // The same inside the caller's transaction (discovery writes records and its own keys at once).
  Result<std::vector<Result<nlohmann::json>>> CreateMany(store::Session& session,
                                                         const auth::Principal& caller,
                                                         const EntitySpec& spec,
                                                         std::vector<nlohmann::json> bodies,
                                                         const std::string& source);
  // Discovery's change of a record inside the caller's transaction: `change` gets the record as
  // GET shows it and gives its new fields (relation fields are left as they are); `active` false
  // deactivates it, true restores it (needs admin), nullopt keeps it. Checked as PUT checks a
  // body; no new version when nothing changed.
  Result<nlohmann::json> Update(
      store::Session& session, const auth::Principal& caller, const EntitySpec& spec,
      const std::string& id,
      const std::function<nlohmann::json(const nlohmann::json& record)>& change,
      std::optional<bool> active);
  Result<nlohmann::json> Get(const auth::Principal& caller, const EntitySpec& spec,
                             const std::string& id);
  // GET /api/<kind>/<id>: the record as Get gives it, serialised, with its version (the ETag).
  // Kept per caller while nothing in the database changes (see ListCache), so that a record read
  // again costs one query.
  struct Shown {
    std::string json;
    std::int64_t version = 0;
  };
  Result<Shown> Show(const auth::Principal& caller, const EntitySpec& spec, const std::string& id);
  // {items, total, page, limit}, serialised: pages seen again come from the cache as they were
  // written (see ListCache).
  Result<std::string> List(const auth::Principal& caller, const EntitySpec& spec,
                           const ListQuery& query);
  // Readable active records of `spec` whose text field `field` is one of `values` (a lookup by
  // natural keys, through the field's index): each {id, version, value, also}, `also` being the
  // text at the field path `also` ("" when absent). In id order.
  struct KeyMatch {
    std::string id;
    std::int64_t version;
    std::string value;
    std::string also;
  };
  Result<std::vector<KeyMatch>> FindByValues(const auth::Principal& caller, const EntitySpec& spec,
                                             const std::string& field,
                                             const std::vector<std::string>& values,
                                             const std::vector<std::string>& also);
  // The first readable record (in id order) matching all `filters`, or null: a lookup by key
  // (as imports do), which checks access on the rows found rather than building the readable set.
  Result<nlohmann::json> FindFirst(const auth::Principal& caller, const EntitySpec& spec,
                                   const std::vector<Filter>& filters);
  Result<std::int64_t> Count(const auth::Principal& caller, const EntitySpec& spec,
                             const ListQuery& query);
  // JSON merge patch (RFC 7396). `if_match`: the version the caller last saw (412 when stale).
  Result<nlohmann::json> Patch(const auth::Principal& caller, const EntitySpec& spec,
                               const std::string& id, const nlohmann::json& patch,
                               std::optional<std::int64_t> if_match);
  // A merge patch inside the caller's transaction (bulk changes that are all or nothing): checked,
  // written and recorded in history as Patch does, without If-Match.
  Result<nlohmann::json> Patch(store::Session& session, const auth::Principal& caller,
                               const EntitySpec& spec, const std::string& id,
                               const nlohmann::json& patch);
  // Full replace of the kind's fields.
  Result<nlohmann::json> Replace(const auth::Principal& caller, const EntitySpec& spec,
                                 const std::string& id, const nlohmann::json& body,
                                 std::optional<std::int64_t> if_match);
  // Soft delete (active = false); needs admin. Restore with Patch({"active": true}).
  Status Delete(const auth::Principal& caller, const EntitySpec& spec, const std::string& id);

  // Roles (need admin on the record). The record keeps at least one admin (409 otherwise).
  Result<nlohmann::json> Roles(const auth::Principal& caller, const EntitySpec& spec,
                               const std::string& id);
  Result<nlohmann::json> AddRole(const auth::Principal& caller, const EntitySpec& spec,
                                 const std::string& id, const nlohmann::json& body);
  Result<nlohmann::json> ReplaceRoles(const auth::Principal& caller, const EntitySpec& spec,
                                      const std::string& id, const nlohmann::json& body);
  Status RemoveRole(const auth::Principal& caller, const EntitySpec& spec, const std::string& id,
                    const std::string& type, const std::string& principal);

  // History (needs read): {items: [{version, at, actor, action, changes}], total, page, limit},
  // newest first; and the whole record as it was at one version.
  Result<nlohmann::json> History(const auth::Principal& caller, const EntitySpec& spec,
                                 const std::string& id, int page, int limit);
  Result<nlohmann::json> HistoryVersion(const auth::Principal& caller, const EntitySpec& spec,
                                        const std::string& id, std::int64_t version);

  // Fills the search text of records that have none (written before it existed); returns how
  // many. Run at start-up.
  Result<int> FillSearchText();

 private:
  struct Loaded;
  // Relation fields sent in a body: taken out of it (they are edges, not document fields).
  struct RelationWrite {
    RelationSide side;
    std::vector<std::pair<std::string, nlohmann::json>> items;  // other record id, edge attrs
  };
  // A checked document for a new record, and the relations its body named.
  struct NewDocument {
    nlohmann::json doc;
    std::vector<RelationWrite> relations;
  };
  Result<NewDocument> Prepare(const EntitySpec& spec, nlohmann::json body);
  // Each body checked; `results` gets a placeholder for each accepted one, the error for others.
  std::vector<std::optional<NewDocument>> PrepareMany(const EntitySpec& spec,
                                                      std::vector<nlohmann::json> bodies,
                                                      std::vector<Result<nlohmann::json>>& results);
  Result<std::string> OwnerName(store::Session& session, const std::string& owner_type,
                                const std::string& owner_id);
  // Inserts prepared records with their owner's grant, relations and first history entry, a
  // statement per table for each group of rows; `results` are the records as GET shows them.
  Status CreatePrepared(store::Session& session, const auth::Principal& caller,
                        const EntitySpec& spec, std::vector<std::optional<NewDocument>>& prepared,
                        const std::string& source, std::vector<Result<nlohmann::json>>& results);
  Status Insert(store::Session& session, const auth::Principal& caller, const EntitySpec& spec,
                const std::vector<NewDocument*>& prepared, const std::string& owner_type,
                const std::string& owner_id, const std::string& owner_name,
                const std::string& source, std::vector<nlohmann::json>& results);
  // One history entry: `before` null for a creation.
  struct HistoryEntry {
    std::string id;
    std::int64_t version = 1;
    std::string action;
    const nlohmann::json* before = nullptr;
    const nlohmann::json* after = nullptr;  // none: `changes` and `snapshot` are given as text
    std::string changes, snapshot;
  };
  Status WriteHistories(store::Session& session, const auth::Principal& caller,
                        const std::string& at, std::vector<HistoryEntry> entries);

  // The record with the caller's role; kNotFound when absent or unreadable, kForbidden when the
  // role is below `need`.
  Result<Loaded> Load(store::Session& session, const auth::Principal& caller,
                      const EntitySpec& spec, const std::string& id, auth::Role need, bool lock);
  // Whether saving `doc` (its user fields, nulls dropped) as `active` over `before` (the record as
  // read) makes a new version, relations aside.
  bool Changes(const EntitySpec& spec, const nlohmann::json& before, const nlohmann::json& doc,
               bool active) const;
  // Writes `doc` as the record's next version (no new version when nothing changed), with its
  // relations and history. `recheck`: the write also requires the caller to hold this role still,
  // for a record read outside the transaction. `warn`: adds the duplicate warnings.
  Result<nlohmann::json> Save(store::Session& session, const auth::Principal& caller,
                              const EntitySpec& spec, Loaded& current, nlohmann::json doc,
                              bool active, std::string action,
                              const std::vector<RelationWrite>& relations = {},
                              std::optional<auth::Role> recheck = std::nullopt, bool warn = true);
  // The records matching a list condition (the set plan) in `order`: their number and, up to
  // a limit, their ids; from the cache when nothing they could see has changed.
  struct MatchSet {
    ListCache::Entry entry;
    std::string key;         // the list's key in the cache
    std::string generation;  // what the session's snapshot sees (see ListCache)
  };
  Result<MatchSet> Matches(store::Session& session, const auth::SqlCondition& where,
                           const std::string& order);
  // The records of `spec` with these ids (others are left out), in that order, as GET shows them;
  // with `caller_roles`, also the caller's role on each.
  Result<nlohmann::json> Render(store::Session* session, const auth::Principal& caller,
                                const EntitySpec& spec, const std::vector<std::string>& ids,
                                std::map<std::string, auth::Role>* caller_roles = nullptr);
  Status WriteHistory(store::Session& session, const auth::Principal& caller, const std::string& id,
                      std::int64_t version, const std::string& at, const std::string& action,
                      const nlohmann::json& before, const nlohmann::json& after);
  Status CheckUnique(store::Session& session, const EntitySpec& spec, const std::string& id,
                     const nlohmann::json& doc);
  Result<nlohmann::json> Warnings(store::Session& session, const auth::Principal& caller,
                                  const EntitySpec& spec, const std::string& id,
                                  const nlohmann::json& doc);
  Result<nlohmann::json> RolesOf(store::Session* session, const std::string& id);
  Status CheckKeepsAdmin(store::Session& session, const std::string& id);
  // Patch (merge) and Replace: the same checks, one transaction (or the caller's).
  Result<nlohmann::json> Change(const auth::Principal& caller, const EntitySpec& spec,
                                const std::string& id, const nlohmann::json& body,
                                std::optional<std::int64_t> if_match, bool merge);
  Result<nlohmann::json> Change(store::Session& session, const auth::Principal& caller,
                                const EntitySpec& spec, const std::string& id,
                                const nlohmann::json& body, std::optional<std::int64_t> if_match,
                                bool merge);
  struct Planned;  // a change worked out from the record as read: what Save is given
  Result<Planned> PlanChange(store::Session& session, const auth::Principal& caller,
                             const EntitySpec& spec, const std::string& id,
                             const nlohmann::json& body, std::optional<std::int64_t> if_match,
                             bool merge, bool lock);

  Result<std::vector<RelationWrite>> TakeRelations(const EntitySpec& spec, nlohmann::json& body);
  Status WriteRelations(store::Session& session, const auth::Principal& caller,
                        const std::string& id, const std::vector<RelationWrite>& writes);
  Status RenderRelations(store::Session* session, const auth::Principal& caller,
                         const EntitySpec& spec, const std::vector<std::string>& ids,
                         std::map<std::string, nlohmann::json>& records);
  std::string Now() const;

  store::Store& store_;
  const Clock& clock_;
  const Registry& registry_;
  const RecordSettings settings_;
  ListCache lists_;
  // Records as Show gives them (an entry's `items`, with the version as its `count`): room for
  // the ~10k records a busy team reads, ~15 MB.
  ListCache shown_{50000, 250000};
};

}  // namespace maestro::inventory
