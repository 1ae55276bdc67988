#include "store/open.h"

#include <fmt/format.h>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace maestro::store {

std::string RedactUri(std::string_view uri) {
  // postgresql://user:password@host -> postgresql://user:***@host
  const auto scheme = uri.find("://");
  const auto at = uri.find('@');
  if (scheme == std::string_view::npos || at == std::string_view::npos || at < scheme) {
    return std::string(uri);
  }
  const auto colon = uri.find(':', scheme + 3);
  if (colon == std::string_view::npos || colon > at) return std::string(uri);
  return fmt::format("{}***{}", uri.substr(0, colon + 1), uri.substr(at));
}

Result<ParsedUri> ParseStoreUri(const std::string& uri) {
  const std::string_view text = uri;
  if (text.starts_with("postgresql://") || text.starts_with("postgres://")) {
    return ParsedUri{Backend::kPostgres, uri};
  }
  if (text.starts_with("sqlite://")) return ParsedUri{Backend::kSqlite, uri.substr(9)};
  if (text.starts_with("sqlite:")) return ParsedUri{Backend::kSqlite, uri.substr(7)};
  const auto scheme = text.find("://");
  if (scheme != std::string_view::npos || text.empty()) {
    return Fail(ErrorCode::kBadRequest,
                fmt::format("unsupported database URI '{}': use postgresql://… or sqlite:PATH",
                            RedactUri(text)));
  }
  return ParsedUri{Backend::kSqlite, uri};
}

Result<std::unique_ptr<Store>> OpenStore(const StoreSettings& settings) {
  auto parsed = ParseStoreUri(settings.uri);
  if (!parsed) return Fail(parsed.error());
  if (parsed->backend == Backend::kPostgres) {
    auto store = PostgresStore::Open({.uri = parsed->target, .pool_size = settings.pool_size});
    if (!store) return Fail(store.error());
    return std::unique_ptr<Store>(std::move(*store));
  }
  if (parsed->target.empty()) {
    return Fail(ErrorCode::kBadRequest, "the SQLite database URI names no file");
  }
  // SQLite serialises writers anyway; a few connections let readers run beside a writer.
  auto store = SqliteStore::Open(
      {.path = parsed->target, .pool_size = std::min<std::size_t>(settings.pool_size, 4)});
  if (!store) return Fail(store.error());
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace maestro::store
