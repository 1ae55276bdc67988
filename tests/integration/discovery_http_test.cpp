// Discovery through the HTTP API.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/api_client.h"
#include "support/test_server.h"

namespace maestro {
namespace {

using nlohmann::json;
using testing::ApiClient;

TEST(DiscoveryHttpTest, ProvidersListTheirCredentialsResourcesAndPolicy) {
  testing::TestServer server(store::Backend::kSqlite);
  ASSERT_TRUE(server.started());
  EXPECT_EQ(server.api().Call("GET", "/api/providers").status, 401);
  const auto user = server.api().SignUp("alice");
  auto reply = server.api().Call("GET", "/api/providers", user.token);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json providers = ApiClient::Body(reply);
  std::vector<std::string> names;
  for (const auto& provider : providers) names.push_back(provider["provider"]);
  EXPECT_EQ(names, (std::vector<std::string>{"aws", "azure", "openstack", "digitalocean",
                                             "do-spaces", "ansible", "terraform", "json"}));
  const json& digitalocean = providers[3];
  EXPECT_EQ(digitalocean["credentials"][0]["name"], "token");
  EXPECT_EQ(digitalocean["credentials"][0]["secret"], true);
  EXPECT_EQ(
      digitalocean["resources"][0],
      json({{"name", "server-list"}, {"default_every", "5m"}, {"calls", {"GET /v2/droplets"}}}));
  EXPECT_NE(providers[0]["policy"].get<std::string>().find("ec2:DescribeInstances"),
            std::string::npos);
}

}  // namespace
}  // namespace maestro
