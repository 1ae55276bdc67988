#include "discovery/connections.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "auth/roles.h"
#include "blobs/blob_store.h"
#include "common/ids.h"
#include "common/json_util.h"
#include "common/validation.h"
#include "discovery/providers.h"
#include "inventory/registry.h"
#include "scheduler/timing.h"

namespace maestro::discovery {
namespace {

using nlohmann::json;

constexpr std::string_view kColumns =
    "id, owner_id, name, provider, datacenter_id, regions, endpoint, enabled, resources, status, "
    "credentials, version, created_at, updated_at";
constexpr std::array kReadOnly = {"id", "status", "version", "created_at", "updated_at"};
constexpr std::size_t kMaxRegions = 50;
constexpr std::size_t kMaxCredential = 16384;  // a private key fits

json ParsedOr(const store::Value& value, json fallback) {
  auto parsed = ParseJson(store::AsString(value));
  return parsed ? std::move(*parsed) : fallback;
}

store::Value Flag(bool on) { return std::int64_t{on ? 1 : 0}; }

// What reads show of sealed credentials: which fields are set, never their values.
json CredentialsShown(const json& credentials) {
  json shown = json::object();
  if (credentials.is_object()) {
    for (const auto& [key, value] : credentials.items()) shown[key] = "set";
  }
  return shown;
}

// The connection as the API shows it; `credentials` is what was opened (only field names show).
json ConnectionJson(const std::vector<store::Value>& row, const json& credentials) {
  const json resources = ParsedOr(row[8], json::object());
  return {{"id", store::AsString(row[0])},
          {"name", store::AsString(row[2])},
          {"provider", store::AsString(row[3])},
          {"datacenter", store::AsString(row[4])},
          {"regions", ParsedOr(row[5], json::array())},
          {"endpoint", store::IsNull(row[6]) ? json(nullptr) : json(store::AsString(row[6]))},
          {"enabled", store::AsBool(row[7])},
          {"resources", resources},
          {"status", ParsedOr(row[9], json::object())},
          {"credentials", CredentialsShown(credentials)},
          {"version", store::AsInt(row[11])},
          {"created_at", store::AsString(row[12])},
          {"updated_at", store::AsString(row[13])}};
}

bool IsHttpUrl(std::string_view text) {
  return (text.starts_with("http://") && text.size() > 7) ||
         (text.starts_with("https://") && text.size() > 8);
}

// A credential text: present, short enough, no control characters but newlines (keys).
void CheckSecretText(FieldCheck& check, const json& object, const std::string& at,
                     std::string_view key, bool required) {
  const std::string path = at + "." + std::string(key);
  if (!object.contains(key) || object[key].is_null()) {
    if (required) check.Problem(path, "is required");
    return;
  }
  if (!object[key].is_string()) {
    check.Problem(path, "must be text");
    return;
  }
  const std::string text = object[key];
  if (text.empty()) check.Problem(path, "must not be empty");
  if (text.size() > kMaxCredential) {
    check.Problem(path, fmt::format("is longer than {} characters", kMaxCredential));
  }
}

// Problems of a file location (ssh or s3) of the file providers.
void CheckLocation(FieldCheck& check, const json& location, const std::string& kind) {
  const std::string at = "credentials." + kind;
  if (!location.is_object()) {
    check.Problem(at, "must be an object");
    return;
  }
  std::vector<std::string_view> known;
  if (kind == "ssh") {
    known = {"host", "port", "user", "path", "private_key", "host_key"};
    for (auto key : {"host", "user", "path", "private_key"}) {
      CheckSecretText(check, location, at, key, true);
    }
    // "SHA256:" and 43 characters of unpadded base64, as ssh-keygen -lf prints it.
    const auto is_fingerprint = [](const json& value) {
      if (!value.is_string()) return false;
      const std::string text = value;
      return text.size() == 50 && text.starts_with("SHA256:") &&
             std::all_of(text.begin() + 7, text.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
             });
    };
    if (location.contains("host_key") && !is_fingerprint(location["host_key"])) {
      check.Problem(at + ".host_key",
                    "must be the server's SHA256 fingerprint (ssh-keygen -lf KEY): SHA256:…");
    }
    if (location.contains("port") && (!location["port"].is_number_integer() ||
                                      location["port"] < 1 || location["port"] > 65535)) {
      check.Problem(at + ".port", "must be a port number from 1 to 65535");
    }
  } else {
    known = {"bucket", "path", "access_key", "secret_key", "endpoint", "region"};
    for (auto key : {"bucket", "path"}) CheckSecretText(check, location, at, key, true);
    for (auto key : {"access_key", "secret_key", "region"}) {
      CheckSecretText(check, location, at, key, false);
    }
    if (location.contains("endpoint") && (!location["endpoint"].is_string() ||
                                          !IsHttpUrl(location["endpoint"].get<std::string>()))) {
      check.Problem(at + ".endpoint", "must be an http:// or https:// URL");
    }
  }
  for (const auto& [key, value] : location.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      check.Problem(at + "." + key, fmt::format("is not a field of an {} location", kind));
    }
  }
}

void CheckCredentials(FieldCheck& check, const Provider& provider, const json& credentials) {
  if (!credentials.is_object()) {
    check.Problem("credentials", "must be an object");
    return;
  }
  for (const auto& [key, value] : credentials.items()) {
    const bool known = std::any_of(provider.credentials.begin(), provider.credentials.end(),
                                   [&](const CredentialField& f) { return f.name == key; });
    if (!known) {
      check.Problem("credentials." + key, fmt::format("is not a credential of {}", provider.label));
    }
  }
  if (provider.one_of_credentials) {
    int given = 0;
    for (const auto& field : provider.credentials) {
      if (credentials.contains(field.name)) ++given;
    }
    if (given != 1) {
      check.Problem("credentials",
                    "give exactly one source: upload (an uploaded file's id), ssh or s3");
      return;
    }
    if (credentials.contains("upload")) {
      CheckSecretText(check, credentials, "credentials", "upload", true);
    } else if (credentials.contains("ssh")) {
      CheckLocation(check, credentials["ssh"], "ssh");
    } else if (credentials.contains("s3")) {
      CheckLocation(check, credentials["s3"], "s3");
    }
    return;
  }
  for (const auto& field : provider.credentials) {
    const bool optional = provider.name == "openstack" && field.name == "user_domain";
    CheckSecretText(check, credentials, "credentials", field.name, !optional);
  }
}

// A region name as providers write them: us-east-1, westeurope, nyc3, RegionOne.
bool IsRegionName(std::string_view text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

struct Connections::Fields {
  std::string name;
  std::string provider;
  std::string datacenter;
  json regions = json::array();
  std::string endpoint;
  bool enabled = true;
  json resources = json::object();  // {<resource>: {enabled, every}}
  json credentials;
};

Connections::Connections(store::Store& store, const Clock& clock, inventory::Records& records,
                         scheduler::Schedules& schedules, jobs::Jobs& jobs, notify::Events* events,
                         const SecretBox* box, ConnectorSettings connector_defaults)
    : store_(store),
      clock_(clock),
      records_(records),
      schedules_(schedules),
      jobs_(jobs),
      events_(events),
      box_(box),
      connector_defaults_(std::move(connector_defaults)) {}

Result<const SecretBox*> Connections::Box() const {
  if (box_ == nullptr) {
    return Fail(ErrorCode::kUnavailable,
                "connections need MAESTRO_SECRET_KEY (64 hex digits) to keep credentials sealed");
  }
  return box_;
}

scheduler::TaskOffer Connections::SyncOffer() {
  return {
      .task = "sync",
      .check =
          [this](const json& args, const std::string& owner_id) {
            std::vector<FieldError> problems;
            const std::string id = args.value("connection", "");
            const std::string resource = args.value("resource", "");
            for (const auto& [key, value] : args.items()) {
              if (key != "connection" && key != "resource") {
                problems.push_back({"args." + key, "is not an argument of sync"});
              }
            }
            if (id.empty()) {
              problems.push_back({"args.connection", "is required: the id of your connection"});
              return problems;
            }
            auto rows = store_.Query(
                "SELECT provider FROM connections WHERE id = ? AND owner_id = ?", {id, owner_id});
            if (!rows || rows->empty()) {
              problems.push_back({"args.connection", fmt::format("no connection {} of yours", id)});
              return problems;
            }
            const Provider* provider = FindProvider(store::AsString(rows->rows[0][0]));
            if (provider == nullptr || FindResource(*provider, resource) == nullptr) {
              problems.push_back(
                  {"args.resource", fmt::format("'{}' is not a resource of this connection's "
                                                "provider",
                                                resource)});
            }
            return problems;
          },
      .max_attempts = 3};
}

Result<Connections::Fields> Connections::Check(const auth::Principal& caller, const json& body,
                                               const json* stored_credentials) {
  if (!body.is_object()) return Fail(ErrorCode::kBadRequest, "a connection is a JSON object");
  FieldCheck check(body);
  Fields fields;
  for (const char* name : kReadOnly) {
    check.Allow(name);
    if (body.contains(name)) check.Problem(name, "is read-only");
  }
  fields.name = check.RequiredText("name", {.min = 1, .max = 200}).value_or("");
  fields.enabled = check.Boolean("enabled").value_or(true);
  std::string names;
  for (const auto& provider : Providers()) {
    names += (names.empty() ? "" : ", ") + std::string(provider.name);
  }
  const Provider* provider = nullptr;
  if (auto name = check.RequiredText("provider", {.min = 1, .max = 40})) {
    provider = FindProvider(*name);
    if (provider == nullptr) {
      check.Problem("provider", fmt::format("must be one of {}", names));
    } else {
      fields.provider = *name;
    }
  }
  if (auto datacenter = check.RequiredText("datacenter", {.min = 1, .max = 64})) {
    const auto* spec = inventory::DefaultRegistry().Find("datacenters");
    auto found = records_.Get(caller, *spec, *datacenter);
    if (!found) {
      if (found.error().code != ErrorCode::kNotFound) return Fail(found.error());
      check.Problem("datacenter", fmt::format("no datacenter {} you can read", *datacenter));
    } else if (!(*found)["active"].get<bool>()) {
      check.Problem("datacenter", "is deleted: restore it or choose another");
    } else {
      fields.datacenter = *datacenter;
    }
  }
  if (auto endpoint = check.Text("endpoint", {.max = 2000}); endpoint && !endpoint->empty()) {
    if (!IsHttpUrl(*endpoint)) {
      check.Problem("endpoint", "must be an http:// or https:// URL");
    } else {
      fields.endpoint = *endpoint;
    }
  }
  check.Allow("regions");
  if (body.contains("regions") && !body["regions"].is_null()) {
    const json& regions = body["regions"];
    if (!regions.is_array() || regions.size() > kMaxRegions) {
      check.Problem("regions",
                    fmt::format("must be a list of at most {} region names", kMaxRegions));
    } else {
      for (std::size_t i = 0; i < regions.size(); ++i) {
        if (!regions[i].is_string() || !IsRegionName(regions[i].get<std::string>())) {
          check.Problem(fmt::format("regions.{}", i),
                        "must be a region name such as us-east-1, westeurope or nyc3");
        } else if (std::find(fields.regions.begin(), fields.regions.end(), regions[i]) ==
                   fields.regions.end()) {
          fields.regions.push_back(regions[i]);
        }
      }
    }
  }
  if (provider != nullptr && provider->name == "aws" && fields.regions.empty() &&
      !(body.contains("regions") && !body["regions"].is_array())) {
    check.Problem("regions", "give at least one AWS region, such as us-east-1");
  }

  check.Allow("resources");
  if (provider != nullptr) {
    json given = body.value("resources", json(nullptr));
    if (given.is_null()) {
      // Every resource of the provider, at its default period.
      for (const auto& resource : provider->resources) {
        fields.resources[std::string(resource.name)] = {{"enabled", true},
                                                        {"every", resource.default_every}};
      }
    } else if (!given.is_object()) {
      check.Problem("resources", "must be an object {<resource>: {enabled, every}}");
    } else {
      for (const auto& [name, settings] : given.items()) {
        const std::string at = "resources." + name;
        const Resource* resource = FindResource(*provider, name);
        if (resource == nullptr) {
          check.Problem(at, fmt::format("is not a resource of {}", provider->label));
          continue;
        }
        if (!settings.is_object()) {
          check.Problem(at, "must be an object {enabled, every}");
          continue;
        }
        json out = {{"enabled", true}, {"every", resource->default_every}};
        for (const auto& [key, value] : settings.items()) {
          if (key == "enabled") {
            if (!value.is_boolean()) {
              check.Problem(at + ".enabled", "must be true or false");
            } else {
              out["enabled"] = value;
            }
          } else if (key == "every") {
            if (!value.is_string()) {
              check.Problem(at + ".every", "must be text such as 5m, 6h or 1d");
            } else if (auto every = scheduler::ParseEvery(value.get<std::string>()); !every) {
              check.Problem(at + ".every", every.error().message);
            } else {
              out["every"] = value;
            }
          } else if (key != "schedule") {  // shown on reads; written back as is
            check.Problem(at + "." + key, "is not a setting of a resource: enabled, every");
          }
        }
        fields.resources[name] = std::move(out);
      }
    }
  }

  check.Allow("credentials");
  json credentials = body.value("credentials", json(nullptr));
  if (credentials.is_object() && stored_credentials != nullptr) {
    // Reads show {"field": "set"}: sending that back keeps the stored value.
    json merged = *stored_credentials;
    for (const auto& [key, value] : credentials.items()) {
      if (value == "set" && merged.contains(key)) continue;
      json given = value;
      // Inside a location (ssh, s3), "set" keeps that field's stored value too.
      if (given.is_object() && merged.value(key, json()).is_object()) {
        for (auto& [field, field_value] : given.items()) {
          if (field_value == "set" && merged[key].contains(field)) field_value = merged[key][field];
        }
      }
      merged[key] = std::move(given);
    }
    // A file source is one of upload, ssh or s3: naming another replaces it.
    if (provider != nullptr && provider->one_of_credentials) {
      for (const auto& field : provider->credentials) {
        if (!credentials.contains(field.name)) merged.erase(std::string(field.name));
      }
    }
    credentials = std::move(merged);
  } else if (credentials.is_null() && stored_credentials != nullptr) {
    credentials = *stored_credentials;
  }
  if (credentials.is_null()) {
    check.Problem("credentials", "are required");
  } else if (provider != nullptr) {
    CheckCredentials(check, *provider, credentials);
  }
  // A new upload must be there (and the caller's): found now rather than at the first sync.
  const json given_upload = body.value("credentials", json::object()).is_object()
                                ? body.value("credentials", json::object()).value("upload", json())
                                : json();
  if (given_upload.is_string() && given_upload != "set" && connector_defaults_.blobs != nullptr) {
    const std::string key =
        fmt::format("uploads/{}/{}", Lower(caller.user_id), Lower(given_upload.get<std::string>()));
    if (auto blob = connector_defaults_.blobs->Get(key); !blob) {
      if (blob.error().code != ErrorCode::kNotFound &&
          blob.error().code != ErrorCode::kBadRequest) {
        return Fail(blob.error());
      }
      check.Problem("credentials.upload",
                    "is not a file you uploaded: upload it first (POST /api/uploads)");
    }
  }
  fields.credentials = std::move(credentials);
  if (auto finished = check.Finish("connection"); !finished) return Fail(finished.error());
  return fields;
}

Result<json> Connections::AlignSchedules(const std::string& owner_id, const std::string& id,
                                         const std::string& name, bool enabled, json resources) {
  for (auto& [resource, settings] : resources.items()) {
    const std::string schedule = settings.value("schedule", "");
    const bool wanted = settings.value("enabled", true);
    if (!wanted) {
      if (!schedule.empty()) {
        auto removed = schedules_.Delete(owner_id, schedule);
        if (!removed && removed.error().code != ErrorCode::kNotFound) return Fail(removed.error());
      }
      settings.erase("schedule");
      continue;
    }
    const json body = {{"name", fmt::format("{}: {}", name, resource)},
                       {"task", "sync"},
                       {"args", {{"connection", id}, {"resource", resource}}},
                       {"every", settings["every"]},
                       {"enabled", enabled}};
    Result<json> written = Fail(ErrorCode::kNotFound, "");
    if (!schedule.empty()) written = schedules_.Patch(owner_id, schedule, body, 0);
    if (!written && written.error().code == ErrorCode::kNotFound) {
      json first = body;
      first["run_immediately"] = enabled;  // a new connection syncs at once
      written = schedules_.Create(owner_id, first);
    }
    if (!written) return Fail(written.error());
    settings["schedule"] = (*written)["id"];
  }
  return resources;
}

void Connections::Signal(const std::string& owner_id, const std::string& id) {
  if (events_ == nullptr) return;
  (void)events_->Signal({.user_id = owner_id}, "connections-update", id);
  (void)events_->Signal({.user_id = owner_id}, "connections-" + id, id);
}

Result<json> Connections::List(const auth::Principal& caller, int page, int limit) {
  auto box = Box();
  if (!box) return Fail(box.error());
  auto found = store::ReadPage(store_, kColumns, "connections WHERE owner_id = ?", {caller.user_id},
                               "name, id", page, limit);
  if (!found) return Fail(found.error());
  json items = json::array();
  for (const auto& row : found->rows.rows) {
    // A list shows every connection, even one sealed with another key (its reads say so).
    json credentials = json::object();
    if (auto opened = (*box)->Open(store::AsString(row[10]))) {
      if (auto parsed = ParseJson(*opened)) credentials = std::move(*parsed);
    }
    items.push_back(ConnectionJson(row, credentials));
  }
  return json{
      {"items", std::move(items)}, {"total", found->total}, {"page", page}, {"limit", limit}};
}

Result<json> Connections::Get(const auth::Principal& caller, const std::string& id) {
  auto rows = store_.Query(
      fmt::format("SELECT {} FROM connections WHERE id = ? AND owner_id = ?", kColumns),
      {id, caller.user_id});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(ErrorCode::kNotFound, fmt::format("no connection {}", id));
  auto box = Box();
  if (!box) return Fail(box.error());
  auto opened = (*box)->Open(store::AsString(rows->rows[0][10]));
  if (!opened) return Fail(opened.error());
  auto credentials = ParseJson(*opened);
  return ConnectionJson(rows->rows[0], credentials ? *credentials : json::object());
}

Result<json> Connections::Create(const auth::Principal& caller, const json& body) {
  auto box = Box();
  if (!box) return Fail(box.error());
  auto fields = Check(caller, body, nullptr);
  if (!fields) return Fail(fields.error());
  const std::string id = NewId();
  const std::string now = FormatTime(clock_.Now());
  auto inserted = store_.Exec(
      "INSERT INTO connections (id, owner_id, name, provider, datacenter_id, regions, endpoint, "
      "enabled, resources, credentials, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
      "?, ?, ?, ?)",
      {id, caller.user_id, fields->name, fields->provider, fields->datacenter,
       fields->regions.dump(),
       fields->endpoint.empty() ? store::Value(nullptr) : store::Value(fields->endpoint),
       Flag(fields->enabled), fields->resources.dump(), (*box)->Seal(fields->credentials.dump()),
       now, now});
  if (!inserted) return Fail(inserted.error());
  auto resources =
      AlignSchedules(caller.user_id, id, fields->name, fields->enabled, fields->resources);
  if (!resources) {
    (void)Delete(caller, id);
    return Fail(resources.error());
  }
  auto saved =
      store_.Exec("UPDATE connections SET resources = ? WHERE id = ?", {resources->dump(), id});
  if (!saved) return Fail(saved.error());
  Signal(caller.user_id, id);
  return Get(caller, id);
}

Result<json> Connections::Patch(const auth::Principal& caller, const std::string& id,
                                const json& patch, std::int64_t if_version) {
  return Write(caller, id, patch, if_version, true);
}

Result<json> Connections::Replace(const auth::Principal& caller, const std::string& id,
                                  const json& body, std::int64_t if_version) {
  return Write(caller, id, body, if_version, false);
}

Result<json> Connections::Write(const auth::Principal& caller, const std::string& id,
                                const json& body, std::int64_t if_version, bool merge) {
  if (!body.is_object()) return Fail(ErrorCode::kBadRequest, "a connection is a JSON object");
  auto current = Open(id);
  if (!current || current->owner_id != caller.user_id) {
    return Fail(ErrorCode::kNotFound, fmt::format("no connection {}", id));
  }
  auto shown = Get(caller, id);
  if (!shown) return shown;
  if (if_version != 0 && (*shown)["version"] != if_version) {
    return Fail(ErrorCode::kPreconditionFailed,
                fmt::format("connection {} changed meanwhile (version {} now): reload it", id,
                            (*shown)["version"].get<std::int64_t>()));
  }
  json full = body;
  if (merge) {
    full = json::object();
    for (const char* key :
         {"name", "provider", "datacenter", "regions", "endpoint", "enabled", "resources"}) {
      if (!(*shown)[key].is_null()) full[key] = (*shown)[key];
    }
    json patch = body;
    const json credentials = patch.value("credentials", json(nullptr));
    patch.erase("credentials");
    full.merge_patch(patch);
    if (!credentials.is_null()) full["credentials"] = credentials;
  }
  // Resources keep their schedules (shown on reads, not written by people).
  const json old_resources = (*shown)["resources"];
  auto fields = Check(caller, full, &current->credentials);
  if (!fields) return Fail(fields.error());
  if (fields->provider != current->provider) {
    return Fail(ErrorCode::kValidationFailed, "a connection's provider cannot change",
                {{"provider", "cannot change: create another connection"}});
  }
  json resources = fields->resources;
  for (auto& [name, settings] : resources.items()) {
    if (old_resources.contains(name) && old_resources[name].contains("schedule")) {
      settings["schedule"] = old_resources[name]["schedule"];
    }
  }
  // Resources no longer named lose their schedules.
  for (const auto& [name, settings] : old_resources.items()) {
    if (!resources.contains(name) && settings.contains("schedule")) {
      auto removed = schedules_.Delete(caller.user_id, settings["schedule"]);
      if (!removed && removed.error().code != ErrorCode::kNotFound) return Fail(removed.error());
    }
  }
  auto aligned = AlignSchedules(caller.user_id, id, fields->name, fields->enabled, resources);
  if (!aligned) return Fail(aligned.error());
  auto updated = store_.Exec(
      "UPDATE connections SET name = ?, datacenter_id = ?, regions = ?, endpoint = ?, enabled = "
      "?, resources = ?, credentials = ?, version = version + 1, updated_at = ? WHERE id = ? AND "
      "owner_id = ? AND version = ?",
      {fields->name, fields->datacenter, fields->regions.dump(),
       fields->endpoint.empty() ? store::Value(nullptr) : store::Value(fields->endpoint),
       Flag(fields->enabled), aligned->dump(), box_->Seal(fields->credentials.dump()),
       FormatTime(clock_.Now()), id, caller.user_id, (*shown)["version"].get<std::int64_t>()});
  if (!updated) return Fail(updated.error());
  if (*updated == 0) {
    return Fail(ErrorCode::kPreconditionFailed,
                fmt::format("connection {} changed meanwhile: reload it", id));
  }
  Signal(caller.user_id, id);
  return Get(caller, id);
}

Status Connections::Delete(const auth::Principal& caller, const std::string& id) {
  auto current = Open(id);
  if (!current || current->owner_id != caller.user_id) {
    return Fail(ErrorCode::kNotFound, fmt::format("no connection {}", id));
  }
  for (const auto& [name, settings] : current->resources.items()) {
    if (!settings.contains("schedule")) continue;
    auto removed = schedules_.Delete(caller.user_id, settings["schedule"]);
    if (!removed && removed.error().code != ErrorCode::kNotFound) return removed;
  }
  auto deleted =
      store_.Exec("DELETE FROM connections WHERE id = ? AND owner_id = ?", {id, caller.user_id});
  if (!deleted) return Fail(deleted.error());
  Signal(caller.user_id, id);
  return {};
}

Result<json> Connections::Sync(const auth::Principal& caller, const std::string& id,
                               const json& body) {
  auto connection = Open(id);
  if (!connection || connection->owner_id != caller.user_id) {
    return Fail(ErrorCode::kNotFound, fmt::format("no connection {}", id));
  }
  if (!body.is_null() && !body.is_object()) {
    return Fail(ErrorCode::kBadRequest, "the body is a JSON object {resources?: [name]}");
  }
  std::vector<std::string> wanted;
  const json given = body.is_object() ? body.value("resources", json(nullptr)) : json(nullptr);
  if (body.is_object()) {
    for (const auto& [key, value] : body.items()) {
      if (key != "resources") {
        return Fail(ErrorCode::kValidationFailed, "unknown field",
                    {{key, "is not a field of a sync request: resources"}});
      }
    }
  }
  if (given.is_null()) {
    for (const auto& [name, settings] : connection->resources.items()) {
      if (settings.value("enabled", true)) wanted.push_back(name);
    }
  } else if (!given.is_array()) {
    return Fail(ErrorCode::kValidationFailed, "resources must be a list",
                {{"resources", "must be a list of resource names"}});
  } else {
    for (std::size_t i = 0; i < given.size(); ++i) {
      if (!given[i].is_string() || !connection->resources.contains(given[i].get<std::string>())) {
        return Fail(ErrorCode::kValidationFailed, "unknown resource",
                    {{fmt::format("resources.{}", i), "is not a resource of this connection"}});
      }
      wanted.push_back(given[i]);
    }
  }
  if (wanted.empty()) {
    return Fail(ErrorCode::kValidationFailed, "nothing to sync",
                {{"resources", "no resource is enabled: enable one or name it"}});
  }
  json jobs = json::array();
  for (const auto& resource : wanted) {
    auto job = jobs_.Enqueue({.type = "sync",
                              .args = {{"connection", id}, {"resource", resource}},
                              .owner_id = caller.user_id});
    if (!job) return Fail(job.error());
    jobs.push_back(std::move(*job));
  }
  return json{{"jobs", std::move(jobs)}};
}

Result<std::unique_ptr<Connector>> Connections::ConnectorFor(const Connection& connection) const {
  ConnectorSettings settings = connector_defaults_;
  settings.provider = connection.provider;
  settings.credentials = connection.credentials;
  settings.endpoint = connection.endpoint;
  settings.owner_id = connection.owner_id;
  settings.regions = connection.regions;
  return MakeConnector(settings);
}

Result<json> Connections::Test(const auth::Principal& caller, const std::string& id) {
  auto connection = Open(id);
  if (!connection || connection->owner_id != caller.user_id) {
    return Fail(ErrorCode::kNotFound, fmt::format("no connection {}", id));
  }
  auto connector = ConnectorFor(*connection);
  if (!connector) return json{{"ok", false}, {"message", connector.error().message}};
  auto tested = (*connector)->Test();
  if (!tested) return json{{"ok", false}, {"message", tested.error().message}};
  return json{{"ok", true}, {"message", *tested}};
}

Result<json> Connections::Orphans(const auth::Principal& caller, const std::string& datacenter,
                                  int page, int limit) {
  const auto& registry = inventory::DefaultRegistry();
  auto found = records_.Get(caller, *registry.Find("datacenters"), datacenter);
  if (!found) return Fail(found.error());
  const auto access = auth::AccessCondition("r.id", caller.user_id, auth::Role::kRead);
  json items = json::array();
  std::int64_t total = 0;
  auto done = store_.Transaction(
      [&](store::Session& session) -> Status {
        const std::string in_datacenter = session.dialect() == store::Dialect::kPostgres
                                              ? "r.doc #>> '{datacenter,id}' = ?"
                                              : "json_extract(r.doc, '$.datacenter.id') = ?";
        const std::string where = fmt::format(
            "FROM records r LEFT JOIN discovered d ON d.record_id = r.id WHERE r.kind = "
            "'servers' AND {} AND ((d.record_id IS NULL AND r.active = ?) OR d.orphaned = 1) AND "
            "{}",
            in_datacenter, access.sql);
        store::Params params = {datacenter, true};
        params.insert(params.end(), access.params.begin(), access.params.end());
        auto counted = session.Query("SELECT COUNT(*) " + where, params);
        if (!counted) return Fail(counted.error());
        total = store::AsInt(counted->rows[0][0]);
        params.insert(params.end(), {std::int64_t{limit}, std::int64_t{page - 1} * limit});
        auto ids = session.Query(
            "SELECT r.id " + where + " ORDER BY r.updated_at DESC, r.id LIMIT ? OFFSET ?", params);
        if (!ids) return Fail(ids.error());
        for (const auto& row : ids->rows) {
          auto record = records_.Get(caller, *registry.Find("servers"), store::AsString(row[0]));
          if (record) items.push_back(std::move(*record));
        }
        return {};
      },
      store::TransactionMode::kRead);
  if (!done) return Fail(done.error());
  return json{{"items", std::move(items)}, {"total", total}, {"page", page}, {"limit", limit}};
}

Result<Connection> Connections::Open(const std::string& id) {
  auto rows = store_.Query(fmt::format("SELECT {} FROM connections WHERE id = ?", kColumns), {id});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(ErrorCode::kNotFound, fmt::format("no connection {}", id));
  const auto& row = rows->rows[0];
  auto box = Box();
  if (!box) return Fail(box.error());
  auto opened = (*box)->Open(store::AsString(row[10]));
  if (!opened) return Fail(opened.error());
  auto credentials = ParseJson(*opened);
  Connection connection{.id = store::AsString(row[0]),
                        .owner_id = store::AsString(row[1]),
                        .name = store::AsString(row[2]),
                        .provider = store::AsString(row[3]),
                        .datacenter_id = store::AsString(row[4]),
                        .endpoint = store::IsNull(row[6]) ? "" : store::AsString(row[6]),
                        .enabled = store::AsBool(row[7]),
                        .resources = ParsedOr(row[8], json::object()),
                        .credentials = credentials ? *credentials : json::object()};
  for (const auto& region : ParsedOr(row[5], json::array())) {
    if (region.is_string()) connection.regions.push_back(region);
  }
  return connection;
}

Status Connections::SetStatus(const Connection& connection, const std::string& resource,
                              const json& status) {
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    auto rows = session.Query(fmt::format("SELECT status FROM connections WHERE id = ?{}",
                                          store::ForUpdate(session.dialect())),
                              {connection.id});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return {};  // deleted meanwhile
    json all = ParsedOr(rows->rows[0][0], json::object());
    all[resource] = status;
    auto updated =
        session.Exec("UPDATE connections SET status = ? WHERE id = ?", {all.dump(), connection.id});
    if (!updated) return Fail(updated.error());
    return {};
  });
  if (!done) return done;
  Signal(connection.owner_id, connection.id);
  return {};
}

}  // namespace maestro::discovery
