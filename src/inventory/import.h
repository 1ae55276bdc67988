// Import of the original's JSON file format: top-level arrays servers, applications, volumes,
// snapshots, images and flavors. Accepts the original's field names and quirks (a `datacenters`
// object becomes the datacenter reference, found by name or created; family names normalised;
// empty objects in lists dropped; numbers and booleans given as strings converted). Upserts by
// natural key (servers: hostname within the datacenter; other kinds: name), so importing twice
// never duplicates. Each record is saved on its own: bad records are reported with their index
// and the good ones are kept. Thread-safe (state is in the Store).
#pragma once

#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "auth/principal.h"
#include "common/error.h"
#include "inventory/records.h"
#include "inventory/registry.h"

namespace maestro::inventory {

// Called after each record with (done, total); false asks the import to stop (it does after the
// chunk under way, keeping what it wrote, and fails with kConflict).
using ImportProgress = std::function<bool(int done, int total)>;

class Importer {
 public:
  Importer(Records& records, const Registry& registry);

  // {total, created, updated, unchanged, failed, errors: [{section, index, message, details}]}.
  // kBadRequest when the file is not a JSON object with the original's sections;
  // kValidationFailed when `datacenter` (the default for records without one) is not a readable
  // datacenter.
  Result<nlohmann::json> ImportJson(const auth::Principal& caller, const nlohmann::json& file,
                                    const std::string& datacenter, const ImportProgress& progress);

 private:
  Records& records_;
  const Registry& registry_;
};

// The original's quirks made regular for one record of `spec` (exposed for tests).
nlohmann::json NormalizeImported(const EntitySpec& spec, nlohmann::json item);

}  // namespace maestro::inventory
