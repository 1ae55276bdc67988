// Azure: an OAuth2 client-credentials token from Microsoft Entra ID, then Azure Resource Manager
// lists of the whole subscription, following `nextLink` (only on the same host). Virtual machines
// get their private and public IPs from their network interfaces and public IP addresses, and
// vCPUs and memory from the location's VM sizes. An `endpoint` replaces both
// https://login.microsoftonline.com and https://management.azure.com (tests, sovereign clouds).
// The connection's regions (locations) filter what is kept.
#include <fmt/format.h>

#include <map>
#include <set>

#include "common/json_util.h"
#include "common/validation.h"
#include "discovery/connector_kit.h"

namespace maestro::discovery {
namespace {

using nlohmann::json;

json Tags(const json& resource) {
  json tags = json::array();
  const json given = resource.value("tags", json::object());
  for (const auto& [key, value] : given.items()) {
    tags.push_back(
        {{"key", key}, {"value", value.is_string() ? value.get<std::string>() : value.dump()}});
  }
  return tags;
}

json Props(const json& resource) { return resource.value("properties", json::object()); }

json Datacenter(const json& resource) {
  json datacenter = {{"region", Text(resource.value("location", json()))}};
  const json zones = resource.value("zones", json::array());
  if (!zones.empty() && zones[0].is_string()) datacenter["zone"] = zones[0];
  return datacenter;
}

std::string NameOf(const json& resource) { return Text(resource.value("name", json())); }
std::string IdOf(const json& resource) { return Lower(Text(resource.value("id", json()))); }

// What a VM needs from other lists.
struct Lookups {
  std::map<std::string, json> nics;                     // by lower-case id
  std::map<std::string, std::string> ips;               // public IP resource id → address
  std::map<std::string, std::pair<int, double>> sizes;  // "location/size" → vCPUs, GiB
};

Found VirtualMachine(const json& vm, const Lookups& lookups) {
  const json p = Props(vm);
  const json tags = Tags(vm);
  std::string hostname = Text(p.value("osProfile", json::object()).value("computerName", json()));
  if (hostname.empty()) hostname = NameOf(vm);
  const std::string size = Text(p.value("hardwareProfile", json::object()).value("vmSize", json()));
  const json storage_profile = p.value("storageProfile", json::object());
  const json image = storage_profile.value("imageReference", json::object());
  json doc = {
      {"hostname", hostname}, {"name", NameOf(vm)}, {"tags", tags}, {"datacenter", Datacenter(vm)}};
  doc["datacenter"]["instance_type"] = size;
  doc["datacenter"]["instance_id"] = Text(p.value("vmId", json()));
  doc["datacenter"]["type"] = "Virtual";
  if (auto offer = Text(image.value("offer", json())); !offer.empty()) {
    doc["datacenter"]["image_id"] = fmt::format("{}:{}:{}", Text(image.value("publisher", json())),
                                                offer, Text(image.value("sku", json())));
  }
  const json os_disk = storage_profile.value("osDisk", json::object());
  const std::string os_type = Text(os_disk.value("osType", json()));
  if (!os_type.empty()) {
    doc["os"] = {{"base", os_type == "Windows" ? "Windows" : "Linux"}};
    if (auto offer = Text(image.value("offer", json())); !offer.empty()) doc["os"]["dist"] = offer;
    if (auto sku = Text(image.value("sku", json())); !sku.empty()) doc["os"]["version"] = sku;
  }
  json storage = json::array();
  if (!os_disk.empty()) {
    json item = {{"name", Text(os_disk.value("name", json()))}, {"root", true}};
    if (os_disk.value("diskSizeGB", json()).is_number()) item["size"] = os_disk["diskSizeGB"];
    storage.push_back(std::move(item));
  }
  for (const auto& disk : storage_profile.value("dataDisks", json::array())) {
    json item = {{"name", Text(disk.value("name", json()))}, {"root", false}};
    if (disk.value("diskSizeGB", json()).is_number()) item["size"] = disk["diskSizeGB"];
    storage.push_back(std::move(item));
  }
  if (!storage.empty()) doc["storage"] = std::move(storage);
  for (const auto& reference :
       p.value("networkProfile", json::object()).value("networkInterfaces", json::array())) {
    auto nic = lookups.nics.find(Lower(Text(reference.value("id", json()))));
    if (nic == lookups.nics.end()) continue;
    for (const auto& config : Props(nic->second).value("ipConfigurations", json::array())) {
      const json c = Props(config);
      if (auto ip = Text(c.value("privateIPAddress", json()));
          !ip.empty() && !doc.contains("ipv4_private")) {
        doc["ipv4_private"] = ip;
      }
      auto pip = lookups.ips.find(
          Lower(Text(c.value("publicIPAddress", json::object()).value("id", json()))));
      if (pip != lookups.ips.end() && !pip->second.empty() && !doc.contains("ipv4_public")) {
        doc["ipv4_public"] = pip->second;
      }
    }
  }
  auto sized = lookups.sizes.find(Lower(Text(vm.value("location", json()))) + "/" + size);
  if (sized != lookups.sizes.end()) {
    doc["cpu"] = sized->second.first;
    doc["memory"] = sized->second.second;
  } else if (auto flavor = FindFlavor("azure", size)) {
    doc["cpu"] = flavor->vcpus;
    doc["memory"] = flavor->memory;
  }
  for (const char* key : {"role", "environment"}) {
    if (auto value = TagValue(tags, key); !value.empty()) doc[key] = value;
  }
  doc["status"] =
      Text(p.value("provisioningState", json())) == "Succeeded" ? "Active" : "Available";
  return {.kind = "servers", .provider_id = IdOf(vm), .doc = std::move(doc)};
}

Found Disk(const json& d) {
  const json p = Props(d);
  const std::string state = Text(p.value("diskState", json()));
  json doc = {{"name", NameOf(d)},
              {"unique_id", Text(p.value("uniqueId", json()))},
              {"status", state == "Attached" || state == "Reserved" ? "Active" : "Available"},
              {"tags", Tags(d)},
              {"datacenter", Datacenter(d)}};
  if (p.value("diskSizeGB", json()).is_number()) doc["size"] = p["diskSizeGB"];
  if (auto sku = Text(d.value("sku", json::object()).value("name", json())); !sku.empty()) {
    doc["volume_type"] = sku;
  }
  if (p.value("diskIOPSReadWrite", json()).is_number_integer())
    doc["iops"] = p["diskIOPSReadWrite"];
  if (auto owner = Text(d.value("managedBy", json())); !owner.empty()) {
    doc["tags"].push_back({{"key", "attached_to"}, {"value", owner}});
  }
  return {.kind = "volumes", .provider_id = IdOf(d), .doc = std::move(doc)};
}

Found SnapshotOf(const json& s) {
  const json p = Props(s);
  json doc = {{"name", NameOf(s)},
              {"unique_id", Text(p.value("uniqueId", json()))},
              {"status", Text(p.value("provisioningState", json()))},
              {"volume_id",
               Text(p.value("creationData", json::object()).value("sourceResourceId", json()))},
              {"tags", Tags(s)},
              {"datacenter", Datacenter(s)}};
  if (p.value("diskSizeGB", json()).is_number()) doc["size"] = p["diskSizeGB"];
  if (auto at = Text(p.value("timeCreated", json())); !at.empty()) doc["started_at"] = at;
  return {.kind = "snapshots", .provider_id = IdOf(s), .doc = std::move(doc)};
}

Found ImageOf(const json& i) {
  const json p = Props(i);
  json doc = {{"name", NameOf(i)},
              {"unique_id", IdOf(i)},
              {"state", Text(p.value("provisioningState", json()))},
              {"platform", Text(p.value("storageProfile", json::object())
                                    .value("osDisk", json::object())
                                    .value("osType", json()))},
              {"image_type", Text(p.value("hyperVGeneration", json()))},
              {"public", false},
              {"tags", Tags(i)},
              {"datacenter", Datacenter(i)}};
  return {.kind = "images", .provider_id = IdOf(i), .doc = std::move(doc)};
}

Found NetworkOf(const json& n, const char* family) {
  const json p = Props(n);
  json doc = {{"name", NameOf(n)},
              {"family", family},
              {"unique_id", IdOf(n)},
              {"tags", Tags(n)},
              {"datacenter", Datacenter(n)}};
  const json prefixes =
      p.value("addressSpace", json::object()).value("addressPrefixes", json::array());
  if (!prefixes.empty() && prefixes[0].is_string()) doc["cidr"] = prefixes[0];
  if (auto ip = Text(p.value("ipAddress", json())); !ip.empty()) doc["cidr"] = ip;
  if (std::string_view(family) == "RouteTable")
    doc["rules"] = {{"routes", p.value("routes", json::array())}};
  return {.kind = "networks", .provider_id = IdOf(n), .doc = std::move(doc)};
}

Found LoadBalancer(const json& lb) {
  const json p = Props(lb);
  json doc = {{"name", NameOf(lb)},
              {"family", "Loadbalance"},
              {"provider", "Load Balancer (Azure)"},
              {"own", true},
              {"status", Text(p.value("provisioningState", json()))},
              {"tags", Tags(lb)},
              {"datacenter", Datacenter(lb)}};
  const json frontends = p.value("frontendIPConfigurations", json::array());
  if (!frontends.empty()) {
    const json f = Props(frontends[0]);
    std::string endpoint = Text(f.value("privateIPAddress", json()));
    if (endpoint.empty())
      endpoint = Text(f.value("publicIPAddress", json::object()).value("id", json()));
    if (!endpoint.empty()) doc["role"] = {{"endpoint", endpoint}};
  }
  return {.kind = "applications", .provider_id = IdOf(lb), .doc = std::move(doc)};
}

Found SqlServer(const json& s) {
  const json p = Props(s);
  json doc = {
      {"name", NameOf(s)},
      {"family", "Database"},
      {"provider", "SQL Database (Azure)"},
      {"own", true},
      {"status", Text(p.value("state", json()))},
      {"role", {{"endpoint", Text(p.value("fullyQualifiedDomainName", json()))}}},
      {"database", {{"engine", "sqlserver"}, {"version", Text(p.value("version", json()))}}},
      {"tags", Tags(s)},
      {"datacenter", Datacenter(s)}};
  return {.kind = "applications", .provider_id = IdOf(s), .doc = std::move(doc)};
}

class Azure : public Connector {
 public:
  explicit Azure(ConnectorSettings settings)
      : settings_(std::move(settings)),
        login_(settings_.endpoint.empty() ? "https://login.microsoftonline.com"
                                          : settings_.endpoint),
        arm_(settings_.endpoint.empty() ? "https://management.azure.com" : settings_.endpoint) {
    while (login_.ends_with('/')) login_.pop_back();
    while (arm_.ends_with('/')) arm_.pop_back();
  }

  Result<std::string> Test() override {
    auto subscription = Get(fmt::format("{}/subscriptions/{}?api-version=2022-12-01", arm_,
                                        Text(settings_.credentials.value("subscription", json()))),
                            "GET subscription");
    if (!subscription) return Fail(subscription.error());
    return fmt::format("Azure subscription {} ({})",
                       Text(subscription->value("displayName", json())),
                       Text(subscription->value("state", json())));
  }

  std::vector<std::string> Regions(const std::vector<std::string>&) const override {
    return {""};  // one listing of the subscription, filtered by the connection's locations
  }

  Status List(std::string_view resource, const std::string&, const PageSink& sink) override {
    if (resource == "server-list") {
      Lookups lookups;
      auto nics = Each("Microsoft.Network/networkInterfaces", "2024-05-01",
                       [&](const json& n) { lookups.nics[IdOf(n)] = n; });
      if (!nics) return nics;
      auto ips = Each("Microsoft.Network/publicIPAddresses", "2024-05-01", [&](const json& ip) {
        lookups.ips[IdOf(ip)] = Text(Props(ip).value("ipAddress", json()));
      });
      if (!ips) return ips;
      std::vector<json> vms;
      auto listed = Each("Microsoft.Compute/virtualMachines", "2024-07-01",
                         [&](const json& vm) { vms.push_back(vm); });
      if (!listed) return listed;
      std::vector<Found> page;
      for (const auto& vm : vms) {
        const std::string location = Lower(Text(vm.value("location", json())));
        if (!Wanted(location)) continue;
        if (auto known = sized_locations_.insert(location).second; known) {
          // vCPUs and memory of this location's sizes; without them the catalogue answers.
          (void)Each("Microsoft.Compute/locations/" + location + "/vmSizes", "2024-07-01",
                     [&](const json& size) {
                       lookups.sizes[location + "/" + Text(size.value("name", json()))] = {
                           size.value("numberOfCores", 0),
                           GibFromMib(size.value("memoryInMB", 0.0))};
                     });
        }
        page.push_back(VirtualMachine(vm, lookups));
        if (page.size() == 1000) {
          if (auto sent = sink(std::move(page)); !sent) return sent;
          page.clear();
        }
      }
      return sink(std::move(page));
    }
    struct Listing {
      std::string_view resource;
      const char* type;
      const char* version;
      Found (*translate)(const json&);
    };
    static const Listing kListings[] = {
        {"volumes-list", "Microsoft.Compute/disks", "2024-03-02", Disk},
        {"snapshot-list", "Microsoft.Compute/snapshots", "2024-03-02", SnapshotOf},
        {"images-list", "Microsoft.Compute/images", "2024-07-01", ImageOf},
        {"loadbalance-list", "Microsoft.Network/loadBalancers", "2024-05-01", LoadBalancer},
        {"dbs-list", "Microsoft.Sql/servers", "2023-08-01", SqlServer},
        {"network-list", "Microsoft.Network/virtualNetworks", "2024-05-01",
         [](const json& n) { return NetworkOf(n, "Vpc"); }},
        {"network-list", "Microsoft.Network/networkInterfaces", "2024-05-01",
         [](const json& n) { return NetworkOf(n, "NetworkInterface"); }},
        {"network-list", "Microsoft.Network/publicIPAddresses", "2024-05-01",
         [](const json& n) { return NetworkOf(n, "PublicIp"); }},
        {"network-list", "Microsoft.Network/routeTables", "2024-05-01",
         [](const json& n) { return NetworkOf(n, "RouteTable"); }},
    };
    bool known = false;
    for (const auto& listing : kListings) {
      if (listing.resource != resource) continue;
      known = true;
      std::vector<Found> page;
      Status sent;
      auto listed = Each(listing.type, listing.version, [&](const json& item) {
        if (!sent || !Wanted(Lower(Text(item.value("location", json()))))) return;
        page.push_back(listing.translate(item));
        if (page.size() == 1000) {
          sent = sink(std::move(page));
          page.clear();
        }
      });
      if (!sent) return sent;
      if (!listed) return listed;
      if (auto last = sink(std::move(page)); !last) return last;
    }
    if (!known) {
      return Fail(ErrorCode::kBadRequest,
                  fmt::format("{} of Azure is not available in this version", resource));
    }
    return {};
  }

 private:
  bool Wanted(const std::string& location) const {
    if (settings_.regions.empty() || location.empty()) return true;
    for (const auto& region : settings_.regions) {
      if (Lower(region) == location) return true;
    }
    return false;
  }

  Status Authenticate() {
    if (!token_.empty()) return {};
    const json& c = settings_.credentials;
    HttpCall call{
        .method = "POST",
        .url = fmt::format("{}/{}/oauth2/v2.0/token", login_, Text(c.value("tenant", json()))),
        .headers = {"Content-Type: application/x-www-form-urlencoded"},
        .body = fmt::format("grant_type=client_credentials&client_id={}&client_secret={}&scope={}",
                            PercentEncode(Text(c.value("client_id", json()))),
                            PercentEncode(Text(c.value("client_secret", json()))),
                            PercentEncode("https://management.azure.com/.default")),
        .timeout = settings_.timeout};
    auto reply = CallProvider(call, settings_, "Azure sign-in (client credentials)");
    if (!reply) {
      // Entra ID answers refused client credentials with 400 or 401: both are danger.
      if (reply.error().code == ErrorCode::kBadRequest) {
        return Fail(ErrorCode::kUnauthorized, reply.error().message);
      }
      return Fail(reply.error());
    }
    auto parsed = ParseJson(reply->body);
    if (!parsed || Text(parsed->value("access_token", json())).empty()) {
      return Fail(ErrorCode::kBadRequest, "Azure sign-in: the answer has no access_token");
    }
    token_ = (*parsed)["access_token"];
    return {};
  }

  Result<json> Get(const std::string& url, const std::string& what) {
    if (auto authenticated = Authenticate(); !authenticated) return Fail(authenticated.error());
    HttpCall call{.url = url,
                  .headers = {"Authorization: Bearer " + token_, "Accept: application/json"},
                  .timeout = settings_.timeout};
    auto reply = CallProvider(call, settings_, "Azure " + what);
    if (!reply) return Fail(reply.error());
    auto parsed = ParseJson(reply->body);
    if (!parsed || !parsed->is_object()) {
      return Fail(ErrorCode::kBadRequest, fmt::format("Azure {}: the answer is not JSON", what));
    }
    return std::move(*parsed);
  }

  // Every resource of `type` in the subscription, over all pages.
  template <typename Take>
  Status Each(const std::string& type, const char* version, Take take) {
    std::string url =
        fmt::format("{}/subscriptions/{}/providers/{}?api-version={}", arm_,
                    Text(settings_.credentials.value("subscription", json())), type, version);
    const std::string origin = OriginOf(url);
    for (int pages = 0; !url.empty(); ++pages) {
      if (pages > 100000) return Fail(ErrorCode::kBadRequest, "Azure paging never ends");
      auto page = Get(url, "list " + type);
      if (!page) return Fail(page.error());
      for (const auto& item : page->value("value", json::array())) {
        if (item.is_object()) take(item);
      }
      url = Text(page->value("nextLink", json()));
      if (!url.empty() && OriginOf(url) != origin) {
        return Fail(
            ErrorCode::kBadRequest,
            fmt::format("Azure list {}: the next page is on another host; not followed", type));
      }
    }
    return {};
  }

  const ConnectorSettings settings_;
  std::string login_;
  std::string arm_;
  std::string token_;
  std::set<std::string> sized_locations_;
};

}  // namespace

std::unique_ptr<Connector> MakeAzure(const ConnectorSettings& settings) {
  return std::make_unique<Azure>(settings);
}

}  // namespace maestro::discovery
