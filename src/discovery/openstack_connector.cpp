// OpenStack: Keystone v3 password authentication scoped to the project, then each service at the
// public endpoint of the service catalogue (of the region, when the connection names regions):
// Nova (servers with their flavor's vCPUs and memory, flavors), Glance (images), Cinder
// (volumes, snapshots), Neutron (security groups, networks, subnets, ports, routers) and Octavia
// (load balancers). Lists follow their `*_links` / `next` links; a link to another host is not
// followed (the token goes to the catalogue's hosts only).
#include <fmt/format.h>

#include <map>

#include "common/json_util.h"
#include "discovery/connector_kit.h"

namespace maestro::discovery {
namespace {

using nlohmann::json;

json MetadataTags(const json& metadata) {
  json tags = json::array();
  if (!metadata.is_object()) return tags;
  for (const auto& [key, value] : metadata.items()) {
    tags.push_back(
        {{"key", key}, {"value", value.is_string() ? value.get<std::string>() : value.dump()}});
  }
  return tags;
}

std::string StatusOf(const std::string& status) {
  if (status == "REBOOT" || status == "HARD_REBOOT" || status == "BUILD") return "Available";
  if (status == "STOPPED" || status == "SHUTOFF" || status == "SUSPENDED" || status == "PAUSED") {
    return "Stopped";
  }
  return "Active";
}

Found Server(const json& s, const std::map<std::string, json>& flavors) {
  const std::string id = Text(s.value("id", json()));
  json doc = {{"hostname", Text(s.value("name", json()))},
              {"name", Text(s.value("name", json()))},
              {"tags", MetadataTags(s.value("metadata", json::object()))},
              {"datacenter",
               {{"zone", Text(s.value("OS-EXT-AZ:availability_zone", json()))},
                {"instance_id", id},
                {"image_id", Text(s.value("image", json::object()).value("id", json()))},
                {"type", "Virtual"}}}};
  const json metadata = s.value("metadata", json::object());
  for (const char* key : {"role", "environment"}) {
    if (auto value = Text(metadata.value(key, json())); !value.empty()) doc[key] = value;
  }
  json ipv6 = json::array();
  const json networks = s.value("addresses", json::object());
  for (const auto& [network, addresses] : networks.items()) {
    for (const auto& address : addresses) {
      const std::string ip = Text(address.value("addr", json()));
      if (address.value("version", 4) == 6) {
        ipv6.push_back(ip);
      } else if (Text(address.value("OS-EXT-IPS:type", json())) == "floating") {
        if (!doc.contains("ipv4_public")) doc["ipv4_public"] = ip;
      } else if (!doc.contains("ipv4_private")) {
        doc["ipv4_private"] = ip;
      }
    }
  }
  if (!ipv6.empty()) doc["ipv6"] = ipv6;
  // The flavor: embedded (microversion 2.47 and later) or by id from the flavor list.
  json flavor = s.value("flavor", json::object());
  if (!flavor.contains("vcpus")) {
    auto found = flavors.find(Text(flavor.value("id", json())));
    if (found != flavors.end()) flavor = found->second;
  }
  if (flavor.value("vcpus", json()).is_number_integer()) doc["cpu"] = flavor["vcpus"];
  if (flavor.value("ram", json()).is_number())
    doc["memory"] = GibFromMib(flavor["ram"].get<double>());
  std::string flavor_name = Text(flavor.value("original_name", json()));
  if (flavor_name.empty()) flavor_name = Text(flavor.value("name", json()));
  if (!flavor_name.empty()) doc["datacenter"]["instance_type"] = flavor_name;
  if (auto key = Text(s.value("key_name", json())); !key.empty()) {
    doc["auth"] = json::array({{{"name", key}, {"type", "PKI"}}});
  }
  const std::string status = Text(s.value("status", json()));
  doc["status"] = StatusOf(status);
  return {.kind = "servers",
          .provider_id = id,
          .doc = std::move(doc),
          .active = status != "DELETED" && status != "ERROR" && status != "SOFT_DELETED" &&
                    status != "UNKNOWN"};
}

Found Flavor(const json& f) {
  json doc = {{"name", Text(f.value("name", json()))},
              {"provider", "OpenStack"},
              {"api_name", Text(f.value("id", json()))},
              {"public", f.value("os-flavor-access:is_public", true)}};
  if (f.value("vcpus", json()).is_number_integer()) doc["vcpus"] = f["vcpus"];
  if (f.value("ram", json()).is_number()) doc["memory"] = GibFromMib(f["ram"].get<double>());
  if (f.value("disk", json()).is_number()) doc["disk"] = f["disk"];
  return {.kind = "flavors", .provider_id = Text(f.value("id", json())), .doc = std::move(doc)};
}

Found Image(const json& i) {
  const std::string id = Text(i.value("id", json()));
  std::string name = Text(i.value("name", json()));
  json doc = {{"name", name.empty() ? id : name},
              {"unique_id", id},
              {"state", Text(i.value("status", json()))},
              {"public", Text(i.value("visibility", json())) == "public"},
              {"image_type", Text(i.value("disk_format", json()))}};
  if (auto distro = Text(i.value("os_distro", json())); !distro.empty()) doc["platform"] = distro;
  if (auto arch = Text(i.value("architecture", json())); !arch.empty()) doc["architecture"] = arch;
  if (i.value("size", json()).is_number()) {
    doc["size"] = std::round(i["size"].get<double>() / 1e9 * 100) / 100;  // GB
  }
  json tags = json::array();
  for (const auto& tag : i.value("tags", json::array())) {
    if (tag.is_string()) tags.push_back({{"key", tag}});
  }
  doc["tags"] = tags;
  return {.kind = "images", .provider_id = id, .doc = std::move(doc)};
}

Found Volume(const json& v) {
  const std::string id = Text(v.value("id", json()));
  const std::string status = Text(v.value("status", json()));
  std::string name = Text(v.value("name", json()));
  json doc = {{"name", name.empty() ? id : name},
              {"unique_id", id},
              {"status", status == "in-use" || status == "creating" ? "Active"
                         : status == "available"                    ? "Available"
                         : status == "deleting"                     ? "Deleted"
                         : status.starts_with("error")              ? "Error"
                                                                    : "Active"},
              {"tags", MetadataTags(v.value("metadata", json::object()))},
              {"datacenter", {{"zone", Text(v.value("availability_zone", json()))}}}};
  if (v.value("size", json()).is_number()) doc["size"] = v["size"];
  if (auto type = Text(v.value("volume_type", json())); !type.empty()) doc["volume_type"] = type;
  if (v.value("encrypted", json()).is_boolean()) doc["encrypted"] = v["encrypted"];
  if (auto snapshot = Text(v.value("snapshot_id", json())); !snapshot.empty()) {
    doc["snapshot_id"] = snapshot;
  }
  for (const auto& attachment : v.value("attachments", json::array())) {
    if (auto server = Text(attachment.value("server_id", json())); !server.empty()) {
      doc["tags"].push_back({{"key", "attached_to"}, {"value", server}});
    }
  }
  return {.kind = "volumes",
          .provider_id = id,
          .doc = std::move(doc),
          .active = status != "deleting" && !status.starts_with("error")};
}

Found Snapshot(const json& s) {
  const std::string id = Text(s.value("id", json()));
  std::string name = Text(s.value("name", json()));
  json doc = {{"name", name.empty() ? id : name},
              {"unique_id", id},
              {"volume_id", Text(s.value("volume_id", json()))},
              {"status", Text(s.value("status", json()))},
              {"tags", MetadataTags(s.value("metadata", json::object()))}};
  if (s.value("size", json()).is_number()) doc["size"] = s["size"];
  if (auto at = Text(s.value("created_at", json())); !at.empty()) {
    doc["started_at"] = at.ends_with('Z') || at.find('+') != std::string::npos ? at : at + "Z";
  }
  if (auto progress = Text(s.value("os-extended-snapshot-attributes:progress", json()));
      !progress.empty()) {
    doc["progress"] = progress;
  }
  return {.kind = "snapshots", .provider_id = id, .doc = std::move(doc)};
}

Found NetworkThing(const json& n, const char* family, json rules = nullptr) {
  const std::string id = Text(n.value("id", json()));
  std::string name = Text(n.value("name", json()));
  json doc = {{"name", name.empty() ? id : name}, {"family", family}, {"unique_id", id}};
  if (auto cidr = Text(n.value("cidr", json())); !cidr.empty()) doc["cidr"] = cidr;
  if (!rules.is_null()) doc["rules"] = std::move(rules);
  json tags = json::array();
  for (const auto& tag : n.value("tags", json::array())) {
    if (tag.is_string()) tags.push_back({{"key", tag}});
  }
  doc["tags"] = tags;
  return {.kind = "networks", .provider_id = id, .doc = std::move(doc)};
}

Found LoadBalancer(const json& lb) {
  const std::string id = Text(lb.value("id", json()));
  std::string name = Text(lb.value("name", json()));
  json doc = {{"name", name.empty() ? id : name},
              {"family", "Loadbalance"},
              {"provider", "Octavia (OpenStack)"},
              {"own", true},
              {"status", Text(lb.value("operating_status", json()))},
              {"role", {{"endpoint", Text(lb.value("vip_address", json()))}}},
              {"description", Text(lb.value("description", json()))},
              {"datacenter", {{"zone", Text(lb.value("availability_zone", json()))}}}};
  const std::string provisioning = Text(lb.value("provisioning_status", json()));
  return {.kind = "applications",
          .provider_id = id,
          .doc = std::move(doc),
          .active = provisioning != "DELETED" && provisioning != "ERROR"};
}

class OpenStack : public Connector {
 public:
  explicit OpenStack(ConnectorSettings settings) : settings_(std::move(settings)) {}

  Result<std::string> Test() override {
    if (auto authenticated = Authenticate(); !authenticated) return Fail(authenticated.error());
    return fmt::format("OpenStack project {} as {} ({} services in the catalogue)",
                       Text(settings_.credentials.value("project", json())),
                       Text(settings_.credentials.value("username", json())), catalog_.size());
  }

  Status List(std::string_view resource, const std::string& region, const PageSink& sink) override {
    if (auto authenticated = Authenticate(); !authenticated) return authenticated;
    if (resource == "server-list") {
      auto compute = Endpoint({"compute"}, region);
      if (!compute) return Fail(compute.error());
      std::map<std::string, json> flavors;
      auto listed = Pages(*compute + "/flavors/detail", "flavors", [&](const json& f) {
        flavors[Text(f.value("id", json()))] = f;
        return true;
      });
      if (!listed) return listed;
      return Each(*compute + "/servers/detail?limit=1000", "servers", sink,
                  [&](const json& s) { return Server(s, flavors); });
    }
    if (resource == "flavor-list") {
      auto compute = Endpoint({"compute"}, region);
      if (!compute) return Fail(compute.error());
      return Each(*compute + "/flavors/detail", "flavors", sink, Flavor);
    }
    if (resource == "images-list") {
      auto image = Endpoint({"image"}, region);
      if (!image) return Fail(image.error());
      return Each(*image + "/v2/images?limit=1000", "images", sink, Image);
    }
    if (resource == "volumes-list" || resource == "snapshot-list") {
      auto storage = Endpoint({"block-storage", "volumev3", "volumev2"}, region);
      if (!storage) return Fail(storage.error());
      if (resource == "volumes-list") {
        return Each(*storage + "/volumes/detail?limit=1000", "volumes", sink, Volume);
      }
      return Each(*storage + "/snapshots/detail?limit=1000", "snapshots", sink, Snapshot);
    }
    if (resource == "security-list" || resource == "network-list") {
      auto network = Endpoint({"network"}, region);
      if (!network) return Fail(network.error());
      if (resource == "security-list") {
        return Each(*network + "/v2.0/security-groups", "security_groups", sink, [](const json& g) {
          return NetworkThing(g, "SecurityGroup",
                              {{"inbound", g.value("security_group_rules", json::array())},
                               {"description", Text(g.value("description", json()))}});
        });
      }
      const std::pair<const char*, const char*> kinds[] = {
          {"networks", "Vpc"}, {"subnets", "Subnet"}, {"ports", "Port"}, {"routers", "Router"}};
      for (const auto& [list, family] : kinds) {
        auto listed = Each(*network + "/v2.0/" + list, list, sink,
                           [family = family](const json& n) { return NetworkThing(n, family); });
        if (!listed) return listed;
      }
      return {};
    }
    if (resource == "loadbalance-list") {
      auto balancer = Endpoint({"load-balancer"}, region);
      if (!balancer) return Fail(balancer.error());
      return Each(*balancer + "/v2/lbaas/loadbalancers", "loadbalancers", sink, LoadBalancer);
    }
    return Fail(ErrorCode::kBadRequest,
                fmt::format("{} of OpenStack is not available in this version", resource));
  }

 private:
  Status Authenticate() {
    if (!token_.empty()) return {};
    const json& c = settings_.credentials;
    std::string url = Text(c.value("auth_url", json()));
    while (url.ends_with('/')) url.pop_back();
    if (!url.ends_with("/v3")) url += "/v3";
    const std::string domain =
        Text(c.value("user_domain", json())).empty() ? "Default" : Text(c["user_domain"]);
    const json body = {
        {"auth",
         {{"identity",
           {{"methods", {"password"}},
            {"password",
             {{"user",
               {{"name", Text(c.value("username", json()))},
                {"domain", {{"name", domain}}},
                {"password", Text(c.value("password", json()))}}}}}}},
          {"scope",
           {{"project",
             {{"name", Text(c.value("project", json()))}, {"domain", {{"name", domain}}}}}}}}}};
    HttpCall call{.method = "POST",
                  .url = url + "/auth/tokens",
                  .headers = {"Content-Type: application/json", "Accept: application/json"},
                  .body = body.dump(),
                  .timeout = settings_.timeout};
    auto reply = CallProvider(call, settings_, "OpenStack Keystone POST /v3/auth/tokens");
    if (!reply) return Fail(reply.error());
    token_ = reply->Header("x-subject-token");
    if (token_.empty()) {
      return Fail(ErrorCode::kBadRequest,
                  "OpenStack Keystone: no X-Subject-Token in the answer; is auth_url a Keystone "
                  "v3 endpoint?");
    }
    auto parsed = ParseJson(reply->body);
    if (!parsed) return Fail(ErrorCode::kBadRequest, "OpenStack Keystone: the answer is not JSON");
    catalog_ = parsed->value("token", json::object()).value("catalog", json::array());
    return {};
  }

  // The public URL of the first service of `types` in the catalogue (of `region` when given).
  Result<std::string> Endpoint(std::initializer_list<std::string_view> types,
                               const std::string& region) {
    for (auto type : types) {
      for (const auto& service : catalog_) {
        if (Text(service.value("type", json())) != type) continue;
        for (const auto& endpoint : service.value("endpoints", json::array())) {
          if (Text(endpoint.value("interface", json())) != "public") continue;
          const std::string at =
              Text(endpoint.value("region_id", endpoint.value("region", json())));
          if (!region.empty() && at != region) continue;
          std::string url = Text(endpoint.value("url", json()));
          while (url.ends_with('/')) url.pop_back();
          return url;
        }
      }
    }
    return Fail(ErrorCode::kBadRequest,
                fmt::format("OpenStack: no public {} endpoint{} in the service catalogue",
                            *types.begin(), region.empty() ? "" : " in region " + region));
  }

  // Every item of `key` over all pages, given to `take` (false stops).
  template <typename Take>
  Status Pages(std::string url, const std::string& key, Take take) {
    const std::string origin = OriginOf(url);
    for (int pages = 0; !url.empty(); ++pages) {
      if (pages > 100000) return Fail(ErrorCode::kBadRequest, "OpenStack paging never ends");
      HttpCall call{.url = url,
                    .headers = {"X-Auth-Token: " + token_, "Accept: application/json"},
                    .timeout = settings_.timeout};
      const std::string path = url.substr(origin.size());
      auto reply = CallProvider(call, settings_, "OpenStack GET " + path.substr(0, path.find('?')));
      if (!reply) return Fail(reply.error());
      auto parsed = ParseJson(reply->body);
      if (!parsed || !parsed->is_object() || !(*parsed)[key].is_array()) {
        return Fail(ErrorCode::kBadRequest,
                    fmt::format("OpenStack GET {}: the answer has no {} list", path, key));
      }
      for (const auto& item : (*parsed)[key]) {
        if (item.is_object() && !take(item)) return {};
      }
      url.clear();
      for (const auto& link : parsed->value(key + "_links", json::array())) {
        if (Text(link.value("rel", json())) == "next") url = Text(link.value("href", json()));
      }
      if (url.empty()) url = Text(parsed->value("next", json()));  // Glance
      if (!url.empty() && url.starts_with('/')) url = origin + url;
      if (!url.empty() && OriginOf(url) != origin) {
        return Fail(
            ErrorCode::kBadRequest,
            fmt::format("OpenStack GET {}: the next page is on another host; not followed", path));
      }
    }
    return {};
  }

  // Every item of `key`, translated, a page at a time.
  template <typename Translate>
  Status Each(const std::string& url, const std::string& key, const PageSink& sink,
              Translate translate) {
    std::vector<Found> page;
    Status sent;
    auto listed = Pages(url, key, [&](const json& item) {
      page.push_back(translate(item));
      if (page.size() < 1000) return true;
      sent = sink(std::move(page));
      page.clear();
      return sent.has_value();
    });
    if (!sent) return sent;
    if (!listed) return listed;
    return sink(std::move(page));
  }

  const ConnectorSettings settings_;
  std::string token_;
  json catalog_ = json::array();
};

}  // namespace

std::unique_ptr<Connector> MakeOpenStack(const ConnectorSettings& settings) {
  return std::make_unique<OpenStack>(settings);
}

}  // namespace maestro::discovery
