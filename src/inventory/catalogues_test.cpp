#include "inventory/catalogues.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "inventory/registry.h"
#include "inventory/validate.h"

namespace maestro::inventory {
namespace {

using nlohmann::json;

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

const json* FindByName(const json& items, const std::string& name) {
  for (const auto& item : items) {
    if (item.value("name", "") == name) return &item;
  }
  return nullptr;
}

TEST(CatalogueOptionsTest, HasEveryOptionKey) {
  const json& options = DefaultOptions();
  for (const char* key :
       {"env_options", "server_options", "application_options", "database_options",
        "datacenter_options", "clients_options", "services_options", "system_options",
        "deps_options", "schedule_options"}) {
    ASSERT_TRUE(options.contains(key)) << key;
    EXPECT_TRUE(options[key].is_object()) << key;
    EXPECT_FALSE(options[key].empty()) << key;
  }
  EXPECT_EQ(options["service_catalogue"], DefaultServices());
  EXPECT_EQ(options["flavor_catalogue"], DefaultFlavors());
  EXPECT_EQ(options.size(), 12u);
}

TEST(CatalogueOptionsTest, ListsMatchTheRegistryEnums) {
  const json& options = DefaultOptions();
  const EntitySpec& servers = *DefaultRegistry().Find("servers");
  EXPECT_EQ(options["server_options"]["status"].get<std::vector<std::string>>(),
            servers.Field("status")->values);
  const FieldSpec* family = DefaultRegistry().Find("applications")->Field("family");
  EXPECT_EQ(options["application_options"]["families"].get<std::vector<std::string>>(),
            family->values);
}

TEST(CatalogueOptionsTest, SchedulePeriodsFollowTheDataModel) {
  const json& schedule = DefaultOptions()["schedule_options"];
  EXPECT_EQ(schedule.size(), 18u);
  EXPECT_EQ(schedule["server-list"], "5m");
  EXPECT_EQ(schedule["volumes-list"], "6h");
  EXPECT_EQ(schedule["serverless-list"], "12h");
  EXPECT_EQ(schedule["dbs-list"], "1d");
  EXPECT_EQ(schedule["gateway-list"], "3d");
  EXPECT_EQ(schedule["brokers-list"], "5d");
  EXPECT_EQ(schedule["network-list"], "7d");
  EXPECT_EQ(schedule["flavor-list"], "14d");
}

TEST(CatalogueOptionsTest, ProvidersHaveRegionsAndZones) {
  const json& providers = DefaultOptions()["datacenter_options"]["providers"];
  std::set<std::string> names;
  for (const auto& provider : providers) names.insert(provider["name"].get<std::string>());
  for (const char* name : {"AWS", "Azure", "GCP", "DigitalOcean", "OpenStack"})
    EXPECT_TRUE(names.count(name)) << name;

  const json* aws = FindByName(providers, "AWS");
  ASSERT_NE(aws, nullptr);
  EXPECT_GE((*aws)["regions"].size(), 30u);
  for (const auto& region : (*aws)["regions"]) {
    const std::string name = region["name"];
    EXPECT_FALSE(region["label"].get<std::string>().empty()) << name;
    EXPECT_FALSE(region["zones"].empty()) << name;
    for (const auto& zone : region["zones"]) {
      const std::string text = zone;
      EXPECT_EQ(text.rfind(name, 0), 0u) << text;
      EXPECT_EQ(text.size(), name.size() + 1) << text;  // one letter
    }
  }
  const json* eu_west_1 = FindByName((*aws)["regions"], "eu-west-1");
  ASSERT_NE(eu_west_1, nullptr);
  EXPECT_EQ((*eu_west_1)["label"], "Europe (Ireland)");
  EXPECT_EQ((*eu_west_1)["zones"], json({"eu-west-1a", "eu-west-1b", "eu-west-1c"}));

  for (const char* provider_name : {"Azure", "GCP", "DigitalOcean"}) {
    const json* provider = FindByName(providers, provider_name);
    ASSERT_NE(provider, nullptr) << provider_name;
    EXPECT_GE((*provider)["regions"].size(), 10u) << provider_name;
    std::set<std::string> regions;
    for (const auto& region : (*provider)["regions"]) {
      EXPECT_TRUE(regions.insert(region["name"].get<std::string>()).second) << region["name"];
      for (const auto& zone : region["zones"])
        EXPECT_EQ(zone.get<std::string>().rfind(region["name"].get<std::string>(), 0), 0u);
    }
  }
  const json* digitalocean = FindByName(providers, "DigitalOcean");
  for (const char* slug :
       {"nyc1", "nyc3", "sfo3", "ams3", "sgp1", "lon1", "fra1", "tor1", "blr1", "syd1"})
    EXPECT_NE(FindByName((*digitalocean)["regions"], slug), nullptr) << slug;

  const json* openstack = FindByName(providers, "OpenStack");
  EXPECT_FALSE((*openstack)["note"].get<std::string>().empty());
}

TEST(CatalogueServicesTest, NamesAreUniqueCaseInsensitively) {
  const json& services = DefaultServices();
  EXPECT_GE(services.size(), 250u);
  std::set<std::string> names;
  for (const auto& service : services) {
    EXPECT_TRUE(names.insert(Lower(service["name"])).second) << service["name"];
  }
  for (const char* name : {"PostgreSQL", "Redis", "nginx", "Apache Kafka", "OpenSSH",
                           "Kubernetes kubelet", "Apache Tomcat", "Node.js"})
    EXPECT_NE(FindByName(services, name), nullptr) << name;
}

TEST(CatalogueServicesTest, EveryServiceIsAValidDocument) {
  const EntitySpec& spec = *DefaultRegistry().Find("services");
  for (const auto& service : DefaultServices()) {
    auto status = ValidateDocument(spec, service);
    EXPECT_TRUE(status) << service.dump() << ": " << (status ? "" : status.error().message);
    EXPECT_FALSE(service["family"].empty()) << service["name"];
    EXPECT_FALSE(service["tags"].empty()) << service["name"];
  }
}

TEST(CatalogueFlavorsTest, EveryFlavorIsAValidDocument) {
  const EntitySpec& spec = *DefaultRegistry().Find("flavors");
  std::set<std::string> names;
  for (const auto& flavor : DefaultFlavors()) {
    auto status = ValidateDocument(spec, flavor);
    EXPECT_TRUE(status) << flavor.dump() << ": " << (status ? "" : status.error().message);
    EXPECT_GE(flavor["vcpus"].get<int>(), 1) << flavor["name"];
    EXPECT_GT(flavor["memory"].get<double>(), 0) << flavor["name"];
    EXPECT_TRUE(flavor["public"].get<bool>()) << flavor["name"];
    EXPECT_EQ(flavor["api_name"], flavor["name"]);
    EXPECT_TRUE(
        names
            .insert(flavor["provider"].get<std::string>() + "/" + flavor["name"].get<std::string>())
            .second)
        << flavor["name"];
  }
}

TEST(CatalogueFlavorsTest, KnownSizes) {
  struct Case {
    const char* name;
    const char* provider;
    int vcpus;
    double memory;
    double disk;  // 0: none
  };
  const Case cases[] = {
      {"m5.large", "AWS", 2, 8, 0},
      {"t3.micro", "AWS", 2, 1, 0},
      {"t2.nano", "AWS", 1, 0.5, 0},
      {"c5.9xlarge", "AWS", 36, 72, 0},
      {"r6i.4xlarge", "AWS", 16, 128, 0},
      {"m6g.medium", "AWS", 1, 4, 0},
      {"Standard_D2s_v5", "Azure", 2, 8, 0},
      {"Standard_B2s", "Azure", 2, 4, 0},
      {"Standard_E4s_v5", "Azure", 4, 32, 0},
      {"Standard_F8s_v2", "Azure", 8, 16, 0},
      {"s-2vcpu-4gb", "DigitalOcean", 2, 4, 80},
      {"s-1vcpu-1gb", "DigitalOcean", 1, 1, 25},
      {"c-2", "DigitalOcean", 2, 4, 25},
      {"g-2vcpu-8gb", "DigitalOcean", 2, 8, 25},
      {"m-2vcpu-16gb", "DigitalOcean", 2, 16, 50},
  };
  for (const auto& c : cases) {
    const json* flavor = FindByName(DefaultFlavors(), c.name);
    ASSERT_NE(flavor, nullptr) << c.name;
    EXPECT_EQ((*flavor)["provider"], c.provider) << c.name;
    EXPECT_EQ((*flavor)["vcpus"].get<int>(), c.vcpus) << c.name;
    EXPECT_DOUBLE_EQ((*flavor)["memory"].get<double>(), c.memory) << c.name;
    if (c.disk > 0) {
      EXPECT_DOUBLE_EQ((*flavor)["disk"].get<double>(), c.disk) << c.name;
    } else {
      EXPECT_FALSE(flavor->contains("disk")) << c.name;
    }
  }
}

}  // namespace
}  // namespace maestro::inventory
