#include "inventory/import.h"

#include <fmt/format.h>

#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/validation.h"

namespace maestro::inventory {
namespace {

// New records written per transaction by an import.
constexpr std::size_t kBatchSize = 500;

}  // namespace
namespace {

using nlohmann::json;

constexpr const char* kSections[] = {"servers",   "applications", "volumes",
                                     "snapshots", "images",       "flavors"};

std::optional<json> NumberFromText(const std::string& text, bool integer) {
  std::string trimmed = text;
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.pop_back();
  while (!trimmed.empty() && trimmed.front() == ' ') trimmed.erase(0, 1);
  if (trimmed.empty()) return std::nullopt;
  double number = 0;
  auto [end, error] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), number);
  if (error != std::errc() || end != trimmed.data() + trimmed.size()) return std::nullopt;
  if (integer) {
    if (number != static_cast<double>(static_cast<std::int64_t>(number))) return std::nullopt;
    return json(static_cast<std::int64_t>(number));
  }
  return json(number);
}

// "applications" or "APPLICATION" -> "Application", when it names one of the values.
std::optional<std::string> MatchEnum(const std::vector<std::string>& values,
                                     const std::string& text) {
  const std::string wanted = Lower(text);
  for (const auto& value : values) {
    const std::string candidate = Lower(value);
    if (candidate == wanted || candidate + "s" == wanted) return value;
  }
  return std::nullopt;
}

json Normalize(const FieldSpec& field, FieldType type, json value);

json NormalizeObject(const std::vector<FieldSpec>& fields, json value) {
  if (!value.is_object()) return value;
  json out = json::object();
  for (auto& [key, item] : value.items()) {
    const FieldSpec* field = nullptr;
    for (const auto& candidate : fields) {
      if (candidate.name == key) field = &candidate;
    }
    if (item.is_null()) continue;
    out[key] = field ? Normalize(*field, field->type, std::move(item)) : std::move(item);
  }
  return out;
}

json Normalize(const FieldSpec& field, FieldType type, json value) {
  switch (type) {
    case FieldType::kInt:
    case FieldType::kNumber:
      if (value.is_string()) {
        if (auto number = NumberFromText(value.get<std::string>(), type == FieldType::kInt))
          return *number;
      }
      if (type == FieldType::kInt && value.is_number_float() &&
          value.get<double>() ==
              static_cast<double>(static_cast<std::int64_t>(value.get<double>()))) {
        return static_cast<std::int64_t>(value.get<double>());
      }
      return value;
    case FieldType::kBool:
      if (value.is_string()) {
        const std::string text = Lower(value.get<std::string>());
        if (text == "true" || text == "yes") return true;
        if (text == "false" || text == "no") return false;
      }
      return value;
    case FieldType::kEnum:
      if (value.is_string()) {
        if (auto match = MatchEnum(field.values, value.get<std::string>())) return *match;
      }
      return value;
    case FieldType::kObject:
      return NormalizeObject(field.fields, std::move(value));
    case FieldType::kList: {
      // {"team": "web"} for a list of {key, value}: the original kept tags both ways.
      if (value.is_object() && field.item == FieldType::kObject) {
        json list = json::array();
        for (auto& [key, item] : value.items()) list.push_back({{"key", key}, {"value", item}});
        value = std::move(list);
      }
      if (!value.is_array()) return value;
      json out = json::array();
      for (auto& item : value) {
        if (item.is_null() || (item.is_object() && item.empty())) continue;  // [{}] in the files
        if (field.item == FieldType::kObject) {
          // "nginx" where {name: "nginx"} is meant (services).
          if (item.is_string()) item = json{{"name", item}};
          json normalized = NormalizeObject(field.fields, std::move(item));
          if (normalized.is_object()) {
            for (auto& [key, member] : normalized.items()) {
              if (key == "value" && !member.is_string() && !member.is_structured())
                member = member.dump();
            }
          }
          out.push_back(std::move(normalized));
        } else {
          out.push_back(Normalize(field, field.item, std::move(item)));
        }
      }
      return out;
    }
    default:
      return value;
  }
}

}  // namespace

json NormalizeImported(const EntitySpec& spec, json item) {
  if (!item.is_object()) return item;
  json out = json::object();
  const auto& common = CommonFields();
  for (auto& [key, value] : item.items()) {
    // The original's own ids and bookkeeping do not carry over.
    if (key.starts_with('_') || std::find(common.begin(), common.end(), key) != common.end())
      continue;
    if (value.is_null()) continue;
    const FieldSpec* field = spec.Field(key);
    out[key] = field ? Normalize(*field, field->type, std::move(value)) : std::move(value);
  }
  return out;
}

Importer::Importer(Records& records, const Registry& registry)
    : records_(records), registry_(registry) {}

Result<json> Importer::ImportJson(const auth::Principal& caller, const json& file,
                                  const std::string& datacenter, const ImportProgress& progress) {
  if (!file.is_object()) {
    return Fail(ErrorCode::kBadRequest,
                "an import file is a JSON object with servers, applications, volumes, snapshots, "
                "images and flavors lists");
  }
  const EntitySpec& datacenters = *registry_.Find("datacenters");
  if (!datacenter.empty()) {
    if (auto found = records_.Get(caller, datacenters, datacenter); !found) {
      return Fail(ErrorCode::kValidationFailed, "no such datacenter",
                  {{"datacenter", "is not a datacenter you can read"}});
    }
  }
  json errors = json::array();
  int total = 0, created = 0, updated = 0, unchanged = 0;
  for (const auto& [key, value] : file.items()) {
    if (std::find(std::begin(kSections), std::end(kSections), key) == std::end(kSections)) {
      errors.push_back(
          {{"section", key}, {"index", nullptr}, {"message", "is not a section Maestro imports"}});
    } else if (!value.is_array()) {
      errors.push_back({{"section", key}, {"index", nullptr}, {"message", "must be a list"}});
    } else {
      total += static_cast<int>(value.size());
    }
  }

  std::map<std::string, std::string> datacenter_ids;  // by name, within this import
  auto datacenter_for = [&](const json& given) -> Result<std::string> {
    if (!given.is_object() || !given.contains("name") || !given["name"].is_string()) {
      return Fail(ErrorCode::kValidationFailed, "datacenters needs a name",
                  {{"datacenters.name", "is required"}});
    }
    const std::string name = given["name"];
    if (auto it = datacenter_ids.find(name); it != datacenter_ids.end()) return it->second;
    auto found = records_.FindFirst(caller, datacenters, {{"name", "eq", name}});
    if (!found) return Fail(found.error());
    std::string id;
    if (!found->is_null()) {
      id = (*found)["id"];
    } else {
      json doc = {{"name", name},
                  {"provider", given.contains("provider") && given["provider"].is_string()
                                   ? given["provider"]
                                   : json("Unknown")}};
      auto made = records_.Create(caller, datacenters, doc, "", "import");
      if (!made) return Fail(made.error());
      id = (*made)["id"];
    }
    datacenter_ids[name] = id;
    return id;
  };

  int done = 0;
  bool stopped = false;  // the progress callback asked to stop
  auto tick = [&] {
    if (!progress(++done, total)) stopped = true;
  };
  for (const char* section : kSections) {
    if (!file.contains(section) || !file[section].is_array()) continue;
    const EntitySpec& spec = *registry_.Find(section);
    const json& items = file[section];
    auto report_at = [&](std::size_t index, const Error& error) {
      json details = json::array();
      for (const auto& field : error.fields)
        details.push_back({{"field", field.field}, {"problem", field.problem}});
      errors.push_back({{"section", section},
                        {"index", index},
                        {"message", error.message},
                        {"details", details}});
    };
    // Records go by chunks of kBatchSize: their natural keys are looked up in one query, the
    // records found are updated one by one, and the new ones created in one transaction. A key
    // met twice in a chunk makes its second record wait until the first is written, then update
    // it.
    struct Candidate {
      std::size_t index;
      json item;
      std::string key;    // the natural key's value (hostname or name)
      std::string scope;  // the value at the kind's key_scope, if it has one
    };
    std::vector<Candidate> chunk;
    const std::string& key_field = spec.name_field;
    std::vector<std::string> scope_path;  // "datacenter.id" -> {"datacenter", "id"}
    if (!spec.key_scope.empty()) scope_path = ResolvePath(spec, spec.key_scope)->parts;
    auto update = [&](const Candidate& candidate, const std::string& id, std::int64_t version) {
      auto changed = records_.Patch(caller, spec, id, candidate.item, std::nullopt);
      if (!changed) {
        report_at(candidate.index, changed.error());
      } else if ((*changed)["version"] == version) {
        ++unchanged;
      } else {
        ++updated;
      }
      tick();
    };
    auto create = [&](std::vector<Candidate*>& fresh) -> Status {
      if (fresh.empty()) return {};
      std::vector<json> bodies;
      for (Candidate* candidate : fresh) bodies.push_back(std::move(candidate->item));
      auto made = records_.CreateMany(caller, spec, std::move(bodies), "import");
      if (!made) return Fail(made.error());
      for (std::size_t i = 0; i < made->size(); ++i) {
        if ((*made)[i]) {
          ++created;
        } else {
          report_at(fresh[i]->index, (*made)[i].error());
        }
        tick();
      }
      fresh.clear();
      return {};
    };
    auto write_chunk = [&]() -> Status {
      if (chunk.empty()) return {};
      std::vector<std::string> keys;
      for (const auto& candidate : chunk) keys.push_back(candidate.key);
      auto found = records_.FindByValues(caller, spec, key_field, keys, scope_path);
      if (!found) return Fail(found.error());
      std::map<std::string, std::pair<std::string, std::int64_t>> existing;  // first by id order
      for (const auto& match : *found) {
        existing.emplace(match.value + '\n' + match.also, std::pair{match.id, match.version});
      }
      std::vector<Candidate*> fresh;
      std::set<std::string> fresh_keys;
      for (auto& candidate : chunk) {
        const std::string key = candidate.key + '\n' + candidate.scope;
        if (fresh_keys.contains(key)) {
          // Its first mention is about to be created: write it, then look this one up again.
          if (auto written = create(fresh); !written) return written;
          fresh_keys.clear();
          auto again = records_.FindByValues(caller, spec, key_field, {candidate.key}, scope_path);
          if (!again) return Fail(again.error());
          for (const auto& match : *again) {
            existing.emplace(match.value + '\n' + match.also, std::pair{match.id, match.version});
          }
        }
        if (auto it = existing.find(key); it != existing.end()) {
          update(candidate, it->second.first, it->second.second);
        } else {
          fresh.push_back(&candidate);
          fresh_keys.insert(key);
        }
      }
      if (auto written = create(fresh); !written) return written;
      chunk.clear();
      return {};
    };
    for (std::size_t index = 0; index < items.size(); ++index) {
      auto report = [&](const Error& error) { report_at(index, error); };
      json item = NormalizeImported(spec, items[index]);
      if (!item.is_object()) {
        report({ErrorCode::kValidationFailed, "a record must be a JSON object"});
        tick();
        continue;
      }
      // The original's datacenters {name, provider, region, zone} -> our datacenter reference.
      std::string datacenter_id = datacenter;
      json placement = json::object();
      if (item.contains("datacenters")) {
        json given = std::move(item["datacenters"]);
        item.erase("datacenters");
        auto id = datacenter_for(given);
        if (!id) {
          report(id.error());
          tick();
          continue;
        }
        datacenter_id = *id;
        for (const char* key : {"region", "zone"}) {
          if (given.contains(key) && given[key].is_string() &&
              !given[key].get<std::string>().empty()) {
            placement[key] = given[key];
          }
        }
      }
      if (!datacenter_id.empty() && spec.Field("datacenter") != nullptr) {
        json place = item.contains("datacenter") && item["datacenter"].is_object()
                         ? item["datacenter"]
                         : json::object();
        place.update(placement);
        place["id"] = datacenter_id;
        item["datacenter"] = std::move(place);
      }
      // The natural key: the kind's name, within its key_scope (servers: the datacenter).
      if (!item.contains(key_field) || !item[key_field].is_string()) {
        report({ErrorCode::kValidationFailed,
                fmt::format("the record has no {}", key_field),
                {{key_field, "is required"}}});
        tick();
        continue;
      }
      std::string key = item[key_field];
      std::string scope;
      if (!scope_path.empty()) {
        const json* at = &item;
        for (const auto& part : scope_path) {
          at = at->is_object() && at->contains(part) ? &(*at)[part] : nullptr;
          if (at == nullptr) break;
        }
        if (at != nullptr && at->is_string()) scope = at->get<std::string>();
      }
      chunk.push_back({index, std::move(item), std::move(key), std::move(scope)});
      if (chunk.size() >= kBatchSize) {
        if (auto written = write_chunk(); !written) return Fail(written.error());
        if (stopped) {
          return Fail(ErrorCode::kConflict,
                      fmt::format("the import stopped after {} of {} records; those are kept", done,
                                  total));
        }
      }
    }
    if (auto written = write_chunk(); !written) return Fail(written.error());
  }
  return json{{"total", total},
              {"created", created},
              {"updated", updated},
              {"unchanged", unchanged},
              {"failed", static_cast<int>(errors.size())},
              {"errors", std::move(errors)}};
}

}  // namespace maestro::inventory
