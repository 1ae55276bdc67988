// Versioned schema migrations, one SQL text per dialect. Applied in order, each in its own
// transaction, by `maestro migrate` and at `serve` start. Safe to run from several processes at
// once (PostgreSQL: advisory lock; SQLite: BEGIN IMMEDIATE). Never edit a released migration:
// append a new one.
#pragma once

#include <span>
#include <string_view>

#include "common/error.h"
#include "store/store.h"

namespace maestro::store {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sqlite;
  std::string_view postgres;
};

struct MigrationReport {
  int from = 0;  // schema version before
  int to = 0;    // schema version after
};

std::span<const Migration> Migrations();
int LatestSchemaVersion();

// Applies every migration newer than the database's schema version.
Result<MigrationReport> Migrate(Store& store);
// The database's schema version; 0 for an empty database.
Result<int> SchemaVersion(Store& store);

}  // namespace maestro::store
