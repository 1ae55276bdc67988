// Import of the original's JSON format over HTTP, on both backends: quirks, upsert by natural
// key, per-record errors, bad files.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "support/api_client.h"
#include "support/test_server.h"

namespace maestro {
namespace {

using nlohmann::json;
using store::Backend;
using testing::ApiClient;

// Shaped like the example of the original's documentation, quirks included.
const json kOriginalFile = json::parse(R"({
  "servers": [
    {"_id": "5f1b2c", "name": "web-01", "hostname": "web-01.example", "ipv4_private": "10.0.0.10",
     "ipv4_public": "54.1.2.3", "os": {"base": "Linux", "dist": "Ubuntu", "version": "20.04"},
     "datacenters": {"name": "AWS - Virginia", "provider": "AWS", "region": "us-east-1", "zone": "us-east-1a"},
     "role": "Application", "environment": "Production",
     "services": [{"name": "nginx", "version": "1.18"}, "redis"], "tags": [{"key": "team", "value": "web"}, {}],
     "cpu": "2", "memory": "4", "storage": [{"name": "root", "size": "50", "root": "true"}, {}]},
    {"hostname": "db-01.example", "ipv4_private": "10.0.0.11", "cpu": 8, "memory": 32,
     "datacenters": {"name": "AWS - Virginia", "provider": "AWS", "region": "us-east-1"}}
  ],
  "applications": [{"name": "shop", "family": "Applications", "environment": "Production"}],
  "volumes": [{"name": "vol-1", "size": "500", "status": "Active", "encrypted": "false"}],
  "snapshots": [],
  "images": [{"name": "ami-base", "public": false}],
  "flavors": [{"name": "t3.micro", "provider": "AWS", "vcpus": "2", "memory": "1"}]
})");

class ImportHttpTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started());
    alice_ = api_->SignUp("alice");
  }

  json Import(const json& file, const std::string& query = "?format=json") {
    auto reply = api_->Call("POST", "/api/import" + query, alice_.token, file);
    EXPECT_EQ(reply.status, 202) << reply.body;
    const json queued = ApiClient::Body(reply)["job"];
    EXPECT_EQ(queued["type"], "import");
    return api_->AwaitJob(alice_.token, queued.value("id", ""));
  }
  json List(const std::string& kind) {
    return ApiClient::Body(
        api_->Call("GET", "/api/" + kind + "?limit=100&sort=name", alice_.token))["items"];
  }

  testing::TestServer server_{GetParam()};
  testing::ApiClient* api_ = &server_.api();
  ApiClient::User alice_;
};

TEST_P(ImportHttpTest, ImportsTheOriginalsFormatWithItsQuirks) {
  const json job = Import(kOriginalFile);
  EXPECT_EQ(job["status"], "succeeded");
  EXPECT_EQ(job["result"]["total"], 6);
  EXPECT_EQ(job["result"]["created"], 6) << job.dump();
  EXPECT_EQ(job["result"]["errors"], json::array());

  const json datacenters = List("datacenters");
  ASSERT_EQ(datacenters.size(), 1u) << "found by name the second time, not created twice";
  EXPECT_EQ(datacenters[0]["provider"], "AWS");
  const std::string dc = datacenters[0]["id"];

  const json servers =
      ApiClient::Body(api_->Call("GET", "/api/servers?sort=hostname", alice_.token))["items"];
  ASSERT_EQ(servers.size(), 2u);
  const json& web = servers[1];
  EXPECT_EQ(web["hostname"], "web-01.example");
  EXPECT_EQ(web["source"], "import");
  EXPECT_EQ(web["cpu"], 2);
  EXPECT_EQ(web["memory"], 4);
  EXPECT_EQ(web["datacenter"], json({{"id", dc}, {"region", "us-east-1"}, {"zone", "us-east-1a"}}));
  EXPECT_EQ(web["storage"], json::array({{{"name", "root"}, {"size", 50}, {"root", true}}}));
  EXPECT_EQ(web["tags"].size(), 1u);
  EXPECT_EQ(web["services"][1], json({{"name", "redis"}}));
  EXPECT_FALSE(web.contains("_id"));
  EXPECT_EQ(List("applications")[0]["family"], "Application");
  EXPECT_EQ(List("volumes")[0]["size"], 500);
  EXPECT_EQ(List("volumes")[0]["encrypted"], false);
  EXPECT_EQ(List("flavors")[0]["vcpus"], 2);
}

TEST_P(ImportHttpTest, ImportingAgainNeverDuplicates) {
  Import(kOriginalFile);
  const json again = Import(kOriginalFile);
  EXPECT_EQ(again["result"]["created"], 0);
  EXPECT_EQ(again["result"]["unchanged"], 6) << again.dump();
  json changed = kOriginalFile;
  changed["servers"][1]["memory"] = 64;
  const json third = Import(changed);
  EXPECT_EQ(third["result"]["updated"], 1);
  EXPECT_EQ(List("servers").size(), 2u);
  // The same hostname in another datacenter is another server.
  json elsewhere = json::object();
  elsewhere["servers"] = {{{"hostname", "db-01.example"},
                           {"datacenters", {{"name", "Azure EU"}, {"provider", "Azure"}}}}};
  EXPECT_EQ(Import(elsewhere)["result"]["created"], 1);
  EXPECT_EQ(List("servers").size(), 3u);
}

TEST_P(ImportHttpTest, BadRecordsAreReportedAndTheRestIsKept) {
  const json file = json::parse(R"({
    "servers": [{"hostname": "ok-1"}, {"ipv4_private": "10.0.0.1"}, {"hostname": "bad-ip", "ipv4_private": "999.1.1.1"}],
    "applications": [{"name": "app", "family": "NoSuchFamily"}],
    "widgets": []
  })");
  const json job = Import(file);
  EXPECT_EQ(job["result"]["created"], 1);
  const json errors = job["result"]["errors"];
  ASSERT_EQ(errors.size(), 4u) << errors.dump();
  std::set<std::string> where;
  for (const auto& error : errors) {
    where.insert(error["section"].get<std::string>() + ":" +
                 (error["index"].is_null() ? "-" : std::to_string(error["index"].get<int>())));
  }
  EXPECT_EQ(where,
            (std::set<std::string>{"servers:1", "servers:2", "applications:0", "widgets:-"}));
  EXPECT_EQ(List("servers").size(), 1u);
}

// New records are written in batches of 500: a large file keeps every record, reports bad ones
// at their own index, and a hostname given twice updates the record its first mention created.
TEST_P(ImportHttpTest, LargeFilesAreWrittenInBatchesWithTheSameResult) {
  json servers = json::array();
  for (int i = 0; i < 1203; ++i) servers.push_back({{"hostname", fmt::format("bulk-{:04}", i)}});
  servers[700] = {{"hostname", "bulk-bad"}, {"ipv4_private", "not an address"}};
  servers[1100] = {{"hostname", "bulk-0003"}, {"cpu", 8}};  // bulk-0003 again, in another batch
  servers.push_back({{"hostname", "twice"}, {"cpu", 1}});
  servers.push_back({{"hostname", "twice"}, {"cpu", 2}});  // again, in the same batch
  const json job = Import({{"servers", servers}});
  EXPECT_EQ(job["result"]["total"], 1205);
  EXPECT_EQ(job["result"]["created"], 1202) << "1203 - the bad one - bulk-0003's second mention "
                                               "+ twice";
  EXPECT_EQ(job["result"]["updated"], 2);
  ASSERT_EQ(job["result"]["errors"].size(), 1u) << job["result"]["errors"].dump();
  EXPECT_EQ(job["result"]["errors"][0]["index"], 700);
  EXPECT_EQ(job["progress"]["done"], 1205);

  auto count = api_->Call("GET", "/api/servers/count", alice_.token);
  EXPECT_EQ(ApiClient::Body(count)["count"], 1202);
  const json again =
      ApiClient::Body(api_->Call("GET", "/api/servers?hostname=bulk-0003", alice_.token))["items"];
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["cpu"], 8);
  EXPECT_EQ(again[0]["version"], 2);
  const json twice =
      ApiClient::Body(api_->Call("GET", "/api/servers?hostname=twice", alice_.token))["items"];
  ASSERT_EQ(twice.size(), 1u);
  EXPECT_EQ(twice[0]["cpu"], 2);
  // Each created record has its first history entry, as if created through the API.
  const std::string id = again[0]["id"];
  const json history =
      ApiClient::Body(api_->Call("GET", "/api/servers/" + id + "/history", alice_.token));
  ASSERT_EQ(history["items"].size(), 2u) << history.dump();
  EXPECT_EQ(history["items"][1]["action"], "create");
  const json first =
      ApiClient::Body(api_->Call("GET", "/api/servers/" + id + "/history/1", alice_.token));
  EXPECT_EQ(first["hostname"], "bulk-0003") << first.dump();
  EXPECT_EQ(first["version"], 1);
  EXPECT_FALSE(first.contains("cpu"));
}

TEST_P(ImportHttpTest, BadFilesAreClearErrors) {
  auto malformed =
      testing::HttpRequest(server_.port(), "POST", "/api/import?format=json", "{\"servers\": [",
                           {{"Authorization", "Bearer " + alice_.token}});
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(ApiClient::Body(malformed)["error"]["message"].get<std::string>().find("not JSON"),
            std::string::npos);
  EXPECT_EQ(api_->Call("POST", "/api/import", alice_.token, json::array({1})).status, 400);
  // A byte order mark (as some editors save) before the object is no problem.
  auto marked = testing::HttpRequest(server_.port(), "POST", "/api/import?format=json",
                                     "\xEF\xBB\xBF {\"servers\": []}",
                                     {{"Authorization", "Bearer " + alice_.token}});
  EXPECT_EQ(marked.status, 202) << marked.body;
  EXPECT_EQ(api_->Call("POST", "/api/import?format=terraform", alice_.token, kOriginalFile).status,
            400);
  EXPECT_EQ(api_->Call("POST", "/api/import?datacenter=01ARZ3NDEKTSV4RRFFQ69G5FAV", alice_.token,
                       kOriginalFile)
                .status,
            422);
  EXPECT_EQ(api_->Call("POST", "/api/import", "", kOriginalFile).status, 401);
  EXPECT_TRUE(List("servers").empty());
}

TEST_P(ImportHttpTest, TakesAMultipartUploadAndADefaultDatacenter) {
  const std::string dc =
      ApiClient::Body(api_->Call("POST", "/api/datacenters", alice_.token,
                                 {{"name", "Lab"}, {"provider", "Bare metal"}}))["id"];
  const std::string boundary = "maestro-import";
  const std::string body =
      "--" + boundary +
      "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.json\"\r\n\r\n" +
      json{{"servers", {{{"hostname", "lab-1"}}}}}.dump() + "\r\n--" + boundary + "--\r\n";
  auto reply =
      testing::HttpRequest(server_.port(), "POST", "/api/import?datacenter=" + dc, body,
                           {{"Authorization", "Bearer " + alice_.token},
                            {"Content-Type", "multipart/form-data; boundary=" + boundary}});
  ASSERT_EQ(reply.status, 202) << reply.body;
  EXPECT_EQ(api_->AwaitJob(alice_.token, ApiClient::Body(reply)["job"]["id"])["status"],
            "succeeded");
  EXPECT_EQ(List("servers")[0]["datacenter"]["id"], dc);
}

INSTANTIATE_TEST_SUITE_P(Backends, ImportHttpTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace maestro
