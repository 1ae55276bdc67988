#include "inventory/options.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/json_util.h"
#include "inventory/catalogues.h"

namespace maestro::inventory {

using nlohmann::json;

Options::Options(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

Result<json> Options::All() {
  json all = DefaultOptions();
  auto rows = store_.Query("SELECT key, value FROM options", {});
  if (!rows) return Fail(rows.error());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const std::string key = store::AsString(rows->At(i, "key"));
    if (!all.contains(key)) continue;  // an option this version no longer has
    auto value = ParseJson(store::AsString(rows->At(i, "value")));
    if (value) all[key] = std::move(*value);
  }
  return all;
}

Result<json> Options::Get(const std::string& key) {
  if (!DefaultOptions().contains(key)) {
    return Fail(ErrorCode::kNotFound, fmt::format("there is no option '{}'", key));
  }
  auto all = All();
  if (!all) return all;
  return (*all)[key];
}

Result<json> Options::Patch(const auth::Principal& caller, const std::string& key,
                            const json& patch) {
  if (!caller.is_admin) {
    return Fail(ErrorCode::kForbidden, "only instance administrators change global options");
  }
  auto current = Get(key);
  if (!current) return current;
  json value = *current;
  value.merge_patch(patch);
  if (!value.is_object() && !value.is_array()) {
    return Fail(ErrorCode::kValidationFailed, "an option is an object or a list",
                {{key, "must be an object or a list"}});
  }
  auto saved = store_.Exec(
      "INSERT INTO options (key, value, updated_at, updated_by) VALUES (?, " +
          std::string(store::JsonParam(store_.dialect())) +
          ", ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = "
          "excluded.updated_at, updated_by = excluded.updated_by",
      {key, value.dump(), FormatTime(clock_.Now()), caller.user_id});
  if (!saved) return Fail(saved.error());
  return value;
}

}  // namespace maestro::inventory
