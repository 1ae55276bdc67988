// Options: the global option lists (environments, server and application options, providers with
// regions and zones, default sync periods, …). Everyone signed in reads them; only instance
// admins change them. Defaults come from catalogues.cpp; what admins change is stored.
// Thread-safe.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "auth/principal.h"
#include "common/clock.h"
#include "common/error.h"
#include "store/store.h"

namespace maestro::inventory {

class Options {
 public:
  Options(store::Store& store, const Clock& clock);

  // {<key>: value} for every option.
  Result<nlohmann::json> All();
  // kNotFound for a key that is not an option.
  Result<nlohmann::json> Get(const std::string& key);
  // JSON merge patch of one option's value (an array replaces). kForbidden unless the caller is
  // an instance admin; kValidationFailed when the result is not an object or a list.
  Result<nlohmann::json> Patch(const auth::Principal& caller, const std::string& key,
                               const nlohmann::json& patch);

 private:
  store::Store& store_;
  const Clock& clock_;
};

}  // namespace maestro::inventory
