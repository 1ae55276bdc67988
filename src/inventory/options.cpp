#include "inventory/options.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "common/json_util.h"
#include "common/validation.h"
#include "inventory/catalogues.h"
#include "inventory/registry.h"
#include "inventory/validate.h"

namespace maestro::inventory {

using nlohmann::json;

namespace {

// The catalogue options and the kind of their items.
constexpr std::pair<const char*, const char*> kCatalogueKinds[] = {
    {"service_catalogue", "services"}, {"flavor_catalogue", "flavors"}};

// A catalogue stays a list of valid documents of its kind with unique names (case-insensitive),
// as discovery and the forms rely on.
Status CheckCatalogue(const std::string& key, const json& value) {
  const char* kind = nullptr;
  for (const auto& [catalogue, of] : kCatalogueKinds) {
    if (key == catalogue) kind = of;
  }
  if (kind == nullptr) return {};
  if (!value.is_array()) {
    return Fail(ErrorCode::kValidationFailed, "a catalogue is a list",
                {{key, "must be a list of " + std::string(kind)}});
  }
  const EntitySpec& spec = *DefaultRegistry().Find(kind);
  std::vector<FieldError> problems;
  std::set<std::string> names;
  for (std::size_t i = 0; i < value.size() && problems.size() < 20; ++i) {
    const std::string where = fmt::format("{}.{}", key, i);
    if (auto valid = ValidateDocument(spec, value[i]); !valid) {
      for (const auto& field : valid.error().fields)
        problems.push_back({where + "." + field.field, field.problem});
      if (valid.error().fields.empty()) problems.push_back({where, valid.error().message});
    } else if (!names.insert(Lower(value[i]["name"].get<std::string>())).second) {
      problems.push_back({where + ".name", "is already in the catalogue"});
    }
  }
  if (!problems.empty()) {
    // The message first: the order in which Fail's arguments are made is unspecified.
    std::string message = fmt::format("the {} has {} problem{}", key, problems.size(),
                                      problems.size() == 1 ? "" : "s");
    return Fail(ErrorCode::kValidationFailed, std::move(message), std::move(problems));
  }
  return {};
}

}  // namespace

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
  if (auto checked = CheckCatalogue(key, value); !checked) return Fail(checked.error());
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
