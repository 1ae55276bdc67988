// Search across kinds and the dashboard's figures, over the records the caller can read only
// (the access rule is part of every query). Thread-safe.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "auth/principal.h"
#include "common/error.h"
#include "inventory/list_cache.h"
#include "inventory/registry.h"
#include "store/store.h"

namespace maestro::inventory {

// A record's search text, stored with it: its name and then its other search fields that hold
// text, lowercased, each on its own line and the whole between line breaks
// ("\nweb-01\n10.0.0.5\n"), so that one LIKE pattern tells an exact value, a prefix or a part of
// one.
std::string SearchText(const EntitySpec& spec, const nlohmann::json& doc);

class Search {
 public:
  Search(store::Store& store, const Registry& registry);

  // GET /api/search?q=&kinds=&limit= : {items: [{kind, id, name, match}]} as JSON text, best
  // first: an exact value, then a prefix, then a value containing q (case-insensitive), over each
  // kind's name and search fields; ties by name. kBadRequest for an empty q or an unknown kind.
  // Kept until anything the caller could see changes (see ListCache).
  Result<std::string> Find(const auth::Principal& caller, const std::string& q,
                           const std::vector<std::string>& kinds, int limit);

  // GET /api/stats: {counts: {<kind>: N}, servers: {by_provider, by_environment, by_os,
  // by_region}, applications: {by_family, by_environment}}, each by_* a list of {key, count}.
  Result<nlohmann::json> Stats(const auth::Principal& caller);

 private:
  // Stats in the session's snapshot, without nested loops: every figure joins all readable records.
  Result<nlohmann::json> Figures(store::Session& session, const auth::Principal& caller);
  Result<nlohmann::json> GroupBy(store::Session& session, const auth::Principal& caller,
                                 const std::string& kind, const std::string& key_sql);

  store::Store& store_;
  const Registry& registry_;
  ListCache answers_;
};

}  // namespace maestro::inventory
