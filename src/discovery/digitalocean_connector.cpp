// DigitalOcean: the v2 API with a bearer token, 200 items a page, following links.pages.next
// (only on the same base URL: the token never goes elsewhere).
#include <fmt/format.h>

#include "common/json_util.h"
#include "discovery/connector_kit.h"

namespace maestro::discovery {
namespace {

using nlohmann::json;

constexpr std::string_view kBase = "https://api.digitalocean.com";

// DigitalOcean tags are plain text; "env:prod" becomes {key: env, value: prod}.
json Tags(const json& given) {
  json tags = json::array();
  for (const auto& tag : given.is_array() ? given : json::array()) {
    if (!tag.is_string()) continue;
    const std::string text = tag;
    const auto colon = text.find(':');
    if (colon == std::string::npos) {
      tags.push_back({{"key", text}});
    } else {
      tags.push_back({{"key", text.substr(0, colon)}, {"value", text.substr(colon + 1)}});
    }
  }
  return tags;
}

std::string IdText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number()) return value.dump();
  return "";
}

// Role and environment from tags (role:web, env:prod or environment:prod).
void RoleAndEnvironment(json& doc, const json& tags) {
  if (auto role = TagValue(tags, "role"); !role.empty()) doc["role"] = role;
  auto environment = TagValue(tags, "environment");
  if (environment.empty()) environment = TagValue(tags, "env");
  if (!environment.empty()) doc["environment"] = environment;
}

Found Droplet(const json& d) {
  const json tags = Tags(d.value("tags", json::array()));
  json doc = {{"hostname", Text(d.value("name", json()))},
              {"name", Text(d.value("name", json()))},
              {"tags", tags},
              {"datacenter",
               {{"region", Text(d.value("region", json::object()).value("slug", json()))},
                {"zone", Text(d.value("region", json::object()).value("slug", json()))},
                {"instance_type", Text(d.value("size_slug", json()))},
                {"instance_id", IdText(d.value("id", json()))},
                {"image_id", IdText(d.value("image", json::object()).value("id", json()))},
                {"type", "Virtual"}}}};
  if (d.value("vcpus", json()).is_number_integer()) doc["cpu"] = d["vcpus"];
  if (d.value("memory", json()).is_number()) doc["memory"] = GibFromMib(d["memory"].get<double>());
  json ipv6 = json::array();
  const json networks = d.value("networks", json::object());
  for (const auto& v4 : networks.value("v4", json::array())) {
    const std::string type = Text(v4.value("type", json()));
    const std::string ip = Text(v4.value("ip_address", json()));
    if (type == "private" && !doc.contains("ipv4_private")) doc["ipv4_private"] = ip;
    if (type == "public" && !doc.contains("ipv4_public")) doc["ipv4_public"] = ip;
  }
  for (const auto& v6 : networks.value("v6", json::array())) {
    if (auto ip = Text(v6.value("ip_address", json())); !ip.empty()) ipv6.push_back(ip);
  }
  if (!ipv6.empty()) doc["ipv6"] = ipv6;
  const json image = d.value("image", json::object());
  if (auto distribution = Text(image.value("distribution", json())); !distribution.empty()) {
    doc["os"] = {{"base", distribution == "FreeBSD" ? "FreeBSD" : "Linux"},
                 {"dist", distribution},
                 {"version", Text(image.value("name", json()))}};
  }
  json storage = json::array();
  if (d.value("disk", json()).is_number()) {
    storage.push_back({{"name", "root"}, {"root", true}, {"size", d["disk"]}});
  }
  for (const auto& volume : d.value("volume_ids", json::array())) {
    storage.push_back({{"name", IdText(volume)}, {"root", false}});
  }
  if (!storage.empty()) doc["storage"] = storage;
  RoleAndEnvironment(doc, tags);
  const std::string status = Text(d.value("status", json()));
  doc["status"] = status == "active" ? "Active" : status == "new" ? "Available" : "Stopped";
  return {.kind = "servers",
          .provider_id = IdText(d.value("id", json())),
          .doc = std::move(doc),
          .active = status != "archive"};
}

Found Volume(const json& v) {
  const bool attached = !v.value("droplet_ids", json::array()).empty();
  json doc = {
      {"name", Text(v.value("name", json()))},
      {"status", attached ? "Active" : "Available"},
      {"unique_id", IdText(v.value("id", json()))},
      {"tags", Tags(v.value("tags", json::array()))},
      {"datacenter", {{"region", Text(v.value("region", json::object()).value("slug", json()))}}}};
  if (v.value("size_gigabytes", json()).is_number()) doc["size"] = v["size_gigabytes"];
  if (auto type = Text(v.value("filesystem_type", json())); !type.empty())
    doc["volume_type"] = type;
  return {.kind = "volumes", .provider_id = IdText(v.value("id", json())), .doc = std::move(doc)};
}

Found Snapshot(const json& s) {
  json doc = {{"name", Text(s.value("name", json()))},
              {"status", "available"},
              {"unique_id", IdText(s.value("id", json()))},
              {"volume_id", IdText(s.value("resource_id", json()))},
              {"tags", Tags(s.value("tags", json::array()))}};
  if (s.value("size_gigabytes", json()).is_number()) doc["size"] = s["size_gigabytes"];
  if (auto at = Text(s.value("created_at", json())); !at.empty()) doc["started_at"] = at;
  const json regions = s.value("regions", json::array());
  if (!regions.empty() && regions[0].is_string()) doc["datacenter"] = {{"region", regions[0]}};
  return {.kind = "snapshots", .provider_id = IdText(s.value("id", json())), .doc = std::move(doc)};
}

Found Image(const json& i) {
  json doc = {{"name", Text(i.value("name", json()))},
              {"image_type", Text(i.value("type", json()))},
              {"platform", Text(i.value("distribution", json()))},
              {"state", Text(i.value("status", json()))},
              {"public", i.value("public", false)},
              {"unique_id", IdText(i.value("id", json()))},
              {"tags", Tags(i.value("tags", json::array()))}};
  if (i.value("size_gigabytes", json()).is_number()) doc["size"] = i["size_gigabytes"];
  return {.kind = "images", .provider_id = IdText(i.value("id", json())), .doc = std::move(doc)};
}

json Application(const json& item, std::string name, std::string family, std::string status,
                 std::string region) {
  json doc = {{"name", std::move(name)},     {"family", std::move(family)},
              {"provider", "DigitalOcean"},  {"own", true},
              {"status", std::move(status)}, {"tags", Tags(item.value("tags", json::array()))}};
  if (!region.empty()) doc["datacenter"] = {{"region", region}};
  return doc;
}

Found LoadBalancer(const json& lb) {
  json doc = Application(lb, Text(lb.value("name", json())), "Loadbalance",
                         Text(lb.value("status", json())),
                         Text(lb.value("region", json::object()).value("slug", json())));
  doc["role"] = {{"endpoint", Text(lb.value("ip", json()))}};
  const json rules = lb.value("forwarding_rules", json::array());
  if (!rules.empty() && rules[0].value("entry_port", json()).is_number_integer()) {
    doc["role"]["port"] = rules[0]["entry_port"];
  }
  return {
      .kind = "applications", .provider_id = IdText(lb.value("id", json())), .doc = std::move(doc)};
}

Found Cdn(const json& endpoint) {
  json doc = Application(endpoint, Text(endpoint.value("endpoint", json())), "CDN", "active", "");
  doc["role"] = {{"endpoint", Text(endpoint.value("endpoint", json()))}};
  doc["description"] = "Origin: " + Text(endpoint.value("origin", json()));
  return {.kind = "applications",
          .provider_id = IdText(endpoint.value("id", json())),
          .doc = std::move(doc)};
}

Found Kubernetes(const json& cluster) {
  json doc = Application(cluster, Text(cluster.value("name", json())), "ContainerOrchestration",
                         Text(cluster.value("status", json::object()).value("state", json())),
                         Text(cluster.value("region", json())));
  doc["role"] = {{"endpoint", Text(cluster.value("endpoint", json()))}};
  doc["cluster"] = Text(cluster.value("version", json()));
  return {.kind = "applications",
          .provider_id = IdText(cluster.value("id", json())),
          .doc = std::move(doc)};
}

Found Firewall(const json& firewall) {
  json doc = {{"name", Text(firewall.value("name", json()))},
              {"family", "Firewall"},
              {"unique_id", IdText(firewall.value("id", json()))},
              {"rules",
               {{"inbound", firewall.value("inbound_rules", json::array())},
                {"outbound", firewall.value("outbound_rules", json::array())},
                {"droplet_ids", firewall.value("droplet_ids", json::array())}}},
              {"tags", Tags(firewall.value("tags", json::array()))}};
  return {.kind = "networks",
          .provider_id = IdText(firewall.value("id", json())),
          .doc = std::move(doc)};
}

struct Listing {
  std::string_view path;  // with its query
  std::string_view key;   // the list in the reply
  Found (*translate)(const json&);
};

const std::map<std::string_view, Listing>& Listings() {
  static const std::map<std::string_view, Listing> listings = {
      {"server-list", {"/v2/droplets", "droplets", Droplet}},
      {"volumes-list", {"/v2/volumes", "volumes", Volume}},
      {"snapshot-list", {"/v2/snapshots", "snapshots", Snapshot}},
      {"images-list", {"/v2/images?private=true", "images", Image}},
      {"loadbalance-list", {"/v2/load_balancers", "load_balancers", LoadBalancer}},
      {"cdns-list", {"/v2/cdn/endpoints", "endpoints", Cdn}},
      {"container-orchestration-list",
       {"/v2/kubernetes/clusters", "kubernetes_clusters", Kubernetes}},
      {"network-list", {"/v2/firewalls", "firewalls", Firewall}},
  };
  return listings;
}

class DigitalOcean : public Connector {
 public:
  explicit DigitalOcean(ConnectorSettings settings)
      : settings_(std::move(settings)),
        base_(settings_.endpoint.empty() ? std::string(kBase) : settings_.endpoint) {
    while (base_.ends_with('/')) base_.pop_back();
  }

  Result<std::string> Test() override {
    auto account = Get(base_ + "/v2/account", "GET /v2/account");
    if (!account) return Fail(account.error());
    const json info = account->value("account", json::object());
    return fmt::format("DigitalOcean account {} ({})", Text(info.value("email", json())),
                       Text(info.value("status", json())));
  }

  std::vector<std::string> Regions(const std::vector<std::string>&) const override {
    return {""};  // one listing of the account, filtered by the connection's regions
  }

  Status List(std::string_view resource, const std::string&, const PageSink& sink) override {
    auto listing = Listings().find(resource);
    if (listing == Listings().end()) {
      return Fail(ErrorCode::kBadRequest, fmt::format("DigitalOcean has no {}", resource));
    }
    const std::string_view path = listing->second.path;
    std::string url = base_ + std::string(path) +
                      (path.find('?') == std::string_view::npos ? "?" : "&") + "per_page=200";
    for (int pages = 0; !url.empty(); ++pages) {
      if (pages > 100000) return Fail(ErrorCode::kBadRequest, "DigitalOcean paging never ends");
      auto reply = Get(url, fmt::format("GET {}", path));
      if (!reply) return Fail(reply.error());
      const json items = reply->value(std::string(listing->second.key), json::array());
      if (!items.is_array()) {
        return Fail(ErrorCode::kBadRequest,
                    fmt::format("GET {}: the reply has no {} list", path, listing->second.key));
      }
      std::vector<Found> page;
      for (const auto& item : items) {
        if (!item.is_object()) continue;
        Found found = listing->second.translate(item);
        // The connection's regions filter what is listed (DigitalOcean lists every region).
        if (!Wanted(found)) continue;
        page.push_back(std::move(found));
      }
      if (auto sent = sink(std::move(page)); !sent) return sent;
      url = Text(reply->value("links", json::object())
                     .value("pages", json::object())
                     .value("next", json()));
      if (!url.empty() && !url.starts_with(base_ + "/")) {
        return Fail(ErrorCode::kBadRequest,
                    fmt::format("GET {}: the next page is on another host; not followed", path));
      }
    }
    return {};
  }

 private:
  bool Wanted(const Found& found) const {
    const std::string at =
        Text(found.doc.value("datacenter", json::object()).value("region", json()));
    if (settings_.regions.empty() || at.empty()) return true;
    return std::find(settings_.regions.begin(), settings_.regions.end(), at) !=
           settings_.regions.end();
  }

  Result<json> Get(const std::string& url, const std::string& what) {
    HttpCall call{.url = url,
                  .headers = {"Authorization: Bearer " + Text(settings_.credentials["token"]),
                              "Accept: application/json"},
                  .timeout = settings_.timeout};
    auto reply = CallProvider(call, settings_, "DigitalOcean " + what);
    if (!reply) return Fail(reply.error());
    auto parsed = ParseJson(reply->body);
    if (!parsed || !parsed->is_object()) {
      return Fail(ErrorCode::kBadRequest,
                  fmt::format("DigitalOcean {}: the reply is not JSON", what));
    }
    return std::move(*parsed);
  }

  const ConnectorSettings settings_;
  std::string base_;
};

}  // namespace

std::unique_ptr<Connector> MakeDigitalOcean(const ConnectorSettings& settings) {
  return std::make_unique<DigitalOcean>(settings);
}

}  // namespace maestro::discovery
