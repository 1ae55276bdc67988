// The inventory kinds of DATA-MODEL.md, as data. To add a kind, add a definition here.
#include "inventory/registry.h"

namespace maestro::inventory {
namespace {

FieldSpec Scalar(std::string name, FieldType type, std::size_t max = 255) {
  return FieldSpec{.name = std::move(name), .type = type, .max = max};
}
FieldSpec Str(std::string name, std::size_t max = 255) {
  return Scalar(std::move(name), FieldType::kString, max);
}
FieldSpec Text(std::string name) { return Scalar(std::move(name), FieldType::kText, 10000); }
FieldSpec Int(std::string name) { return Scalar(std::move(name), FieldType::kInt); }
FieldSpec Num(std::string name) { return Scalar(std::move(name), FieldType::kNumber); }
FieldSpec Bool(std::string name) { return Scalar(std::move(name), FieldType::kBool); }
FieldSpec Time(std::string name) { return Scalar(std::move(name), FieldType::kTime); }
FieldSpec Ip(std::string name) { return Scalar(std::move(name), FieldType::kIp); }
FieldSpec Json(std::string name) { return Scalar(std::move(name), FieldType::kJson); }
FieldSpec Enum(std::string name, std::vector<std::string> values) {
  return FieldSpec{.name = std::move(name), .type = FieldType::kEnum, .values = std::move(values)};
}
FieldSpec Obj(std::string name, std::vector<FieldSpec> fields, bool open = false) {
  return FieldSpec{.name = std::move(name),
                   .type = FieldType::kObject,
                   .fields = std::move(fields),
                   .open = open};
}
FieldSpec ListOf(std::string name, FieldType item, std::size_t max = 100) {
  return FieldSpec{.name = std::move(name), .type = FieldType::kList, .max = max, .item = item};
}
FieldSpec ListOfObj(std::string name, std::vector<FieldSpec> fields, std::size_t max = 100) {
  return FieldSpec{.name = std::move(name),
                   .type = FieldType::kList,
                   .max = max,
                   .fields = std::move(fields),
                   .item = FieldType::kObject};
}
FieldSpec Ref(std::string name, std::string kind) {
  return FieldSpec{.name = std::move(name), .type = FieldType::kRef, .ref_kind = std::move(kind)};
}
FieldSpec Labelled(FieldSpec field, std::string label) {
  field.label = std::move(label);
  return field;
}
FieldSpec Required(FieldSpec field) {
  field.required = true;
  return field;
}

// Shared sub-objects (DATA-MODEL.md).
FieldSpec Tags() { return ListOfObj("tags", {Required(Str("key", 128)), Str("value", 1024)}, 200); }
FieldSpec Datacenter() {
  return Obj("datacenter",
             {Ref("id", "datacenters"), Str("region"), Str("zone"), Str("instance_type"),
              Str("instance_id"), Str("image_id"), Str("subnet_id"), Str("type")},
             /*open=*/true);
}
FieldSpec Contacts() { return ListOfObj("contacts", {Required(Str("channel", 60)), Str("value")}); }
FieldSpec Auth() {
  return ListOfObj("auth", {Str("name"), Enum("type", {"PKI", "AD", "LDAP", "Password", "SAML"}),
                            Str("username")});
}
FieldSpec Deploy() { return ListOfObj("deploy", {Str("type"), Str("provider"), Text("notes")}); }
FieldSpec Services() {
  return ListOfObj("services",
                   {Required(Str("name")), Str("status"), Str("version"), Json("configs")}, 500);
}

const std::vector<std::string> kFamilies = {"Application",   "Loadbalance",
                                            "Database",      "Broker",
                                            "Cache",         "CDN",
                                            "ObjectStorage", "Serverless",
                                            "ApiGateway",    "ContainerOrchestration",
                                            "ServiceMesh",   "ServiceDiscovery",
                                            "Monitor",       "Logs",
                                            "SMTP",          "VPN",
                                            "CI/CD",         "DNS",
                                            "Repository",    "Auth",
                                            "NAS",           "AutoScaling",
                                            "Corporate"};

Registry Build() {
  Registry registry;
  registry.Add({
      .kind = "datacenters",
      .label = "Datacenters",
      .name_field = "name",
      .fields = {Required(Str("name")), Required(Str("provider", 60)),
                 ListOf("regions", FieldType::kString, 500),
                 ListOf("zones", FieldType::kString, 2000), Text("description"), Tags()},
      .search_fields = {"name", "provider"},
      .list_fields = {"name", "provider", "regions"},
  });
  registry.Add({
      .kind = "servers",
      .label = "Servers",
      .name_field = "hostname",
      .fields = {Required(Str("hostname")), Str("name"), Ip("ipv4_private"), Ip("ipv4_public"),
                 ListOf("ipv6", FieldType::kIp, 50), Str("dns_private"), Str("dns_public"),
                 Obj("os",
                     {Enum("base", {"Linux", "Windows", "Solaris", "FreeBSD", "MacOS", "Other"}),
                      Str("dist"), Str("version")}),
                 Int("cpu"), Num("memory"),
                 ListOfObj("storage",
                           {Str("name"), Str("mount"), Num("size"), Bool("root"),
                            Str("device_name"), Str("fs_type"), Ref("volume", "volumes")}),
                 Str("environment", 60), Str("role", 60),
                 Enum("status", {"Active", "Available", "Stopped"}), Datacenter(), Auth(),
                 Services(), Tags(), Json("metas")},
      .search_fields = {"hostname", "name", "ipv4_private", "ipv4_public", "dns_private",
                        "dns_public"},
      .list_fields = {"hostname", "ipv4_private", "environment", "role", "os", "status"},
      .duplicate_keys = {"hostname", "ipv4_private"},
      .key_scope = "datacenter.id",
      .groups = {{.label = "OS", .fields = {"os", "cpu", "memory"}},
                 {.label = "Storage", .fields = {"storage"}},
                 {.label = "Datacenter", .fields = {"datacenter"}},
                 {.label = "Auth", .fields = {"auth"}},
                 {.label = "Services", .fields = {"services"}},
                 {.label = "Applications", .fields = {"applications"}}},
  });
  registry.Add({
      .kind = "applications",
      .label = "Applications",
      .name_field = "name",
      .fields = {Required(Str("name")), Required(Enum("family", kFamilies)), Text("description"),
                 Str("environment", 60), Str("language", 60), Str("cluster"),
                 Obj("role", {Str("endpoint", 2000), Str("path", 2000), Str("command", 2000),
                              Str("healthcheck", 2000), Int("port")}),
                 Str("provider"), Bool("own"), Deploy(), Str("status", 60), Datacenter(),
                 Obj("database",
                     {Str("engine", 60), Str("version", 60), Str("type", 60), Str("role", 60),
                      Str("cluster"),
                      Obj("oracle", {Str("storage"), ListOf("asm_groups", FieldType::kString),
                                     ListOf("cdbs", FieldType::kString), Bool("rac")}),
                      Obj("mysql", {Str("mode", 60), Str("replication", 60)})}),
                 Tags()},
      .search_fields = {"name", "provider", "cluster"},
      .list_fields = {"name", "family", "environment", "provider", "status"},
      .groups = {{.label = "Spec", .fields = {"role", "language", "cluster", "provider", "own"}},
                 {.label = "Database",
                  .fields = {"database"},
                  .when_field = "family",
                  .when_values = {"Database"}},
                 {.label = "Targets",
                  .fields = {"targets"},
                  .when_field = "family",
                  .when_values = {"Loadbalance"}},
                 {.label = "Servers", .fields = {"servers"}},
                 {.label = "Systems", .fields = {"systems"}},
                 {.label = "Dependencies", .fields = {"deps"}},
                 {.label = "Deploy", .fields = {"deploy", "datacenter"}}},
  });
  registry.Add({
      .kind = "systems",
      .label = "Systems",
      .name_field = "name",
      .fields = {Required(Str("name")), Text("description"),
                 ListOfObj("links", {Str("name"), Required(Str("url", 2000))}), Tags()},
      .search_fields = {"name"},
      .list_fields = {"name", "description"},
      .groups = {{.label = "Clients", .fields = {"clients"}},
                 {.label = "Entry points", .fields = {"entries"}},
                 {.label = "Applications", .fields = {"applications"}}},
  });
  registry.Add({
      .kind = "clients",
      .label = "Clients",
      .name_field = "name",
      .fields = {Required(Str("name")), Text("description"), Contacts(), Tags()},
      .search_fields = {"name"},
      .list_fields = {"name", "description"},
      .groups = {{.label = "Contacts", .fields = {"contacts"}},
                 {.label = "Systems", .fields = {"systems"}}},
  });
  registry.Add({
      .kind = "services",
      .label = "Services",
      .name_field = "name",
      .fields = {Required(Str("name")), ListOf("family", FieldType::kString, 20),
                 ListOf("tags", FieldType::kString, 50)},
      .search_fields = {"name"},
      .list_fields = {"name", "family"},
      .default_sort = "name",
      .unique_field = "name",
  });
  registry.Add({
      .kind = "volumes",
      .label = "Volumes",
      .name_field = "name",
      .fields = {Required(Str("name")), Num("size"),
                 Enum("status", {"Active", "Available", "Stopped", "Deleted", "Error"}),
                 Str("volume_type", 60), Int("iops"), Bool("encrypted"),
                 Ref("attached_to", "servers"), Str("snapshot_id"), Datacenter(), Str("unique_id"),
                 Tags()},
      .search_fields = {"name", "unique_id"},
      .list_fields = {"name", "size", "status", "volume_type"},
  });
  registry.Add({
      .kind = "snapshots",
      .label = "Snapshots",
      .name_field = "name",
      .fields = {Required(Str("name")), Num("size"), Str("volume_id"), Str("status", 60),
                 Bool("encrypted"), Time("started_at"), Str("progress", 60), Datacenter(),
                 Str("unique_id"), Tags()},
      .search_fields = {"name", "unique_id", "volume_id"},
      .list_fields = {"name", "size", "status", "started_at"},
  });
  registry.Add({
      .kind = "images",
      .label = "Images",
      .name_field = "name",
      .fields = {Required(Str("name")), Str("image_type", 60), Str("platform", 60),
                 Str("architecture", 60), Str("state", 60), Bool("public"), Num("size"),
                 Datacenter(), Str("unique_id"), Tags()},
      .search_fields = {"name", "unique_id"},
      .list_fields = {"name", "platform", "architecture", "state"},
  });
  registry.Add({
      .kind = "flavors",
      .label = "Flavors",
      .name_field = "name",
      .fields = {Required(Str("name")), Str("provider", 60), Labelled(Int("vcpus"), "vCPUs"),
                 Labelled(Num("memory"), "Memory (GiB)"), Labelled(Num("disk"), "Disk (GB)"),
                 Labelled(Str("api_name"), "API name"), Bool("public"), Datacenter()},
      .search_fields = {"name", "api_name"},
      .list_fields = {"name", "provider", "vcpus", "memory"},
  });
  registry.Add({
      .kind = "networks",
      .label = "Networks",
      .name_field = "name",
      .fields = {Required(Str("name")),
                 Enum("family", {"Vpc", "Subnet", "SecurityGroup", "RouteTable", "NatGateway",
                                 "NetworkAcl", "NetworkInterface", "VpcPeering", "VpcEndpoint",
                                 "VpnGateway", "Router", "Port", "Firewall", "PublicIp"}),
                 Str("cidr", 60), Datacenter(), Str("unique_id"), Json("rules"), Tags()},
      .search_fields = {"name", "cidr", "unique_id"},
      .list_fields = {"name", "family", "cidr"},
  });
  // Relations (DATA-MODEL.md): one set of edges, seen from both sides where both have a field.
  registry.AddRelation({.name = "app_servers",
                        .from_kind = "applications",
                        .from_field = "servers",
                        .to_kinds = {"servers"},
                        .to_field = "applications"});
  registry.AddRelation({.name = "app_systems",
                        .from_kind = "applications",
                        .from_field = "systems",
                        .to_kinds = {"systems"},
                        .to_field = "applications"});
  registry.AddRelation({.name = "system_clients",
                        .from_kind = "systems",
                        .from_field = "clients",
                        .to_kinds = {"clients"},
                        .to_field = "systems"});
  registry.AddRelation({.name = "system_entries",
                        .from_kind = "systems",
                        .from_field = "entries",
                        .to_kinds = {"applications"}});
  registry.AddRelation({.name = "app_deps",
                        .from_kind = "applications",
                        .from_field = "deps",
                        .to_kinds = {"applications"},
                        .attrs = {Str("via", 60), Str("endpoint", 2000)},
                        .id_key = "app"});
  registry.AddRelation({.name = "lb_targets",
                        .from_kind = "applications",
                        .from_field = "targets",
                        .to_kinds = {"servers", "applications"}});
  return registry;
}

}  // namespace

const Registry& DefaultRegistry() {
  static const Registry kRegistry = Build();
  return kRegistry;
}

}  // namespace maestro::inventory
