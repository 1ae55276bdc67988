// The dependency-tree wizard's bulk commit (API.md, PUT /api/dependencies): the `deps` of many
// applications and the `entries` of a system, set in one transaction — all of it, or nothing.
//
// Each change is an ordinary record update (Records::Patch: access, validation, history). The body
// is checked whole first, so that every problem is named at once by its place in the body
// (`applications.2.deps.0.app`): unknown or unreadable ids, a bad `via`, missing fields.
//
// Thread-safe: state is in the Store.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "auth/principal.h"
#include "common/error.h"
#include "inventory/records.h"
#include "inventory/registry.h"
#include "store/store.h"

namespace maestro::inventory {

class Dependencies {
 public:
  Dependencies(store::Store& store, Records& records, const Registry& registry);

  // {applications: [{id, deps: [{app, via, endpoint?}]}], system?: {id, entries: [ids]}} →
  // {applications: [records], system?: record}. kValidationFailed naming every problem, or the
  // first failed update's error with its place in the body; nothing is written then.
  Result<nlohmann::json> Set(const auth::Principal& caller, const nlohmann::json& body);

 private:
  store::Store& store_;
  Records& records_;
  const Registry& registry_;
};

}  // namespace maestro::inventory
