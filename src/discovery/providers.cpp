#include "discovery/providers.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

namespace maestro::discovery {
namespace {

using nlohmann::json;

// Default sync periods (DATA-MODEL.md, the original's); autoscaling-list and storage-list, which it
// does not name, sync daily like the other application lists.
const std::vector<Provider>& Table() {
  static const std::vector<Provider> providers = {
      {"aws",
       "Amazon Web Services",
       {{"access_key", "Access key ID", false}, {"secret_key", "Secret access key", true}},
       false,
       {
           {"server-list", "5m", {"ec2:DescribeInstances"}},
           {"loadbalance-list",
            "6h",
            {"elasticloadbalancing:DescribeLoadBalancers (ELB)",
             "elasticloadbalancing:DescribeLoadBalancers (ELBv2)"}},
           {"volumes-list", "6h", {"ec2:DescribeVolumes"}},
           {"security-list", "6h", {"ec2:DescribeSecurityGroups"}},
           {"serverless-list", "12h", {"lambda:ListFunctions", "lambda:ListLayers"}},
           {"dbs-list", "1d", {"rds:DescribeDBInstances"}},
           {"storage-object-list", "1d", {"s3:ListAllMyBuckets"}},
           {"cache-list", "1d", {"elasticache:DescribeCacheClusters"}},
           {"smtp-list", "1d", {"ses:ListIdentities"}},
           {"autoscaling-list", "1d", {"autoscaling:DescribeAutoScalingGroups"}},
           {"dynamodb-list", "3d", {"dynamodb:ListTables"}},
           {"gateway-list", "3d", {"apigateway:GET"}},
           {"cdns-list",
            "5d",
            {"cloudfront:ListDistributions", "cloudfront:ListStreamingDistributions"}},
           {"brokers-list", "5d", {"sqs:ListQueues"}},
           {"network-list",
            "7d",
            {"ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeVpcPeeringConnections",
             "ec2:DescribeVpnGateways", "ec2:DescribeVpcEndpoints", "ec2:DescribeRouteTables",
             "ec2:DescribeNetworkInterfaces", "ec2:DescribeNatGateways",
             "ec2:DescribeNetworkAcls"}},
           {"snapshot-list", "14d", {"ec2:DescribeSnapshots (OwnerIds=self)"}},
           {"images-list", "14d", {"ec2:DescribeImages (Owners=self)"}},
       }},
      {"azure",
       "Microsoft Azure",
       {{"tenant", "Directory (tenant) ID", false},
        {"client_id", "Application (client) ID", false},
        {"client_secret", "Client secret", true},
        {"subscription", "Subscription ID", false}},
       false,
       {
           {"server-list",
            "5m",
            {"Microsoft.Compute/virtualMachines/read", "Microsoft.Compute/locations/vmSizes/read",
             "Microsoft.Network/networkInterfaces/read",
             "Microsoft.Network/publicIPAddresses/read"}},
           {"loadbalance-list", "6h", {"Microsoft.Network/loadBalancers/read"}},
           {"volumes-list", "6h", {"Microsoft.Compute/disks/read"}},
           {"dbs-list", "1d", {"Microsoft.Sql/servers/read"}},
           {"network-list",
            "7d",
            {"Microsoft.Network/virtualNetworks/read", "Microsoft.Network/networkInterfaces/read",
             "Microsoft.Network/publicIPAddresses/read", "Microsoft.Network/routeTables/read"}},
           {"snapshot-list", "14d", {"Microsoft.Compute/snapshots/read"}},
           {"images-list", "14d", {"Microsoft.Compute/images/read"}},
       }},
      {"openstack",
       "OpenStack",
       {{"auth_url", "Identity (Keystone v3) URL", false},
        {"username", "User name", false},
        {"password", "Password", true},
        {"project", "Project", false},
        {"user_domain", "User domain", false}},
       false,
       {
           {"server-list", "5m", {"compute: GET /servers/detail", "compute: GET /flavors/detail"}},
           {"loadbalance-list", "6h", {"load-balancer: GET /v2/lbaas/loadbalancers"}},
           {"volumes-list", "6h", {"block-storage: GET /volumes/detail"}},
           {"security-list", "6h", {"network: GET /v2.0/security-groups"}},
           {"network-list",
            "7d",
            {"network: GET /v2.0/networks", "network: GET /v2.0/subnets",
             "network: GET /v2.0/ports", "network: GET /v2.0/routers"}},
           {"snapshot-list", "14d", {"block-storage: GET /snapshots/detail"}},
           {"images-list", "14d", {"image: GET /v2/images"}},
           {"flavor-list", "14d", {"compute: GET /flavors/detail"}},
       }},
      {"digitalocean",
       "DigitalOcean",
       {{"token", "Personal access token (read scope)", true}},
       false,
       {
           {"server-list", "5m", {"GET /v2/droplets"}},
           {"loadbalance-list", "6h", {"GET /v2/load_balancers"}},
           {"volumes-list", "6h", {"GET /v2/volumes"}},
           {"container-orchestration-list", "1d", {"GET /v2/kubernetes/clusters"}},
           {"cdns-list", "5d", {"GET /v2/cdn/endpoints"}},
           {"network-list", "7d", {"GET /v2/firewalls"}},
           {"snapshot-list", "14d", {"GET /v2/snapshots"}},
           {"images-list", "14d", {"GET /v2/images?private=true"}},
       }},
      {"do-spaces",
       "DigitalOcean Spaces",
       {{"access_key", "Spaces access key", false}, {"secret_key", "Spaces secret key", true}},
       false,
       {{"storage-object-list", "1d", {"S3 ListBuckets on <region>.digitaloceanspaces.com"}}}},
      {"ansible",
       "Ansible facts",
       {{"upload", "An uploaded archive of `ansible -m setup --tree DIR` output", false},
        {"ssh",
         "A directory of fact files over SSH (host, port, user, path, private_key, host_key)",
         true},
        {"s3", "A prefix of fact files in S3 (bucket, path, access_key, secret_key, endpoint)",
         true}},
       true,
       {{"server-list", "5m", {"read ansible_facts of each host"}},
        {"volumes-list", "6h", {"read ansible_devices of each host"}}}},
      {"terraform",
       "Terraform state",
       {{"upload", "An uploaded terraform.tfstate (format 0.12 or later)", false},
        {"ssh", "A state file over SSH (host, port, user, path, private_key, host_key)", true},
        {"s3", "A state file in S3 (bucket, path, access_key, secret_key, endpoint)", true}},
       true,
       {{"server-list", "5m", {"read resources of type aws_instance"}},
        {"volumes-list", "6h", {"read root and EBS block devices of each aws_instance"}},
        {"storage-list", "1d", {"read resources of type aws_ebs_volume"}}}},
      {"json",
       "JSON file",
       {{"upload", "An uploaded file in the import format", false},
        {"ssh", "A file over SSH (host, port, user, path, private_key, host_key)", true},
        {"s3", "A file in S3 (bucket, path, access_key, secret_key, endpoint)", true}},
       true,
       {{"server-list", "5m", {"read the servers list"}},
        {"applications-list", "1d", {"read the applications list"}},
        {"volumes-list", "6h", {"read the volumes list"}},
        {"snapshot-list", "14d", {"read the snapshots list"}},
        {"images-list", "14d", {"read the images list"}},
        {"flavor-list", "14d", {"read the flavors list"}}}},
  };
  return providers;
}

// The IAM action of a call as the catalogue writes it: "ec2:DescribeImages (Owners=self)" ->
// "ec2:DescribeImages".
std::string Action(std::string_view call) { return std::string(call.substr(0, call.find(' '))); }

}  // namespace

std::span<const Provider> Providers() { return Table(); }

const Provider* FindProvider(std::string_view name) {
  for (const auto& provider : Table()) {
    if (provider.name == name) return &provider;
  }
  return nullptr;
}

const Resource* FindResource(const Provider& provider, std::string_view name) {
  for (const auto& resource : provider.resources) {
    if (resource.name == name) return &resource;
  }
  return nullptr;
}

std::string Policy(const Provider& provider) {
  if (provider.name == "aws") {
    std::set<std::string> actions = {"sts:GetCallerIdentity"};  // the connection test
    for (const auto& resource : provider.resources) {
      for (auto call : resource.calls) actions.insert(Action(call));
    }
    return json{{"Version", "2012-10-17"},
                {"Statement",
                 {{{"Sid", "MaestroReadOnlyDiscovery"},
                   {"Effect", "Allow"},
                   {"Action", actions},
                   {"Resource", "*"}}}}}
        .dump(2);
  }
  if (provider.name == "azure") {
    std::set<std::string> actions = {"Microsoft.Resources/subscriptions/read"};
    for (const auto& resource : provider.resources) {
      for (auto call : resource.calls) actions.insert(std::string(call));
    }
    return json{{"Name", "Maestro discovery (read only)"},
                {"IsCustom", true},
                {"Description", "Lets Maestro list what it discovers, and change nothing."},
                {"Actions", actions},
                {"NotActions", json::array()},
                {"AssignableScopes", {"/subscriptions/<subscription id>"}}}
        .dump(2);
  }
  if (provider.name == "openstack") {
    return "Give the user the `reader` role on the project (openstack role add --user <user> "
           "--project <project> reader): Maestro only lists servers, flavors, images, volumes, "
           "snapshots, networks, security groups and load balancers.";
  }
  if (provider.name == "digitalocean") {
    return "Create a personal access token with the Read scope only (API > Tokens > Generate New "
           "Token, Scopes: Read).";
  }
  if (provider.name == "do-spaces") {
    return "Create a Spaces access key (API > Spaces Keys); Maestro only lists the buckets.";
  }
  return "Maestro only reads the file; give it an upload, or an SSH or S3 location it may read "
         "and nothing else.";
}

json DescribeProviders() {
  json out = json::array();
  for (const auto& provider : Table()) {
    json credentials = json::array();
    for (const auto& field : provider.credentials) {
      credentials.push_back(
          {{"name", field.name}, {"label", field.label}, {"secret", field.secret}});
    }
    json resources = json::array();
    for (const auto& resource : provider.resources) {
      resources.push_back({{"name", resource.name},
                           {"default_every", resource.default_every},
                           {"calls", resource.calls}});
    }
    out.push_back({{"provider", provider.name},
                   {"label", provider.label},
                   {"credentials", std::move(credentials)},
                   {"credentials_one_of", provider.one_of_credentials},
                   {"resources", std::move(resources)},
                   {"policy", Policy(provider)}});
  }
  return out;
}

}  // namespace maestro::discovery
