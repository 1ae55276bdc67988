#include "discovery/providers.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "scheduler/timing.h"

namespace maestro::discovery {
namespace {

using nlohmann::json;

TEST(ProvidersTest, EveryProviderOfTheDataModelWithItsCredentials) {
  const std::map<std::string, std::vector<std::string>> expected = {
      {"aws", {"access_key", "secret_key"}},
      {"azure", {"tenant", "client_id", "client_secret", "subscription"}},
      {"openstack", {"auth_url", "username", "password", "project", "user_domain"}},
      {"digitalocean", {"token"}},
      {"do-spaces", {"access_key", "secret_key"}},
      {"ansible", {"upload", "ssh", "s3"}},
      {"terraform", {"upload", "ssh", "s3"}},
      {"json", {"upload", "ssh", "s3"}},
  };
  ASSERT_EQ(Providers().size(), expected.size());
  for (const auto& [name, fields] : expected) {
    const Provider* provider = FindProvider(name);
    ASSERT_NE(provider, nullptr) << name;
    std::vector<std::string> got;
    for (const auto& field : provider->credentials) got.emplace_back(field.name);
    EXPECT_EQ(got, fields) << name;
  }
  EXPECT_EQ(FindProvider("gcp"), nullptr);
}

TEST(ProvidersTest, ResourcesHaveTheDataModelsDefaultPeriods) {
  const std::map<std::string, std::string> periods = {
      {"server-list", "5m"},         {"loadbalance-list", "6h"},
      {"volumes-list", "6h"},        {"security-list", "6h"},
      {"serverless-list", "12h"},    {"dbs-list", "1d"},
      {"storage-object-list", "1d"}, {"cache-list", "1d"},
      {"smtp-list", "1d"},           {"container-orchestration-list", "1d"},
      {"dynamodb-list", "3d"},       {"gateway-list", "3d"},
      {"cdns-list", "5d"},           {"brokers-list", "5d"},
      {"network-list", "7d"},        {"snapshot-list", "14d"},
      {"images-list", "14d"},        {"flavor-list", "14d"},
  };
  for (const auto& provider : Providers()) {
    EXPECT_FALSE(provider.resources.empty()) << provider.name;
    for (const auto& resource : provider.resources) {
      EXPECT_TRUE(scheduler::ParseEvery(resource.default_every)) << resource.name;
      EXPECT_FALSE(resource.calls.empty()) << provider.name << " " << resource.name;
      if (auto it = periods.find(std::string(resource.name)); it != periods.end()) {
        EXPECT_EQ(resource.default_every, it->second) << provider.name << " " << resource.name;
      }
    }
  }
  // The AWS list of the discovery issue, every one of them.
  for (const char* name :
       {"server-list", "loadbalance-list", "dbs-list", "storage-object-list", "volumes-list",
        "cdns-list", "snapshot-list", "images-list", "security-list", "network-list",
        "autoscaling-list", "cache-list", "brokers-list", "smtp-list", "serverless-list",
        "dynamodb-list", "gateway-list"}) {
    EXPECT_NE(FindResource(*FindProvider("aws"), name), nullptr) << name;
  }
}

TEST(ProvidersTest, TheAwsPolicyAllowsEveryCallAndOnlyReads) {
  const json policy = json::parse(Policy(*FindProvider("aws")));
  const json actions = policy["Statement"][0]["Action"];
  for (const auto& resource : FindProvider("aws")->resources) {
    for (auto call : resource.calls) {
      const std::string action(call.substr(0, call.find(' ')));
      EXPECT_NE(std::find(actions.begin(), actions.end(), action), actions.end()) << action;
    }
  }
  for (const auto& action : actions) {
    const std::string verb =
        action.get<std::string>().substr(action.get<std::string>().find(':') + 1);
    EXPECT_TRUE(verb.starts_with("Describe") || verb.starts_with("List") ||
                verb.starts_with("Get") || verb == "GET")
        << verb;
  }
  const json azure = json::parse(Policy(*FindProvider("azure")));
  for (const auto& action : azure["Actions"]) {
    EXPECT_TRUE(action.get<std::string>().ends_with("/read")) << action;
  }
}

TEST(ProvidersTest, DescribedForTheApi) {
  const json described = DescribeProviders();
  ASSERT_EQ(described.size(), Providers().size());
  const json& aws = described[0];
  EXPECT_EQ(aws["provider"], "aws");
  EXPECT_EQ(aws["credentials"][1],
            json({{"name", "secret_key"}, {"label", "Secret access key"}, {"secret", true}}));
  EXPECT_EQ(aws["resources"][0]["name"], "server-list");
  EXPECT_EQ(aws["resources"][0]["default_every"], "5m");
  EXPECT_TRUE(aws["policy"].is_string());
}

}  // namespace
}  // namespace maestro::discovery
