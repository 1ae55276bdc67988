// File sources: a JSON file in the import format, and Terraform state (format 4, Terraform 0.12
// and later). The file is read once per listing (upload or S3) and translated; a file that does
// not parse lists nothing, so nothing is deactivated.
#include <fmt/format.h>

#include "common/json_util.h"
#include "discovery/ansible_facts.h"
#include "discovery/connector_kit.h"
#include "inventory/import.h"
#include "inventory/registry.h"

namespace maestro::discovery {
namespace {

using nlohmann::json;

constexpr std::size_t kPage = 500;

// Sections of the import format by resource; each section holds records of the kind it names.
const std::map<std::string_view, std::string_view>& JsonSections() {
  static const std::map<std::string_view, std::string_view> sections = {
      {"server-list", "servers"},  {"applications-list", "applications"},
      {"volumes-list", "volumes"}, {"snapshot-list", "snapshots"},
      {"images-list", "images"},   {"flavor-list", "flavors"}};
  return sections;
}

Status SendPages(std::vector<Found>& all, const PageSink& sink) {
  for (std::size_t first = 0; first < all.size(); first += kPage) {
    std::vector<Found> page(
        std::make_move_iterator(all.begin() + first),
        std::make_move_iterator(all.begin() + std::min(all.size(), first + kPage)));
    if (auto sent = sink(std::move(page)); !sent) return sent;
  }
  return {};
}

// --- JSON import format -------------------------------------------------------------------------

Status ListJson(const json& file, std::string_view resource, const PageSink& sink) {
  auto section = JsonSections().find(resource);
  if (section == JsonSections().end()) {
    return Fail(ErrorCode::kBadRequest, fmt::format("a JSON file has no {}", resource));
  }
  const std::string name(section->second);
  const std::string& kind = name;
  const auto* spec = inventory::DefaultRegistry().Find(kind);
  std::vector<Found> all;
  if (!file.contains(name)) return {};  // an absent section lists nothing
  if (!file[name].is_array()) {
    return Fail(ErrorCode::kBadRequest, fmt::format("the file's {} is not a list", name));
  }
  for (const auto& item : file[name]) {
    if (!item.is_object() || item.empty()) continue;  // the original's empty objects
    // The provider id: the file's own id, else the natural key.
    std::string id;
    for (const char* key : {"_id", "id", "unique_id"}) {
      if (item.contains(key) && (item[key].is_string() || item[key].is_number())) {
        id = item[key].is_string() ? item[key].get<std::string>() : item[key].dump();
        break;
      }
    }
    json doc = inventory::NormalizeImported(*spec, item);
    doc.erase("datacenters");
    if (doc.contains("datacenter") && doc["datacenter"].is_object()) doc["datacenter"].erase("id");
    if (id.empty()) id = Text(doc.value(spec->name_field, json()));
    all.push_back({.kind = kind, .provider_id = id, .doc = std::move(doc)});
  }
  return SendPages(all, sink);
}

// --- Terraform state
// ------------------------------------------------------------------------------

// Each instance of each managed resource of `type`, with its module-qualified address.
template <typename Fn>
void EachInstance(const json& state, std::string_view type, Fn&& fn) {
  for (const auto& resource : state.value("resources", json::array())) {
    if (!resource.is_object() || resource.value("mode", "managed") != "managed" ||
        Text(resource.value("type", json())) != type) {
      continue;
    }
    std::string address = Text(resource.value("module", json()));
    address += (address.empty() ? "" : ".") + Text(resource.value("type", json())) + "." +
               Text(resource.value("name", json()));
    for (const auto& instance : resource.value("instances", json::array())) {
      if (!instance.is_object() || !instance.contains("attributes")) continue;
      std::string at = address;
      if (instance.contains("index_key")) {
        at += "[" + instance["index_key"].dump() + "]";
      }
      fn(at, instance["attributes"]);
    }
  }
}

json TagsOf(const json& attributes) {
  json tags = json::array();
  const json given = attributes.value("tags", json::object());
  if (given.is_object()) {
    for (const auto& [key, value] : given.items()) {
      tags.push_back(
          {{"key", key}, {"value", value.is_string() ? value.get<std::string>() : value.dump()}});
    }
  }
  return tags;
}

json Volume(const json& device, const std::string& az, bool root) {
  json volume = {{"name", Text(device.value("volume_id", json()))},
                 {"status", "Active"},
                 {"unique_id", Text(device.value("volume_id", json()))},
                 {"datacenter", {{"zone", az}}}};
  if (device.value("volume_size", json()).is_number()) volume["size"] = device["volume_size"];
  if (device.value("volume_type", json()).is_string())
    volume["volume_type"] = device["volume_type"];
  if (device.value("iops", json()).is_number_integer()) volume["iops"] = device["iops"];
  if (device.value("encrypted", json()).is_boolean()) volume["encrypted"] = device["encrypted"];
  if (!root && device.value("device_name", json()).is_string()) {
    volume["tags"] = json::array({{{"key", "device_name"}, {"value", device["device_name"]}}});
  }
  return volume;
}

Status ListTerraform(const json& state, std::string_view resource, const PageSink& sink) {
  if (!state.is_object() || !state.contains("resources") || !state["resources"].is_array()) {
    return Fail(ErrorCode::kBadRequest,
                "the file is not a Terraform state of format 4 (Terraform 0.12 or later): it has "
                "no resources list");
  }
  if (state.value("version", 0) < 4) {
    return Fail(ErrorCode::kBadRequest,
                fmt::format("Terraform state format {} is too old: run terraform 0.12 or later on "
                            "it once (terraform refresh) to upgrade it",
                            state.value("version", 0)));
  }
  std::vector<Found> all;
  if (resource == "server-list") {
    EachInstance(state, "aws_instance", [&](const std::string& address, const json& a) {
      const json tags = TagsOf(a);
      const std::string id = Text(a.value("id", json()));
      std::string name = TagValue(tags, "Name");
      if (name.empty()) name = TagValue(tags, "name");
      json doc = {{"hostname", !name.empty() ? name : id},
                  {"status", "Active"},
                  {"tags", tags},
                  {"datacenter",
                   {{"zone", Text(a.value("availability_zone", json()))},
                    {"instance_type", Text(a.value("instance_type", json()))},
                    {"instance_id", id},
                    {"image_id", Text(a.value("ami", json()))},
                    {"subnet_id", Text(a.value("subnet_id", json()))},
                    {"type", "Virtual"}}},
                  {"metas", {{"terraform_address", address}}}};
      if (!name.empty()) doc["name"] = name;
      for (const char* key : {"role", "environment"}) {
        if (auto value = TagValue(tags, key); !value.empty()) doc[key] = value;
      }
      if (auto ip = Text(a.value("private_ip", json())); !ip.empty()) doc["ipv4_private"] = ip;
      if (auto ip = Text(a.value("public_ip", json())); !ip.empty()) doc["ipv4_public"] = ip;
      if (auto dns = Text(a.value("private_dns", json())); !dns.empty()) doc["dns_private"] = dns;
      if (auto dns = Text(a.value("public_dns", json())); !dns.empty()) doc["dns_public"] = dns;
      if (auto key = Text(a.value("key_name", json())); !key.empty()) {
        doc["auth"] = json::array({{{"name", key}, {"type", "PKI"}}});
      }
      if (auto size = FindFlavor("aws", Text(a.value("instance_type", json())))) {
        doc["cpu"] = size->vcpus;
        doc["memory"] = size->memory;
      }
      if (a.value("cpu_core_count", json()).is_number_integer()) {
        doc["cpu"] = a["cpu_core_count"].get<int>() * a.value("cpu_threads_per_core", 1);
      }
      json storage = json::array();
      for (const char* devices : {"root_block_device", "ebs_block_device"}) {
        for (const auto& device : a.value(devices, json::array())) {
          json item = {{"root", std::string_view(devices) == "root_block_device"}};
          if (device.value("device_name", json()).is_string())
            item["device_name"] = device["device_name"];
          if (device.value("volume_size", json()).is_number()) item["size"] = device["volume_size"];
          if (device.value("volume_id", json()).is_string()) item["name"] = device["volume_id"];
          storage.push_back(std::move(item));
        }
      }
      if (!storage.empty()) doc["storage"] = std::move(storage);
      const std::string state_name = Text(a.value("instance_state", json()));
      if (state_name == "stopped" || state_name == "stopping") doc["status"] = "Stopped";
      all.push_back({.kind = "servers",
                     .provider_id = id.empty() ? address : id,
                     .doc = std::move(doc),
                     .active = state_name != "terminated" && state_name != "shutting-down"});
    });
  } else if (resource == "volumes-list") {
    EachInstance(state, "aws_instance", [&](const std::string&, const json& a) {
      const std::string az = Text(a.value("availability_zone", json()));
      for (const char* devices : {"root_block_device", "ebs_block_device"}) {
        for (const auto& device : a.value(devices, json::array())) {
          if (Text(device.value("volume_id", json())).empty()) continue;
          all.push_back(
              {.kind = "volumes",
               .provider_id = device["volume_id"],
               .doc = Volume(device, az, std::string_view(devices) == "root_block_device")});
        }
      }
    });
  } else if (resource == "storage-list") {
    EachInstance(state, "aws_ebs_volume", [&](const std::string& address, const json& a) {
      const std::string id = Text(a.value("id", json()));
      json doc = {{"name", id.empty() ? address : id},
                  {"status", "Active"},
                  {"unique_id", id},
                  {"tags", TagsOf(a)},
                  {"datacenter", {{"zone", Text(a.value("availability_zone", json()))}}}};
      if (auto name = TagValue(doc["tags"], "Name"); !name.empty()) doc["name"] = name;
      if (a.value("size", json()).is_number()) doc["size"] = a["size"];
      if (a.value("type", json()).is_string()) doc["volume_type"] = a["type"];
      if (a.value("iops", json()).is_number_integer()) doc["iops"] = a["iops"];
      if (a.value("encrypted", json()).is_boolean()) doc["encrypted"] = a["encrypted"];
      if (a.value("snapshot_id", json()).is_string()) doc["snapshot_id"] = a["snapshot_id"];
      all.push_back({.kind = "volumes", .provider_id = id.empty() ? address : id, .doc = doc});
    });
  } else {
    return Fail(ErrorCode::kBadRequest, fmt::format("Terraform state has no {}", resource));
  }
  return SendPages(all, sink);
}

class FileConnector : public Connector {
 public:
  explicit FileConnector(ConnectorSettings settings) : settings_(std::move(settings)) {}

  Result<std::string> Test() override {
    if (settings_.provider == "ansible") {
      auto facts = ReadFacts();
      if (!facts) return Fail(facts.error());
      std::string message = fmt::format("Ansible facts read: {} hosts", facts->hosts.size());
      if (!facts->warnings.empty()) {
        message += fmt::format("; {} skipped ({})", facts->warnings.size(), facts->warnings[0]);
      }
      return message + HostKey();
    }
    auto file = Read();
    if (!file) return Fail(file.error());
    if (settings_.provider == "terraform") {
      std::size_t count = 0;
      for (const auto& resource : file->value("resources", json::array())) {
        count += resource.value("instances", json::array()).size();
      }
      return fmt::format("Terraform state read: {} resource instances", count) + HostKey();
    }
    std::size_t count = 0;
    for (const auto& [resource, section] : JsonSections()) {
      count += file->value(std::string(section), json::array()).size();
    }
    return fmt::format("JSON file read: {} items", count) + HostKey();
  }

  Status List(std::string_view resource, const std::string&, const PageSink& sink) override {
    if (settings_.provider == "ansible") {
      if (resource != "server-list" && resource != "volumes-list") {
        return Fail(ErrorCode::kBadRequest, fmt::format("Ansible facts have no {}", resource));
      }
      auto facts = ReadFacts();
      if (!facts) return Fail(facts.error());
      auto found = TranslateFacts(*facts, resource);
      return SendPages(found, sink);
    }
    auto file = Read();
    if (!file) return Fail(file.error());
    if (settings_.provider == "terraform") return ListTerraform(*file, resource, sink);
    return ListJson(*file, resource, sink);
  }

  std::vector<std::string> Regions(const std::vector<std::string>&) const override {
    return {""};  // a file has no regions
  }

 private:
  // The fact files: an upload (one file, a JSON object of files, or a tar archive), or every
  // object under an S3 prefix (a path ending with '/') or one S3 object.
  Result<FactFiles> ReadFacts() {
    Result<std::vector<std::pair<std::string, std::string>>> sources =
        std::vector<std::pair<std::string, std::string>>{};
    if (settings_.credentials.contains("ssh")) {
      bool directory = false;
      sources = ReadSsh(settings_, &directory, &fingerprint_);
      if (!sources) return Fail(sources.error());
      if (!directory) return ReadFactFiles(sources->front().second);
    } else if (!IsPrefix(settings_)) {
      auto bytes = ReadSource(settings_, &fingerprint_);
      if (!bytes) return Fail(bytes.error());
      return ReadFactFiles(*bytes);
    } else {
      sources = ReadSources(settings_);
      if (!sources) return Fail(sources.error());
    }
    FactFiles files;
    for (const auto& [name, bytes] : *sources) {
      auto file = ParseJson(bytes);
      const auto slash = name.find_last_of('/');
      const std::string host = slash == std::string::npos ? name : name.substr(slash + 1);
      if (!file) {
        files.warnings.push_back(host + ": not JSON, skipped");
        continue;
      }
      AddFactFile(files, host, *file);
    }
    return files;
  }

  Result<json> Read() {
    auto bytes = ReadSource(settings_, &fingerprint_);
    if (!bytes) return Fail(bytes.error());
    auto file = ParseJson(*bytes);
    if (!file || !file->is_object()) {
      return Fail(ErrorCode::kBadRequest,
                  settings_.provider == "terraform"
                      ? "the file is not a Terraform state (JSON): check the path or upload"
                      : "the file is not a JSON object in the import format");
    }
    return std::move(*file);
  }

  // For SSH sources: the server's key, to pin it (ssh.host_key).
  std::string HostKey() const {
    if (fingerprint_.empty()) return "";
    const bool pinned = settings_.credentials.contains("ssh") &&
                        !Text(settings_.credentials["ssh"].value("host_key", json())).empty();
    return fmt::format(" (SSH host key {}, {})", fingerprint_,
                       pinned ? "pinned" : "not pinned: pin it in ssh.host_key");
  }

  const ConnectorSettings settings_;
  std::string fingerprint_;
};

}  // namespace

Result<json> TerraformAsImport(const json& state) {
  json file = {{"servers", json::array()}, {"volumes", json::array()}};
  for (const char* resource : {"server-list", "volumes-list", "storage-list"}) {
    const std::string section = std::string_view(resource) == "server-list" ? "servers" : "volumes";
    auto listed = ListTerraform(state, resource, [&](std::vector<Found>&& page) -> Status {
      for (auto& found : page) {
        if (found.active) file[section].push_back(std::move(found.doc));
      }
      return {};
    });
    if (!listed) return Fail(listed.error());
  }
  return file;
}

std::unique_ptr<Connector> MakeFile(const ConnectorSettings& settings) {
  return std::make_unique<FileConnector>(settings);
}

}  // namespace maestro::discovery
