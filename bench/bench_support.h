// What the benchmark programs share: stopping with a message that names the program, unwrapping
// results that must be there, and seeding records and relations with Session::InsertRows.
#pragma once

#include <errno.h>
#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/ids.h"
#include "inventory/registry.h"
#include "inventory/search.h"
#include "store/store.h"

namespace maestro::bench {

[[noreturn]] inline void Die(const std::string& what) {
  fmt::print(stderr, "{}: {}\n", program_invocation_short_name, what);
  std::exit(1);
}

template <class T>
T Must(Result<T> result, const char* what) {
  if (!result) Die(fmt::format("{}: {}", what, result.error().message));
  return std::move(*result);
}

inline void Must(const Status& status, const char* what) {
  if (!status) Die(fmt::format("{}: {}", what, status.error().message));
}

// Records of `kind` owned by `user` (who is their admin), `make(i)` making the document of the
// i-th for i in [first, end); written in the session's transaction, their ids appended to `ids`.
template <typename Make>
Status InsertOwnedRecords(store::Session& session, const std::string& kind, const std::string& user,
                          const std::string& now, std::size_t first, std::size_t end, Make make,
                          std::vector<std::string>& ids) {
  const auto& spec = *inventory::DefaultRegistry().Find(kind);
  store::Params records, grants;
  for (std::size_t i = first; i < end; ++i) {
    const std::string id = NewId();
    const nlohmann::json doc = make(static_cast<int>(i));
    records.insert(records.end(), {id, kind, std::string("user"), user, now, now,
                                   inventory::SearchText(spec, doc), doc.dump()});
    grants.insert(grants.end(), {id, std::string("user"), user, std::int64_t{3}});
    ids.push_back(id);
  }
  if (auto inserted = session.InsertRows(
          "records",
          {"id", "kind", "owner_type", "owner_id", "created_at", "updated_at", "search", "doc"},
          records);
      !inserted) {
    return inserted;
  }
  return session.InsertRows("acl", {"record_id", "principal_type", "principal_id", "role"}, grants);
}

struct Edge {
  std::string from, to;
  std::string attrs = "{}";  // JSON text
};

// Relations `relation`, `edge(i)` giving the i-th for i in [first, end), written in the
// session's transaction.
template <typename MakeEdge>
Status InsertEdges(store::Session& session, const std::string& relation, const std::string& now,
                   std::size_t first, std::size_t end, MakeEdge edge) {
  store::Params rows;
  for (std::size_t i = first; i < end; ++i) {
    Edge one = edge(i);
    rows.insert(rows.end(),
                {relation, std::move(one.from), std::move(one.to), std::move(one.attrs), now});
  }
  return session.InsertRows("edges", {"relation", "from_id", "to_id", "attrs", "created_at"}, rows);
}

}  // namespace maestro::bench
