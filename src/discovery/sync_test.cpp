#include "discovery/sync.h"

#include <gtest/gtest.h>

#include "discovery/connector.h"

namespace maestro::discovery {
namespace {

using nlohmann::json;

TEST(PayloadChecksum, SameFieldsSameChecksumWhateverTheOrder) {
  const json a = json::parse(R"({"hostname": "web-1", "cpu": 2, "tags": [{"key": "a"}]})");
  const json b = json::parse(R"({"tags": [{"key": "a"}], "cpu": 2, "hostname": "web-1"})");
  EXPECT_EQ(PayloadChecksum(a), PayloadChecksum(b));
  EXPECT_EQ(PayloadChecksum(a).size(), 16u);
  json c = a;
  c["cpu"] = 4;
  EXPECT_NE(PayloadChecksum(a), PayloadChecksum(c));
}

TEST(MergeProvided, KeepsAPersonsEditUntilTheProviderChangesThatField) {
  const json before = {{"hostname", "web-1"}, {"environment", "prod"}, {"cpu", 2}};
  // A person changed the environment and added a description.
  const json current = {{"hostname", "web-1"},
                        {"environment", "staging"},
                        {"cpu", 2},
                        {"description", "kept by hand"}};
  // The provider changed cpu only: the person's environment stays.
  json after = before;
  after["cpu"] = 4;
  json merged = MergeProvided(current, before, after);
  EXPECT_EQ(merged["cpu"], 4);
  EXPECT_EQ(merged["environment"], "staging");
  EXPECT_EQ(merged["description"], "kept by hand");
  // Now the provider changes the environment too: its value wins.
  json later = after;
  later["environment"] = "qa";
  merged = MergeProvided(merged, after, later);
  EXPECT_EQ(merged["environment"], "qa");
  // A field the provider no longer gives goes away.
  json dropped = later;
  dropped.erase("cpu");
  merged = MergeProvided(merged, later, dropped);
  EXPECT_FALSE(merged.contains("cpu"));
  EXPECT_EQ(merged["description"], "kept by hand");
}

TEST(MergeProvided, NothingKnownBeforeTakesEveryProvidedField) {
  const json current = {{"hostname", "old"}, {"role", "db"}};
  const json after = {{"hostname", "new"}};
  const json merged = MergeProvided(current, json::object(), after);
  EXPECT_EQ(merged["hostname"], "new");
  EXPECT_EQ(merged["role"], "db");
}

TEST(Supports, OnlyResourcesWithAConnector) {
  EXPECT_TRUE(Supports("aws", "server-list"));
  EXPECT_TRUE(Supports("digitalocean", "network-list"));
  EXPECT_TRUE(Supports("terraform", "storage-list"));
  EXPECT_FALSE(Supports("aws", "no-such-list"));
  EXPECT_FALSE(Supports("nowhere", "server-list"));
}

}  // namespace
}  // namespace maestro::discovery
