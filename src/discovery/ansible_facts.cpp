#include "discovery/ansible_facts.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cmath>
#include <cstdlib>

#include "common/json_util.h"
#include "discovery/connector_kit.h"

namespace maestro::discovery {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxUnpacked = 1024ull * 1024 * 1024;  // a gzip bomb stops here

Result<std::string> Gunzip(std::string_view bytes) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    return Fail(ErrorCode::kInternal, "zlib: inflateInit2 failed");
  }
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  std::string out;
  char buffer[65536];
  int code = Z_OK;
  while (code != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    code = inflate(&stream, Z_NO_FLUSH);
    if (code != Z_OK && code != Z_STREAM_END) {
      inflateEnd(&stream);
      return Fail(ErrorCode::kBadRequest, "the archive is not valid gzip: it is cut or damaged");
    }
    out.append(buffer, sizeof buffer - stream.avail_out);
    if (out.size() > kMaxUnpacked) {
      inflateEnd(&stream);
      return Fail(ErrorCode::kBadRequest, "the archive unpacks to more than 1 GiB");
    }
    if (code == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
      inflateEnd(&stream);
      return Fail(ErrorCode::kBadRequest, "the gzip archive is cut short");
    }
  }
  inflateEnd(&stream);
  return out;
}

// An octal field of a tar header.
std::size_t Octal(std::string_view field) {
  std::size_t value = 0;
  for (char c : field) {
    if (c >= '0' && c <= '7') {
      value = value * 8 + static_cast<std::size_t>(c - '0');
    } else if (c != ' ' && c != '\0') {
      break;
    }
  }
  return value;
}

std::string Field(std::string_view block, std::size_t at, std::size_t size) {
  std::string_view field = block.substr(at, size);
  return std::string(field.substr(0, field.find('\0')));
}

std::string BaseName(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Size in GB of texts such as "100.00 GB", "243.00 MB", "1.00 KB".
std::optional<double> SizeGb(const std::string& text) {
  char* end = nullptr;
  const double number = std::strtod(text.c_str(), &end);
  if (end == text.c_str()) return std::nullopt;
  std::string unit(end);
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  double factor = 1;
  if (unit.starts_with("TB"))
    factor = 1000;
  else if (unit.starts_with("MB"))
    factor = 0.001;
  else if (unit.starts_with("KB"))
    factor = 0.000001;
  else if (!unit.starts_with("GB"))
    return std::nullopt;
  return std::round(number * factor * 100) / 100;
}

std::string OsBase(const std::string& system) {
  if (system == "Linux") return "Linux";
  if (system == "Win32NT" || system.starts_with("Windows")) return "Windows";
  if (system == "FreeBSD") return "FreeBSD";
  if (system == "Darwin") return "MacOS";
  if (system == "SunOS") return "Solaris";
  return "Other";
}

// An RFC 1918 (or other non-public) IPv4 address.
bool IsPrivateIpv4(const std::string& ip) {
  return ip.starts_with("10.") || ip.starts_with("192.168.") || ip.starts_with("127.") ||
         ip.starts_with("169.254.") || (ip.starts_with("172.") && [&] {
           const int second = std::atoi(ip.c_str() + 4);
           return second >= 16 && second <= 31;
         }());
}

json Server(const std::string& host, const json& f) {
  std::string hostname = Text(f.value("ansible_nodename", json()));
  if (hostname.empty()) hostname = host;
  json doc = {{"hostname", hostname}, {"name", host}};
  const json ipv4 = f.value("ansible_default_ipv4", json::object());
  if (auto address = Text(ipv4.value("address", json())); !address.empty()) {
    doc["ipv4_private"] = address;
  }
  for (const auto& address : f.value("ansible_all_ipv4_addresses", json::array())) {
    if (address.is_string() && !IsPrivateIpv4(address.get<std::string>())) {
      doc["ipv4_public"] = address;
      break;
    }
  }
  json ipv6 = json::array();
  for (const auto& address : f.value("ansible_all_ipv6_addresses", json::array())) {
    if (address.is_string() && !address.get<std::string>().starts_with("fe80:")) {
      ipv6.push_back(address);
    }
  }
  if (!ipv6.empty()) doc["ipv6"] = ipv6;
  if (auto fqdn = Text(f.value("ansible_fqdn", json())); !fqdn.empty() && fqdn != "localhost") {
    doc["dns_private"] = fqdn;
  }
  if (f.value("ansible_processor_vcpus", json()).is_number_integer()) {
    doc["cpu"] = f["ansible_processor_vcpus"];
  }
  if (f.value("ansible_memtotal_mb", json()).is_number()) {
    doc["memory"] = GibFromMib(f["ansible_memtotal_mb"].get<double>());
  }
  const std::string system = Text(f.value("ansible_system", json()));
  const std::string distribution = Text(f.value("ansible_distribution", json()));
  if (!system.empty() || !distribution.empty()) {
    doc["os"] = {{"base", OsBase(system.empty() ? distribution : system)}};
    if (!distribution.empty()) doc["os"]["dist"] = distribution;
    if (auto version = Text(f.value("ansible_distribution_version", json())); !version.empty()) {
      doc["os"]["version"] = version;
    }
  }
  json storage = json::array();
  for (const auto& mount : f.value("ansible_mounts", json::array())) {
    json item = {{"name", Text(mount.value("device", json()))},
                 {"mount", Text(mount.value("mount", json()))},
                 {"root", Text(mount.value("mount", json())) == "/"}};
    if (auto type = Text(mount.value("fstype", json())); !type.empty()) item["fs_type"] = type;
    if (mount.value("size_total", json()).is_number()) {
      item["size"] = std::round(mount["size_total"].get<double>() / 1e9 * 100) / 100;
    }
    storage.push_back(std::move(item));
  }
  if (!storage.empty()) doc["storage"] = std::move(storage);
  // service_facts, when it ran with setup: the services and their state.
  json services = json::array();
  const json given_services = f.value("services", json::object());
  for (const auto& [name, service] : given_services.items()) {
    if (services.size() >= 500) break;
    services.push_back({{"name", name}, {"status", Text(service.value("state", json()))}});
  }
  if (!services.empty()) doc["services"] = std::move(services);
  json metas = json::object();
  for (const char* key : {"ansible_interfaces", "ansible_dns", "ansible_pkg_mgr",
                          "ansible_service_mgr", "ansible_architecture", "ansible_kernel",
                          "ansible_virtualization_type", "ansible_product_uuid"}) {
    if (f.contains(key) && !f[key].is_null()) metas[std::string(key).substr(8)] = f[key];
  }
  if (auto user = Text(f.value("ansible_user_id", json())); !user.empty()) {
    doc["auth"] = json::array({{{"name", user}, {"type", "Password"}, {"username", user}}});
  }
  doc["metas"] = std::move(metas);
  doc["status"] = "Active";
  return doc;
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> ReadTar(std::string_view bytes) {
  std::string unpacked;
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
      static_cast<unsigned char>(bytes[1]) == 0x8b) {
    auto gunzipped = Gunzip(bytes);
    if (!gunzipped) return Fail(gunzipped.error());
    unpacked = std::move(*gunzipped);
    bytes = unpacked;
  }
  if (bytes.size() < 512 || bytes.substr(257, 5) != "ustar") {
    return Fail(ErrorCode::kBadRequest, "the upload is not a tar archive (ustar) of fact files");
  }
  std::vector<std::pair<std::string, std::string>> files;
  std::string long_name;
  std::size_t at = 0;
  while (at + 512 <= bytes.size()) {
    const std::string_view block = bytes.substr(at, 512);
    if (block.find_first_not_of('\0') == std::string_view::npos) break;  // the end
    if (block.substr(257, 5) != "ustar") {
      return Fail(ErrorCode::kBadRequest, "the upload is not a tar archive (ustar) of fact files");
    }
    const std::size_t size = Octal(block.substr(124, 12));
    const char type = block[156];
    at += 512;
    if (at + size > bytes.size())
      return Fail(ErrorCode::kBadRequest, "the tar archive is cut short");
    const std::string_view content = bytes.substr(at, size);
    at += (size + 511) / 512 * 512;
    if (type == 'L') {  // GNU long name of the next member
      long_name = std::string(content.substr(0, content.find('\0')));
      continue;
    }
    const bool from_long_name = !long_name.empty();
    std::string name = from_long_name ? long_name : Field(block, 0, 100);
    long_name.clear();
    if (const std::string prefix = Field(block, 345, 155); !from_long_name && !prefix.empty()) {
      name = prefix + "/" + name;
    }
    if (type == '0' || type == '\0') files.emplace_back(std::move(name), std::string(content));
  }
  return files;
}

void AddFactFile(FactFiles& files, const std::string& name, const json& file) {
  if (!file.is_object()) {
    files.warnings.push_back(fmt::format("{}: not a JSON object, skipped", name));
    return;
  }
  if (file.value("unreachable", false) || file.value("failed", false)) {
    files.warnings.push_back(fmt::format("{}: unreachable when facts were gathered ({}), skipped",
                                         name, Text(file.value("msg", json()))));
    return;
  }
  if (file.contains("ansible_facts") && file["ansible_facts"].is_object()) {
    files.hosts.emplace_back(name, file["ansible_facts"]);
    return;
  }
  for (const auto& [key, value] : file.items()) {
    if (key.starts_with("ansible_")) {  // the old format: facts at the top level
      files.hosts.emplace_back(name, file);
      return;
    }
  }
  files.warnings.push_back(fmt::format("{}: no ansible_facts in it, skipped", name));
}

Result<FactFiles> ReadFactFiles(std::string_view bytes) {
  FactFiles files;
  if (auto parsed = ParseJson(bytes)) {
    if (!parsed->is_object()) {
      return Fail(ErrorCode::kBadRequest, "a facts file is a JSON object");
    }
    const bool one_host =
        parsed->contains("ansible_facts") || parsed->contains("unreachable") ||
        std::any_of(parsed->items().begin(), parsed->items().end(),
                    [](const auto& item) { return item.key().starts_with("ansible_"); });
    if (one_host) {
      std::string name =
          Text(parsed->value("ansible_facts", *parsed).value("ansible_nodename", json()));
      AddFactFile(files, name.empty() ? "host" : name, *parsed);
    } else {
      for (const auto& [host, file] : parsed->items()) AddFactFile(files, host, file);
    }
    return files;
  }
  auto members = ReadTar(bytes);
  if (!members) {
    return Fail(ErrorCode::kBadRequest,
                "the upload is neither JSON facts nor a tar archive of `ansible -m setup --tree` "
                "files: " +
                    members.error().message);
  }
  for (const auto& [path, content] : *members) {
    const std::string name = BaseName(path);
    if (name.empty() || name.starts_with('.')) continue;
    auto file = ParseJson(content);
    if (!file) {
      files.warnings.push_back(fmt::format("{}: not JSON, skipped", name));
      continue;
    }
    AddFactFile(files, name, *file);
  }
  return files;
}

std::vector<Found> TranslateFacts(const FactFiles& files, std::string_view resource) {
  std::vector<Found> found;
  for (const auto& [host, facts] : files.hosts) {
    if (resource == "server-list") {
      found.push_back({.kind = "servers", .provider_id = host, .doc = Server(host, facts)});
      continue;
    }
    const json devices = facts.value("ansible_devices", json::object());
    for (const auto& [device, info] : devices.items()) {
      if (device.starts_with("loop") || device.starts_with("ram")) continue;
      json doc = {{"name", host + ":" + device},
                  {"status", "Active"},
                  {"unique_id", host + "/" + device},
                  {"tags", json::array({{{"key", "host"}, {"value", host}}})}};
      if (auto size = SizeGb(Text(info.value("size", json())))) doc["size"] = *size;
      if (auto model = Text(info.value("model", json())); !model.empty()) {
        doc["volume_type"] = model;
      }
      found.push_back(
          {.kind = "volumes", .provider_id = host + "/" + device, .doc = std::move(doc)});
    }
  }
  return found;
}

json FactsAsImport(const FactFiles& files) {
  json servers = json::array(), volumes = json::array();
  for (auto& found : TranslateFacts(files, "server-list")) servers.push_back(std::move(found.doc));
  for (auto& found : TranslateFacts(files, "volumes-list")) volumes.push_back(std::move(found.doc));
  return {{"servers", std::move(servers)}, {"volumes", std::move(volumes)}};
}

}  // namespace maestro::discovery
