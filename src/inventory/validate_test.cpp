#include "inventory/validate.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace maestro::inventory {
namespace {

using nlohmann::json;

std::map<std::string, std::string> Problems(const EntitySpec& spec, const json& doc) {
  std::map<std::string, std::string> out;
  auto status = ValidateDocument(spec, doc);
  if (!status) {
    for (const auto& field : status.error().fields) out[field.field] = field.problem;
  }
  return out;
}

const EntitySpec& Servers() { return *DefaultRegistry().Find("servers"); }

TEST(ValidateDocumentTest, AcceptsAFullServer) {
  const json server = json::parse(R"({
    "hostname": "web-1", "ipv4_private": "10.0.0.5", "ipv6": ["fe80::1"],
    "os": {"base": "Linux", "dist": "Debian", "version": "12"}, "cpu": 4, "memory": 15.5,
    "storage": [{"name": "root", "size": 100, "root": true}],
    "status": "Active", "datacenter": {"region": "eu-west-1", "vpc_id": "vpc-1"},
    "tags": [{"key": "team", "value": "web"}], "metas": {"anything": [1, 2]}})");
  EXPECT_TRUE(ValidateDocument(Servers(), server))
      << ValidateDocument(Servers(), server).error().message;
}

TEST(ValidateDocumentTest, NamesEveryProblemByPath) {
  const json server = json::parse(R"({
    "ipv4_private": "10.0.0.300", "cpu": 4.5, "memory": "16", "status": "Running",
    "os": {"base": "Linux", "kernel": "6.1"}, "storage": [{"size": "big"}],
    "tags": [{"value": "x"}], "colour": "blue", "datacenter": {"id": "not-an-id"}})");
  auto problems = Problems(Servers(), server);
  EXPECT_EQ(problems["hostname"], "is required");
  EXPECT_EQ(problems["ipv4_private"], "must be an IPv4 or IPv6 address");
  EXPECT_EQ(problems["cpu"], "must be a whole number");
  EXPECT_EQ(problems["memory"], "must be a number");
  EXPECT_EQ(problems["status"], "must be one of Active, Available, Stopped");
  EXPECT_EQ(problems["os.kernel"], "is not a field of os");
  EXPECT_EQ(problems["storage.0.size"], "must be a number");
  EXPECT_EQ(problems["tags.0.key"], "is required");
  EXPECT_EQ(problems["colour"], "is not a field of servers");
  EXPECT_EQ(problems["datacenter.id"], "must be the id of a record of datacenters");
  EXPECT_EQ(problems.size(), 10u);
}

TEST(ValidateDocumentTest, RejectsControlCharactersExceptInMultiLineText) {
  const EntitySpec& systems = *DefaultRegistry().Find("systems");
  EXPECT_EQ(Problems(systems, {{"name", "a\tb"}})["name"], "must not contain control characters");
  EXPECT_TRUE(Problems(systems, {{"name", "ok"}, {"description", "line 1\nline 2\tx"}}).empty());
}

TEST(ValidateDocumentTest, RequiredTextMustNotBeEmptyAndListsHaveLimits) {
  EXPECT_EQ(Problems(Servers(), {{"hostname", ""}})["hostname"], "must not be empty");
  json many = json::array();
  for (int i = 0; i < 51; ++i) many.push_back("::1");
  EXPECT_EQ(Problems(Servers(), {{"hostname", "h"}, {"ipv6", many}})["ipv6"],
            "must have at most 50 items");
}

TEST(ValidateDocumentTest, FreeJsonFieldsMayNotNestTooDeep) {
  json deep = 1;
  for (int i = 0; i < 25; ++i) deep = json{{"a", deep}};
  EXPECT_EQ(Problems(Servers(), {{"hostname", "h"}, {"metas", deep}})["metas"],
            "nests more than 20 levels deep");
  json shallow = 1;
  for (int i = 0; i < 10; ++i) shallow = json{{"a", json::array({shallow})}};
  EXPECT_TRUE(Problems(Servers(), {{"hostname", "h"}, {"metas", shallow}}).empty());
}

TEST(IsRfc3339Test, AcceptsInternetTimesOnly) {
  for (const char* good : {"2026-11-24T02:16:32Z", "2026-11-24T02:16:32.123456+01:00"}) {
    EXPECT_TRUE(IsRfc3339(good)) << good;
  }
  for (const char* bad :
       {"2026-11-24", "2026-13-01T00:00:00Z", "yesterday", "2026-11-24 02:16:32Z"}) {
    EXPECT_FALSE(IsRfc3339(bad)) << bad;
  }
}

TEST(DropNullsTest, RemovesNullMembersRecursively) {
  json doc = {{"a", nullptr}, {"b", {{"c", nullptr}, {"d", 1}}}, {"e", json::array({nullptr})}};
  DropNulls(doc);
  EXPECT_EQ(doc, json::parse(R"({"b": {"d": 1}, "e": [null]})"));
}

}  // namespace
}  // namespace maestro::inventory
