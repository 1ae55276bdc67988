// AWS: the Query protocol (form POST, XML replies) of EC2, ELB, ELBv2, RDS and STS, signed with
// Signature Version 4 by libcurl. Every page (NextToken / Marker) of every region of the
// connection. An `endpoint` replaces https://<service>.<region>.amazonaws.com for every service
// (private clouds, our tests); the signature still names the real service and region.
#include <fmt/format.h>

#include <pugixml.hpp>

#include "common/json_util.h"
#include "discovery/connector_kit.h"

namespace maestro::discovery {
namespace {

using nlohmann::json;

// The text of a child path ("instanceState/name"), "" when absent.
std::string At(const pugi::xml_node& node, const char* path) {
  pugi::xml_node at = node;
  std::string_view rest = path;
  while (!rest.empty() && at) {
    const auto slash = rest.find('/');
    const std::string part(rest.substr(0, slash));
    at = at.child(part.c_str());
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  return at ? at.text().as_string() : "";
}

// EC2's tagSet (item/key,value) or the other services' Tags (member/Key,Value).
json Tags(const pugi::xml_node& node) {
  json tags = json::array();
  for (auto item : node.child("tagSet").children("item")) {
    tags.push_back({{"key", At(item, "key")}, {"value", At(item, "value")}});
  }
  for (auto item : node.child("Tags").children("member")) {
    tags.push_back({{"key", At(item, "Key")}, {"value", At(item, "Value")}});
  }
  return tags;
}

std::string Capitalised(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

void SetIfAny(json& doc, const char* key, const std::string& value) {
  if (!value.empty()) doc[key] = value;
}

// --- translations (ORIGINAL.md, AWS EC2 → server, other AWS records) ---------------------------

Found Instance(const pugi::xml_node& i, const std::string& region) {
  const json tags = Tags(i);
  const std::string id = At(i, "instanceId");
  const std::string name = Capitalised(TagValue(tags, "Name"));
  const std::string type = At(i, "instanceType");
  json doc = {{"hostname", !name.empty() ? name : id},
              {"tags", tags},
              {"datacenter",
               {{"region", region},
                {"zone", At(i, "placement/availabilityZone")},
                {"instance_type", type},
                {"instance_id", id},
                {"image_id", At(i, "imageId")},
                {"subnet_id", At(i, "subnetId")},
                {"type", "Virtual"},
                {"virtualization_type", At(i, "virtualizationType")},
                {"hypervisor", At(i, "hypervisor")},
                {"root_device_type", At(i, "rootDeviceType")},
                {"architecture", At(i, "architecture")}}}};
  SetIfAny(doc, "name", name);
  SetIfAny(doc, "role", TagValue(tags, "role"));
  SetIfAny(doc, "environment", TagValue(tags, "environment"));
  SetIfAny(doc, "ipv4_private", At(i, "privateIpAddress"));
  SetIfAny(doc, "ipv4_public", At(i, "ipAddress"));
  SetIfAny(doc, "dns_private", At(i, "privateDnsName"));
  SetIfAny(doc, "dns_public", At(i, "dnsName"));
  if (auto key = At(i, "keyName"); !key.empty()) {
    doc["auth"] = json::array({{{"name", key}, {"type", "PKI"}}});
  }
  const std::string platform = At(i, "platform");
  const std::string details = At(i, "platformDetails");
  doc["os"] = {{"base", platform == "windows" ? "Windows" : "Linux"}};
  if (!details.empty()) doc["os"]["dist"] = details;
  if (auto size = FindFlavor("aws", type)) {
    doc["cpu"] = size->vcpus;
    doc["memory"] = size->memory;
  }
  if (auto cores = i.child("cpuOptions").child("coreCount")) {
    const int threads = i.child("cpuOptions").child("threadsPerCore").text().as_int(1);
    doc["cpu"] = cores.text().as_int() * threads;
  }
  json storage = json::array();
  const std::string root = At(i, "rootDeviceName");
  for (auto item : i.child("blockDeviceMapping").children("item")) {
    const std::string device = At(item, "deviceName");
    storage.push_back({{"device_name", device},
                       {"name", At(item, "ebs/volumeId")},
                       {"root", !root.empty() && device == root}});
  }
  if (!storage.empty()) doc["storage"] = std::move(storage);
  json groups = json::array();
  for (auto group : i.child("groupSet").children("item")) groups.push_back(At(group, "groupId"));
  doc["metas"] = {{"security_groups", groups},
                  {"iam_instance_profile", At(i, "iamInstanceProfile/arn")},
                  {"launch_time", At(i, "launchTime")}};
  const std::string state = At(i, "instanceState/name");
  doc["status"] = state == "running" || state == "pending" ? "Active" : "Stopped";
  return {.kind = "servers",
          .provider_id = id,
          .doc = std::move(doc),
          .active = state != "terminated" && state != "shutting-down"};
}

Found VolumeOf(const pugi::xml_node& v, const std::string& region) {
  const json tags = Tags(v);
  const std::string id = At(v, "volumeId");
  const std::string status = At(v, "status");
  std::string name = TagValue(tags, "Name");
  json doc = {{"name", name.empty() ? id : name},
              {"unique_id", id},
              {"tags", tags},
              {"datacenter", {{"region", region}, {"zone", At(v, "availabilityZone")}}}};
  if (auto size = v.child("size")) doc["size"] = size.text().as_double();
  SetIfAny(doc, "volume_type", At(v, "volumeType"));
  SetIfAny(doc, "snapshot_id", At(v, "snapshotId"));
  if (auto iops = v.child("iops")) doc["iops"] = iops.text().as_llong();
  if (auto encrypted = v.child("encrypted")) doc["encrypted"] = encrypted.text().as_bool();
  doc["status"] = status == "creating" || status == "in-use"    ? "Active"
                  : status == "available"                       ? "Available"
                  : status == "deleting" || status == "deleted" ? "Deleted"
                                                                : "Error";
  if (auto instance = At(v, "attachmentSet/item/instanceId"); !instance.empty()) {
    doc["tags"].push_back({{"key", "attached_to"}, {"value", instance}});
  }
  return {.kind = "volumes",
          .provider_id = id,
          .doc = std::move(doc),
          .active = status == "creating" || status == "in-use" || status == "available"};
}

Found SnapshotOf(const pugi::xml_node& s, const std::string& region) {
  const json tags = Tags(s);
  const std::string id = At(s, "snapshotId");
  std::string name = TagValue(tags, "Name");
  json doc = {{"name", name.empty() ? id : name},  {"unique_id", id},
              {"volume_id", At(s, "volumeId")},    {"status", At(s, "status")},
              {"progress", At(s, "progress")},     {"tags", tags},
              {"datacenter", {{"region", region}}}};
  if (auto size = s.child("volumeSize")) doc["size"] = size.text().as_double();
  if (auto encrypted = s.child("encrypted")) doc["encrypted"] = encrypted.text().as_bool();
  SetIfAny(doc, "started_at", At(s, "startTime"));
  return {.kind = "snapshots", .provider_id = id, .doc = std::move(doc)};
}

Found ImageOf(const pugi::xml_node& i, const std::string& region) {
  const std::string id = At(i, "imageId");
  std::string name = At(i, "name");
  json doc = {{"name", name.empty() ? id : name},
              {"unique_id", id},
              {"image_type", At(i, "imageType")},
              {"platform", At(i, "platformDetails")},
              {"architecture", At(i, "architecture")},
              {"state", At(i, "imageState")},
              {"public", i.child("isPublic").text().as_bool()},
              {"tags", Tags(i)},
              {"datacenter", {{"region", region}}}};
  return {.kind = "images", .provider_id = id, .doc = std::move(doc)};
}

// A network thing of EC2: one shape, many calls.
struct NetworkCall {
  const char* action;
  const char* set;  // the list element of the reply
  const char* id;   // the id element of each item
  const char* family;
  const char* cidr;  // "" when the thing has no CIDR
};

constexpr NetworkCall kNetworkCalls[] = {
    {"DescribeVpcs", "vpcSet", "vpcId", "Vpc", "cidrBlock"},
    {"DescribeSubnets", "subnetSet", "subnetId", "Subnet", "cidrBlock"},
    {"DescribeVpcPeeringConnections", "vpcPeeringConnectionSet", "vpcPeeringConnectionId",
     "VpcPeering", "accepterVpcInfo/cidrBlock"},
    {"DescribeVpnGateways", "vpnGatewaySet", "vpnGatewayId", "VpnGateway", ""},
    {"DescribeVpcEndpoints", "vpcEndpointSet", "vpcEndpointId", "VpcEndpoint", ""},
    {"DescribeRouteTables", "routeTableSet", "routeTableId", "RouteTable", ""},
    {"DescribeNetworkInterfaces", "networkInterfaceSet", "networkInterfaceId", "NetworkInterface",
     ""},
    {"DescribeNatGateways", "natGatewaySet", "natGatewayId", "NatGateway", ""},
    {"DescribeNetworkAcls", "networkAclSet", "networkAclId", "NetworkAcl", ""},
};
constexpr NetworkCall kSecurityGroups = {"DescribeSecurityGroups", "securityGroupInfo", "groupId",
                                         "SecurityGroup", ""};

Found NetworkOf(const NetworkCall& call, const pugi::xml_node& n, const std::string& region) {
  const json tags = Tags(n);
  const std::string id = At(n, call.id);
  std::string name = TagValue(tags, "Name");
  if (name.empty()) name = At(n, "groupName");
  json doc = {{"name", name.empty() ? id : name},
              {"family", call.family},
              {"unique_id", id},
              {"tags", tags},
              {"datacenter", {{"region", region}}}};
  if (*call.cidr != '\0') SetIfAny(doc, "cidr", At(n, call.cidr));
  if (std::string_view(call.family) == "SecurityGroup") {
    json rules = json::array();
    for (auto permission : n.child("ipPermissions").children("item")) {
      json rule = {{"protocol", At(permission, "ipProtocol")},
                   {"from_port", At(permission, "fromPort")},
                   {"to_port", At(permission, "toPort")}};
      json ranges = json::array();
      for (auto range : permission.child("ipRanges").children("item")) {
        ranges.push_back(At(range, "cidrIp"));
      }
      rule["cidrs"] = ranges;
      rules.push_back(std::move(rule));
    }
    doc["rules"] = {{"inbound", rules}, {"description", At(n, "groupDescription")}};
  }
  SetIfAny(doc["datacenter"], "vpc_id", At(n, "vpcId"));
  return {.kind = "networks", .provider_id = id, .doc = std::move(doc)};
}

Found LoadBalancerV2(const pugi::xml_node& lb, const std::string& region) {
  const std::string arn = At(lb, "LoadBalancerArn");
  json doc = {
      {"name", At(lb, "LoadBalancerName")},
      {"family", "Loadbalance"},
      {"provider", "ELB (AWS)"},
      {"own", true},
      {"status", Capitalised(At(lb, "State/Code"))},
      {"role", {{"endpoint", At(lb, "DNSName")}}},
      {"description", fmt::format("{} load balancer, {}", At(lb, "Type"), At(lb, "Scheme"))},
      {"datacenter",
       {{"region", region},
        {"zone", At(lb, "AvailabilityZones/member/ZoneName")},
        {"instance_id", arn},
        {"vpc_id", At(lb, "VpcId")}}}};
  return {.kind = "applications", .provider_id = arn, .doc = std::move(doc)};
}

Found LoadBalancerClassic(const pugi::xml_node& lb, const std::string& region) {
  const std::string name = At(lb, "LoadBalancerName");
  json doc = {{"name", name},
              {"family", "Loadbalance"},
              {"provider", "ELB (AWS)"},
              {"own", true},
              {"status", "Active"},
              {"role", {{"endpoint", At(lb, "DNSName")}}},
              {"description", "classic load balancer"},
              {"datacenter",
               {{"region", region},
                {"zone", At(lb, "AvailabilityZones/member")},
                {"vpc_id", At(lb, "VPCId")}}}};
  if (auto port = lb.child("ListenerDescriptions")
                      .child("member")
                      .child("Listener")
                      .child("LoadBalancerPort")) {
    doc["role"]["port"] = port.text().as_int();
  }
  return {
      .kind = "applications", .provider_id = "elb:" + region + ":" + name, .doc = std::move(doc)};
}

Found Database(const pugi::xml_node& db, const std::string& region) {
  const std::string status = At(db, "DBInstanceStatus");
  json doc = {{"name", At(db, "DBInstanceIdentifier")},
              {"family", "Database"},
              {"provider", "RDS (AWS)"},
              {"own", true},
              {"status", Capitalised(status)},
              {"role", {{"endpoint", At(db, "Endpoint/Address")}}},
              {"database",
               {{"engine", At(db, "Engine")},
                {"version", At(db, "EngineVersion")},
                {"type", At(db, "DBInstanceClass")}}},
              {"datacenter",
               {{"region", region},
                {"zone", At(db, "AvailabilityZone")},
                {"instance_type", At(db, "DBInstanceClass")},
                {"instance_id", At(db, "DbiResourceId")}}}};
  if (auto port = db.child("Endpoint").child("Port")) doc["role"]["port"] = port.text().as_int();
  return {.kind = "applications",
          .provider_id = At(db, "DBInstanceArn").empty() ? At(db, "DBInstanceIdentifier")
                                                         : At(db, "DBInstanceArn"),
          .doc = std::move(doc),
          .active = status != "failed" && status != "deleting"};
}

json App(std::string name, const char* family, const char* provider, std::string status,
         const std::string& region) {
  json doc = {{"name", std::move(name)},
              {"family", family},
              {"provider", provider},
              {"own", true},
              {"status", std::move(status)}};
  if (!region.empty()) doc["datacenter"] = {{"region", region}};
  return doc;
}

Found AutoScalingGroup(const pugi::xml_node& g, const std::string& region) {
  json doc = App(At(g, "AutoScalingGroupName"), "AutoScaling", "Auto Scaling (AWS)",
                 At(g, "Status").empty() ? "Active" : At(g, "Status"), region);
  json instances = json::array();
  for (auto member : g.child("Instances").children("member")) {
    instances.push_back(At(member, "InstanceId"));
  }
  doc["description"] = fmt::format("min {}, max {}, desired {}; instances: {}", At(g, "MinSize"),
                                   At(g, "MaxSize"), At(g, "DesiredCapacity"), instances.size());
  doc["tags"] = Tags(g);
  return {
      .kind = "applications", .provider_id = At(g, "AutoScalingGroupARN"), .doc = std::move(doc)};
}

Found CacheCluster(const pugi::xml_node& c, const std::string& region) {
  json doc = App(At(c, "CacheClusterId"), "Cache", "ElastiCache (AWS)",
                 Capitalised(At(c, "CacheClusterStatus")), region);
  doc["datacenter"]["zone"] = At(c, "PreferredAvailabilityZone");
  doc["datacenter"]["instance_type"] = At(c, "CacheNodeType");
  doc["database"] = {{"engine", At(c, "Engine")}, {"version", At(c, "EngineVersion")}};
  if (auto address = At(c, "ConfigurationEndpoint/Address"); !address.empty()) {
    doc["role"] = {{"endpoint", address}};
    if (auto port = c.child("ConfigurationEndpoint").child("Port"))
      doc["role"]["port"] = port.text().as_int();
  }
  const std::string arn = At(c, "ARN");
  return {
      .kind = "applications",
      .provider_id = arn.empty() ? "elasticache:" + region + ":" + At(c, "CacheClusterId") : arn,
      .doc = std::move(doc)};
}

Found Bucket(const pugi::xml_node& b, const char* provider, const std::string& region) {
  json doc = App(At(b, "Name"), "ObjectStorage", provider, "Active", region);
  if (auto created = At(b, "CreationDate"); !created.empty())
    doc["description"] = "created " + created;
  return {.kind = "applications",
          .provider_id = std::string(provider) + ":" + At(b, "Name"),
          .doc = std::move(doc)};
}

Found Distribution(const pugi::xml_node& d) {
  json doc = App(At(d, "DomainName"), "CDN", "CloudFront (AWS)", At(d, "Status"), "");
  doc["role"] = {{"endpoint", At(d, "DomainName")}};
  json aliases = json::array();
  for (auto cname : d.child("Aliases").child("Items").children("CNAME")) {
    aliases.push_back(cname.text().as_string());
  }
  doc["description"] = fmt::format("origin {}; aliases {}",
                                   At(d, "Origins/Items/Origin/DomainName"), aliases.dump());
  doc["status"] = std::string_view(At(d, "Enabled")) == "false" ? "Disabled" : At(d, "Status");
  return {.kind = "applications",
          .provider_id = At(d, "ARN").empty() ? At(d, "Id") : At(d, "ARN"),
          .doc = std::move(doc)};
}

// --- the Query protocol -----------------------------------------------------------------------

struct Service {
  const char* name;     // signing name and host prefix: ec2, elasticloadbalancing, rds, sts
  const char* version;  // API version
};
constexpr Service kEc2 = {"ec2", "2016-11-15"};
constexpr Service kElbV2 = {"elasticloadbalancing", "2015-12-01"};
constexpr Service kElb = {"elasticloadbalancing", "2012-06-01"};
constexpr Service kRds = {"rds", "2014-10-31"};
constexpr Service kSts = {"sts", "2011-06-15"};
constexpr Service kAutoScaling = {"autoscaling", "2011-01-01"};
constexpr Service kElastiCache = {"elasticache", "2015-02-02"};
constexpr Service kSqs = {"sqs", "2012-11-05"};
constexpr Service kSes = {"email", "2010-12-01"};

class Aws : public Connector {
 public:
  explicit Aws(ConnectorSettings settings)
      : settings_(std::move(settings)), spaces_(settings_.provider == "do-spaces") {}

  Result<std::string> Test() override {
    if (spaces_) {
      const std::string region = settings_.regions.empty() ? "nyc3" : settings_.regions.front();
      auto reply = Send("s3", region, "GET", "/", "", {}, "ListBuckets");
      if (!reply) return Fail(reply.error());
      auto document = Xml(*reply, "DigitalOcean Spaces ListBuckets");
      if (!document) return Fail(document.error());
      const auto buckets = document->document_element().child("Buckets").children("Bucket");
      return fmt::format("DigitalOcean Spaces in {}: {} buckets", region,
                         std::distance(buckets.begin(), buckets.end()));
    }
    auto reply = Call(kSts, "us-east-1", "GetCallerIdentity", {});
    if (!reply) return Fail(reply.error());
    auto result = reply->document_element().child("GetCallerIdentityResult");
    return fmt::format("AWS account {} as {}", At(result, "Account"), At(result, "Arn"));
  }

  Status List(std::string_view resource, const std::string& region, const PageSink& sink) override {
    const auto each = [&](const pugi::xml_node& set, const char* element, auto translate) {
      std::vector<Found> page;
      for (auto item : set.children(element)) page.push_back(translate(item, region));
      return page;
    };
    if (resource == "server-list") {
      return Pages(
          kEc2, region, "DescribeInstances", {{"MaxResults", "1000"}}, "nextToken",
          [&](const pugi::xml_node& root) {
            std::vector<Found> page;
            for (auto reservation : root.child("reservationSet").children("item")) {
              for (auto instance : reservation.child("instancesSet").children("item")) {
                page.push_back(Instance(instance, region));
              }
            }
            return page;
          },
          sink);
    }
    if (resource == "volumes-list") {
      return Pages(
          kEc2, region, "DescribeVolumes", {{"MaxResults", "1000"}}, "nextToken",
          [&](const pugi::xml_node& root) {
            return each(root.child("volumeSet"), "item", VolumeOf);
          },
          sink);
    }
    if (resource == "snapshot-list") {
      return Pages(
          kEc2, region, "DescribeSnapshots", {{"MaxResults", "1000"}, {"Owner.1", "self"}},
          "nextToken",
          [&](const pugi::xml_node& root) {
            return each(root.child("snapshotSet"), "item", SnapshotOf);
          },
          sink);
    }
    if (resource == "images-list") {
      return Pages(
          kEc2, region, "DescribeImages", {{"Owner.1", "self"}}, "nextToken",
          [&](const pugi::xml_node& root) {
            return each(root.child("imagesSet"), "item", ImageOf);
          },
          sink);
    }
    if (resource == "security-list") return Network(kSecurityGroups, region, sink);
    if (resource == "network-list") {
      for (const auto& call : kNetworkCalls) {
        if (auto listed = Network(call, region, sink); !listed) return listed;
      }
      return {};
    }
    if (resource == "loadbalance-list") {
      auto v2 = Pages(
          kElbV2, region, "DescribeLoadBalancers", {{"PageSize", "400"}},
          "DescribeLoadBalancersResult/NextMarker",
          [&](const pugi::xml_node& root) {
            return each(root.child("DescribeLoadBalancersResult").child("LoadBalancers"), "member",
                        LoadBalancerV2);
          },
          sink, "Marker");
      if (!v2) return v2;
      return Pages(
          kElb, region, "DescribeLoadBalancers", {{"PageSize", "400"}},
          "DescribeLoadBalancersResult/NextMarker",
          [&](const pugi::xml_node& root) {
            return each(root.child("DescribeLoadBalancersResult").child("LoadBalancerDescriptions"),
                        "member", LoadBalancerClassic);
          },
          sink, "Marker");
    }
    if (resource == "dbs-list") {
      return Pages(
          kRds, region, "DescribeDBInstances", {{"MaxRecords", "100"}},
          "DescribeDBInstancesResult/Marker",
          [&](const pugi::xml_node& root) {
            return each(root.child("DescribeDBInstancesResult").child("DBInstances"), "DBInstance",
                        Database);
          },
          sink, "Marker");
    }
    if (resource == "autoscaling-list") {
      return Pages(
          kAutoScaling, region, "DescribeAutoScalingGroups", {{"MaxRecords", "100"}},
          "DescribeAutoScalingGroupsResult/NextToken",
          [&](const pugi::xml_node& root) {
            return each(root.child("DescribeAutoScalingGroupsResult").child("AutoScalingGroups"),
                        "member", AutoScalingGroup);
          },
          sink);
    }
    if (resource == "cache-list") {
      return Pages(
          kElastiCache, region, "DescribeCacheClusters", {{"MaxRecords", "100"}},
          "DescribeCacheClustersResult/Marker",
          [&](const pugi::xml_node& root) {
            return each(root.child("DescribeCacheClustersResult").child("CacheClusters"),
                        "CacheCluster", CacheCluster);
          },
          sink, "Marker");
    }
    if (resource == "brokers-list") {
      return Pages(
          kSqs, region, "ListQueues", {{"MaxResults", "1000"}}, "ListQueuesResult/NextToken",
          [&](const pugi::xml_node& root) {
            std::vector<Found> page;
            for (auto url : root.child("ListQueuesResult").children("QueueUrl")) {
              const std::string text = url.text().as_string();
              json doc = App(text.substr(text.find_last_of('/') + 1), "Broker", "SQS (AWS)",
                             "Active", region);
              doc["role"] = {{"endpoint", text}};
              page.push_back({.kind = "applications", .provider_id = text, .doc = doc});
            }
            return page;
          },
          sink);
    }
    if (resource == "smtp-list") {
      return Pages(
          kSes, region, "ListIdentities", {{"MaxItems", "1000"}}, "ListIdentitiesResult/NextToken",
          [&](const pugi::xml_node& root) {
            std::vector<Found> page;
            for (auto identity :
                 root.child("ListIdentitiesResult").child("Identities").children("member")) {
              const std::string name = identity.text().as_string();
              page.push_back({.kind = "applications",
                              .provider_id = "ses:" + region + ":" + name,
                              .doc = App(name, "SMTP", "SES (AWS)", "Active", region)});
            }
            return page;
          },
          sink);
    }
    if (spaces_) {
      if (resource != "storage-object-list") {
        return Fail(ErrorCode::kBadRequest, fmt::format("Spaces have no {}", resource));
      }
      const std::string at = region.empty() ? "nyc3" : region;
      auto reply = Send("s3", at, "GET", "/", "", {}, "ListBuckets");
      if (!reply) return Fail(reply.error());
      auto document = Xml(*reply, "DigitalOcean Spaces ListBuckets");
      if (!document) return Fail(document.error());
      return sink(each(document->document_element().child("Buckets"), "Bucket",
                       [&](const pugi::xml_node& b, const std::string&) {
                         return Bucket(b, "Spaces (DigitalOcean)", at);
                       }));
    }
    // Global services: listed once, with the connection's first region.
    const bool first_region = settings_.regions.empty() || region == settings_.regions.front();
    if (resource == "storage-object-list") {
      if (!first_region) return {};
      auto reply = Send("s3", "us-east-1", "GET", "/", "", {}, "ListBuckets");
      if (!reply) return Fail(reply.error());
      auto document = Xml(*reply, "AWS s3 ListBuckets");
      if (!document) return Fail(document.error());
      return sink(each(
          document->document_element().child("Buckets"), "Bucket",
          [](const pugi::xml_node& b, const std::string&) { return Bucket(b, "S3 (AWS)", ""); }));
    }
    if (resource == "cdns-list") {
      if (!first_region) return {};
      std::string marker;
      for (int pages = 0; pages < 100000; ++pages) {
        auto reply = Send("cloudfront", "us-east-1", "GET",
                          "/2020-05-31/distribution?MaxItems=100" +
                              (marker.empty() ? "" : "&Marker=" + PercentEncode(marker)),
                          "", {}, "ListDistributions");
        if (!reply) return Fail(reply.error());
        auto document = Xml(*reply, "AWS cloudfront ListDistributions");
        if (!document) return Fail(document.error());
        const auto list = document->document_element();
        std::vector<Found> page;
        for (auto item : list.child("Items").children("DistributionSummary")) {
          page.push_back(Distribution(item));
        }
        if (auto sent = sink(std::move(page)); !sent) return sent;
        marker = At(list, "NextMarker");
        if (At(list, "IsTruncated") != "true" || marker.empty()) return {};
      }
      return Fail(ErrorCode::kBadRequest, "CloudFront paging never ends");
    }
    if (resource == "serverless-list") {
      return JsonPages(
          "lambda", region,
          [](const std::string& marker) {
            return "/2015-03-31/functions/?MaxItems=50" +
                   (marker.empty() ? "" : "&Marker=" + PercentEncode(marker));
          },
          "Functions", "NextMarker",
          [&](const json& f) {
            json doc = App(Text(f.value("FunctionName", json())), "Serverless", "Lambda (AWS)",
                           Text(f.value("State", json("Active"))), region);
            doc["language"] = Text(f.value("Runtime", json()));
            doc["role"] = {{"command", Text(f.value("Handler", json()))}};
            return Found{.kind = "applications",
                         .provider_id = Text(f.value("FunctionArn", json())),
                         .doc = std::move(doc)};
          },
          sink, "ListFunctions");
    }
    if (resource == "gateway-list") {
      return JsonPages(
          "apigateway", region,
          [](const std::string& position) {
            return "/restapis?limit=500" +
                   (position.empty() ? "" : "&position=" + PercentEncode(position));
          },
          "item", "position",
          [&](const json& api) {
            json doc = App(Text(api.value("name", json())), "ApiGateway", "API Gateway (AWS)",
                           "Active", region);
            doc["description"] = Text(api.value("description", json()));
            doc["role"] = {{"endpoint", fmt::format("https://{}.execute-api.{}.amazonaws.com",
                                                    Text(api.value("id", json())), region)}};
            return Found{
                .kind = "applications",
                .provider_id = "apigateway:" + region + ":" + Text(api.value("id", json())),
                .doc = std::move(doc)};
          },
          sink, "GetRestApis");
    }
    if (resource == "dynamodb-list") {
      std::string last;
      for (int pages = 0; pages < 100000; ++pages) {
        json body = {{"Limit", 100}};
        if (!last.empty()) body["ExclusiveStartTableName"] = last;
        auto reply = Send("dynamodb", region, "POST", "/", body.dump(),
                          {"Content-Type: application/x-amz-json-1.0",
                           "X-Amz-Target: DynamoDB_20120810.ListTables"},
                          "ListTables");
        if (!reply) return Fail(reply.error());
        auto parsed = ParseJson(reply->body);
        if (!parsed || !parsed->is_object()) {
          return Fail(ErrorCode::kBadRequest, "AWS dynamodb ListTables: the reply is not JSON");
        }
        std::vector<Found> page;
        for (const auto& name : parsed->value("TableNames", json::array())) {
          if (!name.is_string()) continue;
          page.push_back({.kind = "applications",
                          .provider_id = "dynamodb:" + region + ":" + name.get<std::string>(),
                          .doc = App(name, "Database", "DynamoDB (AWS)", "Active", region)});
        }
        if (auto sent = sink(std::move(page)); !sent) return sent;
        last = Text(parsed->value("LastEvaluatedTableName", json()));
        if (last.empty()) return {};
      }
      return Fail(ErrorCode::kBadRequest, "DynamoDB paging never ends");
    }
    return Fail(ErrorCode::kBadRequest,
                fmt::format("{} of AWS is not available in this version", resource));
  }

 private:
  // A REST-JSON list over all pages: `path` gives the page's path for a marker, `list` and `next`
  // name the reply's items and next marker.
  template <typename PathFor, typename Translate>
  Status JsonPages(const char* service, const std::string& region, PathFor path_for,
                   const char* list, const char* next, Translate translate, const PageSink& sink,
                   const char* operation) {
    std::string marker;
    for (int pages = 0; pages < 100000; ++pages) {
      auto reply = Send(service, region, "GET", path_for(marker), "", {}, operation);
      if (!reply) return Fail(reply.error());
      auto parsed = ParseJson(reply->body);
      if (!parsed || !parsed->is_object()) {
        return Fail(ErrorCode::kBadRequest,
                    fmt::format("AWS {} {}: the reply is not JSON", service, operation));
      }
      std::vector<Found> page;
      for (const auto& item : parsed->value(list, json::array())) {
        if (item.is_object()) page.push_back(translate(item));
      }
      if (auto sent = sink(std::move(page)); !sent) return sent;
      marker = Text(parsed->value(next, json()));
      if (marker.empty()) return {};
    }
    return Fail(ErrorCode::kBadRequest, fmt::format("AWS {} paging never ends", service));
  }

  // One signed request to `service` in `region` (the endpoint override replaces the host).
  Result<HttpReply> Send(const std::string& service, const std::string& region,
                         const std::string& method, const std::string& path, std::string body,
                         std::vector<std::string> headers, const std::string& operation) {
    const std::string host_region = region.empty() ? "us-east-1" : region;
    std::string base = settings_.endpoint;
    if (base.empty() && spaces_) {
      base = fmt::format("https://{}.digitaloceanspaces.com", host_region);
    } else if (base.empty()) {
      base = service == "sts" || service == "s3" || service == "cloudfront"
                 ? fmt::format("https://{}.amazonaws.com", service)
                 : fmt::format("https://{}.{}.amazonaws.com", service, host_region);
    }
    while (base.ends_with('/')) base.pop_back();
    if (service == "s3") {
      headers.push_back("x-amz-content-sha256: " + std::string(kEmptyPayloadSha256));
    }
    HttpCall call{.method = method,
                  .url = base + path,
                  .headers = std::move(headers),
                  .body = std::move(body),
                  .timeout = settings_.timeout,
                  .aws_sigv4 = fmt::format("aws:amz:{}:{}", host_region, service),
                  .username = Text(settings_.credentials.value("access_key", json())),
                  .password = Text(settings_.credentials.value("secret_key", json()))};
    return CallProvider(call, settings_,
                        fmt::format("AWS {} {} in {}", service, operation, host_region));
  }

  static Result<pugi::xml_document> Xml(const HttpReply& reply, const std::string& what) {
    pugi::xml_document document;
    if (!document.load_buffer(reply.body.data(), reply.body.size())) {
      return Fail(ErrorCode::kBadRequest, what + ": the reply is not XML");
    }
    return document;
  }

  using Params = std::vector<std::pair<std::string, std::string>>;

  Status Network(const NetworkCall& call, const std::string& region, const PageSink& sink) {
    const bool pages = std::string_view(call.action) != "DescribeNetworkAcls";
    return Pages(
        kEc2, region, call.action, pages ? Params{{"MaxResults", "1000"}} : Params{}, "nextToken",
        [&](const pugi::xml_node& root) {
          std::vector<Found> page;
          for (auto item : root.child(call.set).children("item")) {
            page.push_back(NetworkOf(call, item, region));
          }
          return page;
        },
        sink);
  }

  template <typename Translate>
  Status Pages(const Service& service, const std::string& region, const char* action, Params params,
               const char* next_path, Translate translate, const PageSink& sink,
               const char* next_param = "NextToken") {
    std::string token;
    for (int pages = 0;; ++pages) {
      if (pages > 100000) return Fail(ErrorCode::kBadRequest, "AWS paging never ends");
      Params call_params = params;
      if (!token.empty()) call_params.emplace_back(next_param, token);
      auto document = Call(service, region, action, call_params);
      if (!document) return Fail(document.error());
      const pugi::xml_node root = document->document_element();
      if (auto sent = sink(translate(root)); !sent) return sent;
      token = At(root, next_path);
      if (token.empty()) return {};
    }
  }

  Result<pugi::xml_document> Call(const Service& service, const std::string& region,
                                  const char* action, const Params& params) {
    std::string body = fmt::format("Action={}&Version={}", action, service.version);
    for (const auto& [key, value] : params)
      body += "&" + PercentEncode(key) + "=" + PercentEncode(value);
    auto reply = Send(service.name, region, "POST", "/", std::move(body),
                      {"Content-Type: application/x-www-form-urlencoded; charset=utf-8"}, action);
    if (!reply) return Fail(reply.error());
    return Xml(*reply, fmt::format("AWS {} {}", service.name, action));
  }

  const ConnectorSettings settings_;
  const bool spaces_;  // DigitalOcean Spaces: the S3 API on <region>.digitaloceanspaces.com
};

}  // namespace

std::unique_ptr<Connector> MakeAws(const ConnectorSettings& settings) {
  return std::make_unique<Aws>(settings);
}

}  // namespace maestro::discovery
