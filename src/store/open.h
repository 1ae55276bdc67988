// Chooses and opens the Store backend named by a database URI.
#pragma once

#include <memory>
#include <string>

#include "common/error.h"
#include "store/store.h"

namespace maestro::store {

struct StoreSettings {
  // "postgresql://…" or "postgres://…" selects PostgreSQL; "sqlite:PATH" or "sqlite://PATH" (or a
  // bare file path) selects SQLite.
  std::string uri;
  std::size_t pool_size = 8;
};

enum class Backend { kSqlite, kPostgres };
struct ParsedUri {
  Backend backend;
  std::string target;  // file path (SQLite) or the URI itself (PostgreSQL)
};
// kBadRequest naming the URI's scheme when it is neither SQLite nor PostgreSQL.
Result<ParsedUri> ParseStoreUri(const std::string& uri);

// The URI with any password replaced by "***", for logs and errors.
std::string RedactUri(std::string_view uri);

Result<std::unique_ptr<Store>> OpenStore(const StoreSettings& settings);

}  // namespace maestro::store
