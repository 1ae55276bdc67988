// Connections and syncs through the HTTP API, on both backends, against replay servers that speak
// the providers' protocols: AWS Query/XML with Signature V4 checked, DigitalOcean's bearer-token
// JSON with links.pages paging, and uploaded files (Terraform state). Published payloads come from
// ../shared/fixtures/providers (read by path).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "blobs/s3_blob_store.h"
#include "common/ids.h"
#include "common/validation.h"
#include "support/api_client.h"
#include "support/capture_server.h"
#include "support/http_client.h"
#include "support/process.h"
#include "support/test_server.h"
#include "support/test_support.h"

namespace maestro {
namespace {

using nlohmann::json;
using store::Backend;
using testing::ApiClient;
using testing::CapturedRequest;
using testing::ReplayReply;
using testing::ReplayServer;

constexpr const char* kAccessKey = "AKIDMAESTROTEST";
constexpr const char* kSecretKey = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYSECRETKEY";

// A published payload of ../shared/fixtures/providers (beside the project, not copied into it).
std::string Fixture(const std::string& path) {
  const auto file = testing::SourceDir().parent_path() / "shared" / "fixtures" / "providers" / path;
  if (!std::filesystem::exists(file)) {
    ADD_FAILURE() << "fixture " << file << " is missing: ../shared/fixtures must sit beside the "
                  << "project";
    return "{}";
  }
  return testing::ReadFile(file);
}

// The value of one form field of a Query request body.
std::string FormValue(const std::string& body, const std::string& key) {
  const std::string needle = key + "=";
  std::size_t at = 0;
  while ((at = body.find(needle, at)) != std::string::npos) {
    if (at == 0 || body[at - 1] == '&') {
      const auto end = body.find('&', at);
      return body.substr(at + needle.size(),
                         end == std::string::npos ? std::string::npos : end - at - needle.size());
    }
    at += needle.size();
  }
  return "";
}

// An EC2 instance the fake account holds.
struct Instance {
  std::string id;
  std::string name;
  std::string ip;
  std::string type = "t3.micro";
  std::string state = "running";
};

std::string InstanceXml(const Instance& i) {
  return fmt::format(
      "<item><instanceId>{}</instanceId><imageId>ami-1</imageId><instanceState><code>16</code>"
      "<name>{}</name></instanceState><privateDnsName>ip.internal</privateDnsName><instanceType>{}"
      "</instanceType><placement><availabilityZone>us-east-1a</availabilityZone></placement>"
      "<privateIpAddress>{}</privateIpAddress><tagSet><item><key>Name</key><value>{}</value></item>"
      "<item><key>environment</key><value>prod</value></item></tagSet></item>",
      i.id, i.state, i.type, i.ip, i.name);
}

// AWS as far as the connector needs it: checks each request's Signature V4 header, pages
// DescribeInstances `page_size` at a time, and fails or throttles on request.
class FakeAws {
 public:
  FakeAws() : server_([this](const CapturedRequest& request) { return Answer(request); }) {}

  std::string url() const { return server_.url(); }
  std::vector<CapturedRequest> requests() const { return server_.requests(); }

  void Set(std::vector<Instance> instances) {
    std::lock_guard lock(mutex_);
    instances_ = std::move(instances);
  }
  std::size_t page_size = 2;
  std::atomic<int> throttle_next{0};  // so many calls answer Throttling first
  std::atomic<int> fail_page{-1};     // this page (0-based) answers 500
  std::string fixture;                // when set, DescribeInstances answers this
  // Other calls: "<Action>@<Version>" (Query) or "GET <path>" (REST) → (signing service, body).
  std::map<std::string, std::pair<std::string, std::string>> replies;

  // Problems of the Authorization header ("" when it is well formed for `service`).
  static std::string SignatureProblem(const CapturedRequest& request, const std::string& service) {
    static const std::regex shape(
        "AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)/(\\d{8})/([a-z0-9-]+)/([a-z0-9]+)/aws4_request, "
        "SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");
    std::smatch m;
    const std::string header = request.Header("authorization");
    if (!std::regex_match(header, m, shape)) return "malformed: " + header;
    if (m[4] != service) return "service " + m[4].str();
    const std::string date = request.Header("x-amz-date");
    if (!std::regex_match(date, std::regex("\\d{8}T\\d{6}Z")) || date.substr(0, 8) != m[2]) {
      return "x-amz-date " + date + " does not match the scope date " + m[2].str();
    }
    const std::string signed_headers = m[5];
    if (signed_headers.find("host") == std::string::npos ||
        signed_headers.find("x-amz-date") == std::string::npos) {
      return "signed headers " + signed_headers;
    }
    return "";
  }

 private:
  ReplayReply Answer(const CapturedRequest& request) {
    const std::string action = FormValue(request.body, "Action");
    const std::string key =
        action.empty() ? request.method + " " + request.target.substr(0, request.target.find('?'))
                       : action + "@" + FormValue(request.body, "Version");
    std::string service = action == "GetCallerIdentity" ? "sts" : "ec2";
    if (auto reply = replies.find(key); reply != replies.end()) service = reply->second.first;
    if (auto problem = SignatureProblem(request, service); !problem.empty()) {
      return {.status = 400,
              .body =
                  "<Response><Errors><Error><Code>IncompleteSignature</Code>"
                  "<Message>" +
                  problem + "</Message></Error></Errors></Response>",
              .content_type = "text/xml"};
    }
    if (request.Header("authorization").find(std::string("Credential=") + kAccessKey + "/") ==
        std::string::npos) {
      return {.status = 401,
              .body =
                  "<Response><Errors><Error><Code>AuthFailure</Code><Message>AWS was not able "
                  "to validate the provided access credentials</Message></Error></Errors>"
                  "</Response>",
              .content_type = "text/xml"};
    }
    if (throttle_next > 0) {
      --throttle_next;
      return {.status = 400,
              .body =
                  "<Response><Errors><Error><Code>Throttling</Code><Message>Rate exceeded"
                  "</Message></Error></Errors></Response>",
              .content_type = "text/xml"};
    }
    if (action == "GetCallerIdentity") {
      return {.body =
                  "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::"
                  "123456789012:user/maestro</Arn><Account>123456789012</Account>"
                  "</GetCallerIdentityResult></GetCallerIdentityResponse>",
              .content_type = "text/xml"};
    }
    if (auto reply = replies.find(key); reply != replies.end()) {
      return {.body = reply->second.second, .content_type = "text/xml"};
    }
    if (action != "DescribeInstances") return {.status = 400, .body = "<Error/>"};
    if (!fixture.empty()) return {.body = fixture, .content_type = "text/xml"};
    std::lock_guard lock(mutex_);
    const std::string token = FormValue(request.body, "NextToken");
    const std::size_t first = token.empty() ? 0 : std::stoul(token);
    if (static_cast<int>(first / page_size) == fail_page) {
      // Not a transient error, so that the job is not retried.
      return {.status = 400,
              .body =
                  "<Response><Errors><Error><Code>InvalidParameterValue</Code></Error>"
                  "</Errors></Response>",
              .content_type = "text/xml"};
    }
    std::string items;
    for (std::size_t i = first; i < std::min(instances_.size(), first + page_size); ++i) {
      items += InstanceXml(instances_[i]);
    }
    const std::string next =
        first + page_size < instances_.size() ? std::to_string(first + page_size) : "";
    return {.body = fmt::format("<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/"
                                "2016-11-15/\"><reservationSet><item><instancesSet>{}"
                                "</instancesSet></item></reservationSet>{}"
                                "</DescribeInstancesResponse>",
                                items, next.empty() ? "" : "<nextToken>" + next + "</nextToken>"),
            .content_type = "text/xml"};
  }

  std::mutex mutex_;
  std::vector<Instance> instances_;
  ReplayServer server_;
};

class DiscoverySyncTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started());
    alice_ = api_->SignUp("alice");
    auto datacenter = api_->Call("POST", "/api/datacenters", alice_.token,
                                 {{"name", "aws-prod"}, {"provider", "AWS"}});
    ASSERT_EQ(datacenter.status, 201) << datacenter.body;
    datacenter_ = ApiClient::Body(datacenter)["id"];
  }

  json Create(const json& body, int expected = 201) {
    auto created = api_->Call("POST", "/api/connections", alice_.token, body);
    EXPECT_EQ(created.status, expected) << created.body;
    return ApiClient::Body(created);
  }

  json AwsConnection(const std::string& endpoint, json extra = json::object()) {
    json body = {{"name", "prod account"},
                 {"provider", "aws"},
                 {"datacenter", datacenter_},
                 {"regions", {"us-east-1"}},
                 {"endpoint", endpoint},
                 {"enabled", false},  // no schedule runs by itself: the test syncs
                 {"resources", {{"server-list", {{"enabled", true}}}}},
                 {"credentials", {{"access_key", kAccessKey}, {"secret_key", kSecretKey}}}};
    body.update(extra);
    return Create(body);
  }

  // Syncs one resource now and waits for its job.
  json Sync(const std::string& id, const std::string& resource = "server-list") {
    auto sync = api_->Call("POST", "/api/connections/" + id + "/sync", alice_.token,
                           {{"resources", {resource}}});
    EXPECT_EQ(sync.status, 202) << sync.body;
    const json jobs = ApiClient::Body(sync)["jobs"];
    EXPECT_EQ(jobs.size(), 1u);
    return api_->AwaitJob(alice_.token, jobs[0].value("id", ""));
  }

  // The servers of the datacenter (active or not), by hostname.
  std::map<std::string, json> Servers() {
    std::map<std::string, json> out;
    for (const char* active : {"true", "false"}) {
      auto list =
          api_->Call("GET", fmt::format("/api/servers?limit=200&active={}", active), alice_.token);
      EXPECT_EQ(list.status, 200) << list.body;
      const json body = ApiClient::Body(list);
      for (const auto& item : body["items"]) out[item["hostname"]] = item;
    }
    return out;
  }

  testing::TestServer server_{GetParam()};
  ApiClient* api_ = &server_.api();
  ApiClient::User alice_;
  std::string datacenter_;
};

TEST_P(DiscoverySyncTest, ConnectionsKeepCredentialsSealedAndOwnTheirSchedules) {
  // Bad bodies: each problem named.
  auto bad = api_->Call("POST", "/api/connections", alice_.token,
                        {{"name", "x"},
                         {"provider", "aws"},
                         {"datacenter", "nope"},
                         {"resources", {{"teleport-list", {{"enabled", true}}}}},
                         {"credentials", {{"access_key", kAccessKey}}},
                         {"colour", "red"}});
  ASSERT_EQ(bad.status, 422) << bad.body;
  std::string problems;
  const json bad_body = ApiClient::Body(bad);
  for (const auto& detail : bad_body["error"]["details"]) {
    problems += detail.value("field", "") + "|";
  }
  for (const char* field : {"datacenter|", "resources.teleport-list|", "credentials.secret_key|",
                            "colour|", "regions|"}) {
    EXPECT_NE(problems.find(field), std::string::npos) << field << " in " << problems;
  }
  EXPECT_EQ(api_->Call("POST", "/api/connections", alice_.token, json::array()).status, 400);
  EXPECT_EQ(ApiClient::Body(
                api_->Call("POST", "/api/connections", alice_.token,
                           {{"name", "x"},
                            {"provider", "nowhere"},
                            {"datacenter", datacenter_},
                            {"credentials", json::object()}}))["error"]["details"][0]["field"],
            "provider");

  auto no_upload = api_->Call("POST", "/api/connections", alice_.token,
                              {{"name", "tf"},
                               {"provider", "terraform"},
                               {"datacenter", datacenter_},
                               {"credentials", {{"upload", "01NOSUCHUPLOAD"}}}});
  ASSERT_EQ(no_upload.status, 422) << no_upload.body;
  EXPECT_EQ(ApiClient::Body(no_upload)["error"]["details"][0]["field"], "credentials.upload");

  // Created enabled: a schedule per resource, run at once.
  json connection = Create({{"name", "do"},
                            {"provider", "digitalocean"},
                            {"datacenter", datacenter_},
                            {"endpoint", "http://127.0.0.1:9"},
                            {"resources",
                             {{"server-list", {{"enabled", true}, {"every", "10m"}}},
                              {"volumes-list", {{"enabled", false}}}}},
                            {"credentials", {{"token", kSecretKey}}}});
  const std::string id = connection["id"];
  EXPECT_EQ(connection["credentials"], json({{"token", "set"}}));
  const std::string schedule = connection["resources"]["server-list"]["schedule"];
  EXPECT_FALSE(connection["resources"]["volumes-list"].contains("schedule"));
  auto scheduled = api_->Call("GET", "/api/schedules/" + schedule, alice_.token);
  ASSERT_EQ(scheduled.status, 200) << scheduled.body;
  EXPECT_EQ(ApiClient::Body(scheduled)["task"], "sync");
  EXPECT_EQ(ApiClient::Body(scheduled)["every"], "10m");
  EXPECT_EQ(ApiClient::Body(scheduled)["args"],
            json({{"connection", id}, {"resource", "server-list"}}));

  // Another user sees none of it.
  const auto bob = api_->SignUp("bob");
  EXPECT_EQ(api_->Call("GET", "/api/connections/" + id, bob.token).status, 404);
  EXPECT_EQ(ApiClient::Body(api_->Call("GET", "/api/connections", bob.token))["total"], 0);

  // A patch of the name keeps the credentials; "set" sent back keeps them too.
  auto renamed = api_->Call("PATCH", "/api/connections/" + id, alice_.token,
                            {{"name", "do main"}, {"credentials", {{"token", "set"}}}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(ApiClient::Body(renamed)["credentials"], json({{"token", "set"}}));
  // Disabling the resource removes its schedule; the connection's switch reaches the others.
  auto disabled = api_->Call("PATCH", "/api/connections/" + id, alice_.token,
                             {{"resources", {{"server-list", {{"enabled", false}}}}}});
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(api_->Call("GET", "/api/schedules/" + schedule, alice_.token).status, 404);
  EXPECT_EQ(
      api_->Call("PATCH", "/api/connections/" + id, alice_.token, {{"provider", "aws"}}).status,
      422);

  // The secret never comes back, and is stored sealed only.
  for (const auto& reply : {api_->Call("GET", "/api/connections", alice_.token),
                            api_->Call("GET", "/api/connections/" + id, alice_.token),
                            api_->Call("GET", "/api/events", alice_.token),
                            api_->Call("GET", "/api/jobs", alice_.token)}) {
    EXPECT_EQ(reply.body.find(kSecretKey), std::string::npos) << reply.body;
  }
  for (const char* table : {"connections", "schedules", "jobs", "events", "history", "records"}) {
    auto rows = server_.store()->Query(fmt::format("SELECT * FROM {}", table), {});
    ASSERT_TRUE(rows) << rows.error().message;
    for (const auto& row : rows->rows) {
      for (const auto& value : row) {
        if (store::IsNull(value)) continue;
        const auto text = store::AsString(value);
        EXPECT_EQ(text.find(kSecretKey), std::string::npos) << table;
      }
    }
  }

  // Nor in the database's files (SQLite: the file and its write-ahead log, byte for byte).
  if (GetParam() == Backend::kSqlite) {
    std::string path = server_.db_uri().substr(std::string("sqlite:").size());
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    for (const std::string& file : {path, path + "-wal"}) {
      if (!std::filesystem::exists(file)) continue;
      EXPECT_EQ(testing::ReadFile(file).find(kSecretKey), std::string::npos) << file;
    }
  }

  // Deleting it removes its schedules.
  auto enabled = api_->Call("PATCH", "/api/connections/" + id, alice_.token,
                            {{"resources", {{"server-list", {{"enabled", true}}}}}});
  const std::string again = ApiClient::Body(enabled)["resources"]["server-list"]["schedule"];
  EXPECT_EQ(api_->Call("DELETE", "/api/connections/" + id, alice_.token).status, 204);
  EXPECT_EQ(api_->Call("GET", "/api/schedules/" + again, alice_.token).status, 404);
  EXPECT_EQ(api_->Call("GET", "/api/connections/" + id, alice_.token).status, 404);
}

TEST_P(DiscoverySyncTest, AwsServersSyncPageByPageThenOnlyWhatChanged) {
  FakeAws aws;
  aws.Set({{"i-001", "web-1", "10.0.0.1"},
           {"i-002", "web-2", "10.0.0.2"},
           {"i-003", "db-1", "10.0.0.3", "m5.large"},
           {"i-004", "cache-1", "10.0.0.4", "t3.micro", "stopped"},
           {"i-005", "old-1", "10.0.0.5"}});
  const json connection = AwsConnection(aws.url());
  const std::string id = connection["id"];

  auto tested = api_->Call("POST", "/api/connections/" + id + "/test", alice_.token);
  ASSERT_EQ(tested.status, 200) << tested.body;
  EXPECT_EQ(ApiClient::Body(tested)["ok"], true) << tested.body;
  EXPECT_NE(ApiClient::Body(tested)["message"].get<std::string>().find("123456789012"),
            std::string::npos);

  aws.throttle_next = 1;  // the first listing call is throttled, then retried
  json job = Sync(id);
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  EXPECT_EQ(job["result"]["created"], 5) << job.dump();
  // Every call was signed for ec2 (or sts) in us-east-1 with the access key; three pages listed.
  int describe = 0;
  for (const auto& request : aws.requests()) {
    const bool sts = FormValue(request.body, "Action") == "GetCallerIdentity";
    EXPECT_EQ(FakeAws::SignatureProblem(request, sts ? "sts" : "ec2"), "");
    EXPECT_NE(request.Header("authorization").find("/us-east-1/"), std::string::npos);
    if (!sts) ++describe;
  }
  EXPECT_EQ(describe, 4);  // a throttled call and three pages

  auto servers = Servers();
  ASSERT_EQ(servers.size(), 5u);
  const json& web = servers.at("Web-1");  // the Name tag, capitalised as the original did
  EXPECT_EQ(web["ipv4_private"], "10.0.0.1");
  EXPECT_EQ(web["environment"], "prod");
  EXPECT_EQ(web["status"], "Active");
  EXPECT_EQ(web["cpu"], 2);  // t3.micro from the flavor catalogue
  EXPECT_EQ(web["memory"], 1);
  EXPECT_EQ(web["source"], "connection:" + id);
  EXPECT_EQ(web["datacenter"]["id"], datacenter_);
  EXPECT_EQ(web["datacenter"]["region"], "us-east-1");
  EXPECT_EQ(web["datacenter"]["zone"], "us-east-1a");
  EXPECT_EQ(web["datacenter"]["instance_id"], "i-001");
  EXPECT_EQ(servers.at("Cache-1")["status"], "Stopped");
  EXPECT_EQ(servers.at("Db-1")["cpu"], 2);
  EXPECT_EQ(servers.at("Db-1")["memory"], 8);
  auto history =
      api_->Call("GET", "/api/servers/" + web["id"].get<std::string>() + "/history", alice_.token);
  const json first = ApiClient::Body(history)["items"][0];
  EXPECT_EQ(first["actor"], json({{"type", "connection"}, {"id", id}, {"name", "prod account"}}));

  auto status = ApiClient::Body(api_->Call("GET", "/api/connections/" + id, alice_.token));
  EXPECT_EQ(status["status"]["server-list"]["state"], "success");
  EXPECT_EQ(status["status"]["server-list"]["counts"]["created"], 5);

  // Nothing changed: nothing written.
  job = Sync(id);
  EXPECT_EQ(job["result"]["unchanged"], 5) << job.dump();
  EXPECT_EQ(job["result"]["updated"], 0);
  EXPECT_EQ(Servers().at("Web-1")["version"], web["version"]);

  // A person edits web-1's role and environment; the provider then changes web-1's size and
  // drops old-1: the size changes, the person's role stays, old-1 becomes an orphan.
  auto edited = api_->Call("PATCH", "/api/servers/" + web["id"].get<std::string>(), alice_.token,
                           {{"role", "frontend"}});
  ASSERT_EQ(edited.status, 200) << edited.body;
  aws.Set({{"i-001", "web-1", "10.0.0.1", "t3.large"},
           {"i-002", "web-2", "10.0.0.2"},
           {"i-003", "db-1", "10.0.0.3", "m5.large"},
           {"i-004", "cache-1", "10.0.0.4", "t3.micro", "stopped"}});
  job = Sync(id);
  EXPECT_EQ(job["result"]["updated"], 1) << job.dump();
  EXPECT_EQ(job["result"]["unchanged"], 3);
  EXPECT_EQ(job["result"]["deactivated"], 1);
  servers = Servers();
  EXPECT_EQ(servers.at("Web-1")["role"], "frontend");
  EXPECT_EQ(servers.at("Web-1")["memory"], 8);
  EXPECT_EQ(servers.at("Old-1")["active"], false);
  EXPECT_EQ(servers.at("Web-1")["active"], true);

  // The datacenter's orphans: old-1, and a server kept by hand; not what the sync still sees.
  auto by_hand = api_->Call("POST", "/api/servers", alice_.token,
                            {{"hostname", "hand-1"}, {"datacenter", {{"id", datacenter_}}}});
  ASSERT_EQ(by_hand.status, 201) << by_hand.body;
  auto orphans = api_->Call("GET", "/api/datacenters/" + datacenter_ + "/orphans", alice_.token);
  ASSERT_EQ(orphans.status, 200) << orphans.body;
  std::set<std::string> orphaned;
  const json orphan_list = ApiClient::Body(orphans);
  for (const auto& item : orphan_list["items"]) orphaned.insert(item["hostname"]);
  EXPECT_EQ(orphaned, (std::set<std::string>{"Old-1", "hand-1"}));
  EXPECT_EQ(orphan_list["total"], 2);
  const auto bob = api_->SignUp("bob");
  EXPECT_EQ(api_->Call("GET", "/api/datacenters/" + datacenter_ + "/orphans", bob.token).status,
            404);
  EXPECT_EQ(
      api_->Call("DELETE", "/api/servers/" + ApiClient::Body(by_hand)["id"].get<std::string>(),
                 alice_.token)
          .status,
      204);

  // A listing that fails half way deactivates nothing, though cache-1 is missing from it.
  aws.Set({{"i-001", "web-1", "10.0.0.1", "t3.large"},
           {"i-002", "web-2", "10.0.0.2"},
           {"i-003", "db-1", "10.0.0.3", "m5.large"}});
  aws.fail_page = 1;
  job = Sync(id);
  EXPECT_EQ(job["status"], "failed") << job.dump();
  EXPECT_EQ(Servers().at("Cache-1")["active"], true);
  status = ApiClient::Body(api_->Call("GET", "/api/connections/" + id, alice_.token));
  EXPECT_EQ(status["status"]["server-list"]["state"], "warning");

  // The instance coming back restores its record.
  aws.fail_page = -1;
  aws.Set({{"i-001", "web-1", "10.0.0.1", "t3.large"},
           {"i-002", "web-2", "10.0.0.2"},
           {"i-003", "db-1", "10.0.0.3", "m5.large"},
           {"i-004", "cache-1", "10.0.0.4", "t3.micro", "stopped"},
           {"i-005", "old-1", "10.0.0.5"}});
  job = Sync(id);
  EXPECT_EQ(job["result"]["updated"], 1) << job.dump();
  EXPECT_EQ(Servers().at("Old-1")["active"], true);
}

TEST_P(DiscoverySyncTest, RefusedCredentialsPutTheConnectionInDanger) {
  FakeAws aws;
  aws.Set({{"i-001", "web-1", "10.0.0.1"}});
  const json connection = AwsConnection(
      aws.url(), {{"credentials", {{"access_key", "AKIDWRONG"}, {"secret_key", kSecretKey}}}});
  const std::string id = connection["id"];
  auto tested =
      ApiClient::Body(api_->Call("POST", "/api/connections/" + id + "/test", alice_.token));
  EXPECT_EQ(tested["ok"], false);
  EXPECT_NE(tested["message"].get<std::string>().find("AuthFailure"), std::string::npos);
  const json job = Sync(id);
  EXPECT_EQ(job["status"], "failed");
  const auto status = ApiClient::Body(api_->Call("GET", "/api/connections/" + id, alice_.token));
  EXPECT_EQ(status["status"]["server-list"]["state"], "danger") << status.dump();
  EXPECT_EQ(job.dump().find(kSecretKey), std::string::npos);
  EXPECT_TRUE(Servers().empty());

  // Run by its schedule, a sync in danger disables the schedule at once, saying why.
  auto enabled = api_->Call("PATCH", "/api/connections/" + id, alice_.token, {{"enabled", true}});
  ASSERT_EQ(enabled.status, 200) << enabled.body;
  const std::string schedule = ApiClient::Body(enabled)["resources"]["server-list"]["schedule"];
  auto run = api_->Call("POST", "/api/schedules/" + schedule + "/run", alice_.token);
  ASSERT_EQ(run.status, 202) << run.body;
  EXPECT_EQ(api_->AwaitJob(alice_.token, ApiClient::Body(run)["job"]["id"])["status"], "failed");
  json disabled;
  for (int i = 0; i < 100; ++i) {  // the scheduler records the outcome just after the job ends
    disabled = ApiClient::Body(api_->Call("GET", "/api/schedules/" + schedule, alice_.token));
    if (disabled["enabled"] == false) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(disabled["enabled"], false) << disabled.dump();
  EXPECT_NE(disabled["message"].get<std::string>().find("AuthFailure"), std::string::npos)
      << disabled.dump();
}

TEST_P(DiscoverySyncTest, ThePublishedDescribeInstancesExampleTranslates) {
  FakeAws aws;
  aws.fixture = Fixture("aws/ec2-describe-instances.aws-api-reference-example.xml");
  const json connection = AwsConnection(aws.url());
  const json job = Sync(connection["id"]);
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  const auto servers = Servers();
  ASSERT_EQ(servers.size(), 1u);
  const json& server = servers.begin()->second;
  EXPECT_EQ(server["hostname"], "Server_1");
  EXPECT_EQ(server["ipv4_private"], "192.168.1.88");
  EXPECT_EQ(server["ipv4_public"], "54.194.252.215");
  EXPECT_EQ(server["dns_public"], "ec2-54-194-252-215.eu-west-1.compute.amazonaws.com");
  EXPECT_EQ(server["datacenter"]["zone"], "eu-west-1c");
  EXPECT_EQ(server["datacenter"]["instance_type"], "t2.micro");
  EXPECT_EQ(server["datacenter"]["image_id"], "ami-bff32ccc");
  EXPECT_EQ(server["auth"], json::parse(R"([{"name": "my_keypair", "type": "PKI"}])"));
  EXPECT_EQ(server["memory"], 1);  // t2.micro from the catalogue
  EXPECT_EQ(server["status"], "Active");
}

TEST_P(DiscoverySyncTest, DigitalOceanDropletsPageByPageWithTheToken) {
  const std::string page1 = Fixture("digitalocean/droplets-list-all.json");
  const std::string page2 = Fixture("digitalocean/droplets-list-gpu.json");
  std::string base;
  ReplayServer digitalocean([&](const CapturedRequest& request) -> ReplayReply {
    if (request.Header("authorization") != std::string("Bearer ") + kSecretKey) {
      return {.status = 401,
              .body = R"({"id":"unauthorized","message":"Unable to authenticate you"})"};
    }
    if (request.target.starts_with("/v2/droplets?page=2")) return {.body = page2};
    if (request.target.starts_with("/v2/droplets")) {
      json first = json::parse(page1);
      first["links"]["pages"]["next"] = base + "/v2/droplets?page=2&per_page=200";
      return {.body = first.dump()};
    }
    return {.status = 404, .body = R"({"id":"not_found"})"};
  });
  base = digitalocean.url();
  const json connection = Create({{"name", "do"},
                                  {"provider", "digitalocean"},
                                  {"datacenter", datacenter_},
                                  {"endpoint", base},
                                  {"enabled", false},
                                  {"credentials", {{"token", kSecretKey}}}});
  const json job = Sync(connection["id"]);
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  const std::size_t expected =
      json::parse(page1)["droplets"].size() + json::parse(page2)["droplets"].size();
  EXPECT_EQ(job["result"]["created"], expected);
  const auto servers = Servers();
  const json& droplet = servers.at("example.com");
  EXPECT_EQ(droplet["cpu"], 1);
  EXPECT_EQ(droplet["memory"], 1);
  EXPECT_EQ(droplet["ipv4_private"], "10.128.192.124");
  EXPECT_EQ(droplet["ipv4_public"], "192.241.165.154");
  EXPECT_EQ(droplet["os"]["dist"], "Ubuntu");
  EXPECT_EQ(droplet["datacenter"]["region"], "nyc3");
  EXPECT_EQ(droplet["environment"], "prod");  // the env:prod tag
  EXPECT_EQ(droplet["status"], "Active");
  EXPECT_EQ(digitalocean.requests().size(), 2u);
}

TEST_P(DiscoverySyncTest, AnUploadedTerraformStateIsSynced) {
  const std::string state =
      Fixture("terraform/state-v4.tf0.12.29.aws-instance.driftctl.tfstate.json");
  auto upload = testing::HttpRequest(
      server_.port(), "POST", "/api/uploads", state,
      {{"Authorization", "Bearer " + alice_.token}, {"Content-Type", "application/json"}});
  ASSERT_EQ(upload.status, 201) << upload.body;
  const std::string blob = json::parse(upload.body)["upload"];
  const json connection = Create({{"name", "tf"},
                                  {"provider", "terraform"},
                                  {"datacenter", datacenter_},
                                  {"enabled", false},
                                  {"credentials", {{"upload", blob}}}});
  EXPECT_EQ(connection["credentials"], json({{"upload", "set"}}));
  auto tested = ApiClient::Body(api_->Call(
      "POST", "/api/connections/" + connection["id"].get<std::string>() + "/test", alice_.token));
  EXPECT_EQ(tested["ok"], true) << tested.dump();
  const json job = Sync(connection["id"]);
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  const auto servers = Servers();
  ASSERT_EQ(servers.size(), 1u);
  const json& server = servers.at("i-0d3650a23f4e45dc0");  // no Name tag: the instance id
  EXPECT_EQ(server["ipv4_private"], "172.31.22.12");
  EXPECT_EQ(server["ipv4_public"], "35.180.126.180");
  EXPECT_EQ(server["datacenter"]["instance_type"], "t3.nano");
  EXPECT_EQ(server["cpu"], 2);
  EXPECT_EQ(server["memory"], 0.5);
  // The same state through POST /api/import?format=terraform updates the server in place.
  auto imported = testing::HttpRequest(
      server_.port(), "POST", "/api/import?format=terraform&datacenter=" + datacenter_, state,
      {{"Authorization", "Bearer " + alice_.token}, {"Content-Type", "application/json"}});
  ASSERT_EQ(imported.status, 202) << imported.body;
  EXPECT_EQ(api_->AwaitJob(alice_.token,
                           json::parse(imported.body)["job"]["id"].get<std::string>())["status"],
            "succeeded");
  EXPECT_EQ(Servers().size(), 1u);
  // A file that is not a state is refused and deactivates nothing.
  auto junk = testing::HttpRequest(server_.port(), "POST", "/api/uploads", "not json",
                                   {{"Authorization", "Bearer " + alice_.token}});
  auto patched =
      api_->Call("PATCH", "/api/connections/" + connection["id"].get<std::string>(), alice_.token,
                 {{"credentials", {{"upload", json::parse(junk.body)["upload"]}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  const json failed = Sync(connection["id"]);
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_EQ(Servers().at("i-0d3650a23f4e45dc0")["active"], true);
}

TEST_P(DiscoverySyncTest, OpenStackServersWithTheirFlavorsAfterKeystone) {
  std::string base;
  const std::string token = "gAAAAAB-keystone-token";
  ReplayServer openstack([&](const CapturedRequest& request) -> ReplayReply {
    if (request.method == "POST" && request.target == "/identity/v3/auth/tokens") {
      const json body = json::parse(request.body);
      const json user = body["auth"]["identity"]["password"]["user"];
      if (user["name"] != "ops" || user["password"] != kSecretKey ||
          body["auth"]["scope"]["project"]["name"] != "web") {
        return {.status = 401, .body = R"({"error": {"code": 401, "title": "Unauthorized"}})"};
      }
      json catalog = json::array();
      for (const auto& [type, path] : std::vector<std::pair<std::string, std::string>>{
               {"compute", "/compute/v2.1"}, {"network", "/network"}}) {
        catalog.push_back(
            {{"type", type},
             {"endpoints",
              {{{"interface", "internal"}, {"region_id", "RegionOne"}, {"url", "http://10.0.0.1"}},
               {{"interface", "public"}, {"region_id", "RegionOne"}, {"url", base + path}}}}});
      }
      return {.status = 201,
              .body = json{{"token", {{"catalog", catalog}}}}.dump(),
              .headers = {{"X-Subject-Token", token}}};
    }
    if (request.Header("x-auth-token") != token) {
      return {.status = 401, .body = R"({"error": {"code": 401}})"};
    }
    if (request.target.starts_with("/compute/v2.1/flavors/detail")) {
      return {.body = Fixture("openstack/nova-flavors-detail-v2.102.json")};
    }
    if (request.target.starts_with("/compute/v2.1/servers/detail?limit=1000")) {
      json first = json::parse(Fixture("openstack/nova-servers-detail-v2.1.json"));
      first["servers_links"][0]["href"] = base + "/compute/v2.1/servers/detail?marker=2";
      return {.body = first.dump()};
    }
    if (request.target.starts_with("/compute/v2.1/servers/detail?marker=2")) {
      json second = json::parse(Fixture("openstack/nova-servers-detail-v2.100.json"));
      second["servers"][0]["id"] = "second-server";
      second.erase("servers_links");
      return {.body = second.dump()};
    }
    return {.status = 404, .body = "{}"};
  });
  base = openstack.url();
  const json connection = Create({{"name", "cloud"},
                                  {"provider", "openstack"},
                                  {"datacenter", datacenter_},
                                  {"regions", {"RegionOne"}},
                                  {"enabled", false},
                                  {"resources", {{"server-list", {{"enabled", true}}}}},
                                  {"credentials",
                                   {{"auth_url", base + "/identity"},
                                    {"username", "ops"},
                                    {"password", kSecretKey},
                                    {"project", "web"}}}});
  auto tested = ApiClient::Body(api_->Call(
      "POST", "/api/connections/" + connection["id"].get<std::string>() + "/test", alice_.token));
  EXPECT_EQ(tested["ok"], true) << tested.dump();
  const json job = Sync(connection["id"]);
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  EXPECT_EQ(job["result"]["created"], 2) << job.dump();
  // Both fixtures name their server new-server-test: one by flavor id, one with it embedded.
  auto list =
      ApiClient::Body(api_->Call("GET", "/api/servers?limit=10&sort=created_at", alice_.token));
  ASSERT_EQ(list["total"], 2) << list.dump();
  for (const auto& server : list["items"]) {
    EXPECT_EQ(server["hostname"], "new-server-test");
    EXPECT_EQ(server["ipv4_private"], "192.168.1.30");
    EXPECT_EQ(server["cpu"], 1);
    EXPECT_EQ(server["memory"], 0.5);  // m1.tiny: 512 MiB
    EXPECT_EQ(server["datacenter"]["instance_type"], "m1.tiny");
    EXPECT_EQ(server["datacenter"]["zone"], "us-west");
    EXPECT_EQ(server["status"], "Active");
    EXPECT_EQ(server["tags"], json::parse(R"([{"key": "My Server Name", "value": "Apache1"}])"));
  }
  // Every listing call carried the token Keystone gave.
  for (const auto& request : openstack.requests()) {
    if (request.method == "GET") EXPECT_EQ(request.Header("x-auth-token"), token);
  }
}

TEST_P(DiscoverySyncTest, AzureVirtualMachinesWithTheirInterfacesAndSizes) {
  const json vms = json::parse(Fixture(
      "azure/compute-virtualmachines-listbylocation.2024-07-01.example.json"))["responses"]["200"]
                                                                              ["body"];
  const std::string nic_id =
      vms["value"][0]["properties"]["networkProfile"]["networkInterfaces"][0]["id"];
  const std::string pip_id =
      "/subscriptions/sub-1/resourceGroups/rg/providers/"
      "Microsoft.Network/publicIPAddresses/web-ip";
  ReplayServer azure([&](const CapturedRequest& request) -> ReplayReply {
    if (request.method == "POST" && request.target == "/tenant-1/oauth2/v2.0/token") {
      if (FormValue(request.body, "client_secret") != kSecretKey ||
          FormValue(request.body, "grant_type") != "client_credentials") {
        return {.status = 401, .body = R"({"error": "invalid_client"})"};
      }
      return {.body =
                  R"({"token_type": "Bearer", "expires_in": 3599, "access_token": "arm-token"})"};
    }
    if (request.Header("authorization") != "Bearer arm-token") {
      return {.status = 401, .body = R"({"error": {"code": "InvalidAuthenticationToken"}})"};
    }
    const std::string prefix = "/subscriptions/sub-1/providers/";
    if (request.target.starts_with(prefix + "Microsoft.Compute/virtualMachines?")) {
      return {.body = vms.dump()};
    }
    if (request.target.starts_with(prefix + "Microsoft.Network/networkInterfaces?")) {
      return {.body = json{{"value",
                            {{{"id", nic_id},
                              {"name", "nic"},
                              {"location", "eastus"},
                              {"properties",
                               {{"ipConfigurations",
                                 {{{"properties",
                                    {{"privateIPAddress", "10.1.0.4"},
                                     {"publicIPAddress", {{"id", pip_id}}}}}}}}}}}}}}
                          .dump()};
    }
    if (request.target.starts_with(prefix + "Microsoft.Network/publicIPAddresses?")) {
      return {.body =
                  json{{"value", {{{"id", pip_id}, {"properties", {{"ipAddress", "20.1.2.3"}}}}}}}
                      .dump()};
    }
    if (request.target.starts_with(prefix + "Microsoft.Compute/locations/eastus/vmSizes?")) {
      return {.body =
                  R"({"value": [{"name": "Standard_A0", "numberOfCores": 1, "memoryInMB": 768}]})"};
    }
    return {.status = 404, .body = R"({"error": {"code": "NotFound"}})"};
  });
  const json connection = Create({{"name", "azure"},
                                  {"provider", "azure"},
                                  {"datacenter", datacenter_},
                                  {"endpoint", azure.url()},
                                  {"enabled", false},
                                  {"resources", {{"server-list", {{"enabled", true}}}}},
                                  {"credentials",
                                   {{"tenant", "tenant-1"},
                                    {"client_id", "app-1"},
                                    {"client_secret", kSecretKey},
                                    {"subscription", "sub-1"}}}});
  const json job = Sync(connection["id"]);
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  const auto servers = Servers();
  ASSERT_EQ(servers.size(), 1u);        // the example lists one VM twice
  const json& vm = servers.at("Test");  // osProfile.computerName
  EXPECT_EQ(vm["ipv4_private"], "10.1.0.4");
  EXPECT_EQ(vm["ipv4_public"], "20.1.2.3");
  EXPECT_EQ(vm["cpu"], 1);
  EXPECT_EQ(vm["memory"], 0.75);
  EXPECT_EQ(vm["os"]["base"], "Windows");
  EXPECT_EQ(vm["datacenter"]["region"], "eastus");
  EXPECT_EQ(vm["datacenter"]["instance_type"], "Standard_A0");
  EXPECT_EQ(vm["status"], "Active");
  EXPECT_EQ(job.dump().find(kSecretKey), std::string::npos);

  // A wrong secret: the sign-in is refused and the connection is in danger.
  auto patched = api_->Call("PATCH", "/api/connections/" + connection["id"].get<std::string>(),
                            alice_.token, {{"credentials", {{"client_secret", "wrong"}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  const json refused = Sync(connection["id"]);
  EXPECT_EQ(refused["status"], "failed");
  const auto status = ApiClient::Body(
      api_->Call("GET", "/api/connections/" + connection["id"].get<std::string>(), alice_.token));
  EXPECT_EQ(status["status"]["server-list"]["state"], "danger") << status.dump();
}

TEST_P(DiscoverySyncTest, AwsPublishedExamplesOfOtherResourcesTranslate) {
  FakeAws aws;
  aws.replies["GET /"] = {"s3", Fixture("aws/s3-list-buckets.libcloud-fixture.xml")};
  aws.replies["DescribeLoadBalancers@2015-12-01"] = {
      "elasticloadbalancing", Fixture("aws/elbv2-describe-load-balancers.libcloud-fixture.xml")};
  aws.replies["DescribeLoadBalancers@2012-06-01"] = {
      "elasticloadbalancing", Fixture("aws/elb-describe-load-balancers.libcloud-fixture.xml")};
  aws.replies["DescribeSecurityGroups@2016-11-15"] = {
      "ec2", Fixture("aws/ec2-describe-security-groups.libcloud-fixture.xml")};
  aws.replies["DescribeVolumes@2016-11-15"] = {
      "ec2", Fixture("aws/ec2-describe-volumes.libcloud-fixture.xml")};
  const json connection = AwsConnection(aws.url(), {{"regions", {"us-east-1", "eu-west-1"}},
                                                    {"resources",
                                                     {{"storage-object-list", {{"enabled", true}}},
                                                      {"loadbalance-list", {{"enabled", true}}},
                                                      {"security-list", {{"enabled", true}}},
                                                      {"volumes-list", {{"enabled", true}}}}}});
  const std::string id = connection["id"];
  auto list = [&](const std::string& kind, const std::string& query) {
    const json body =
        ApiClient::Body(api_->Call("GET", "/api/" + kind + "?limit=100&" + query, alice_.token));
    std::map<std::string, json> out;
    for (const auto& item : body["items"]) out[item["name"]] = item;
    return out;
  };

  json job = Sync(id, "storage-object-list");
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  EXPECT_EQ(job["result"]["created"], 2) << "buckets are global: listed once, not per region";
  auto apps =
      list("applications",
           "filter=" + json{{"field", "family"}, {"op", "eq"}, {"value", "ObjectStorage"}}.dump());
  ASSERT_EQ(apps.size(), 2u);
  EXPECT_EQ(apps.at("test1")["provider"], "S3 (AWS)");

  job = Sync(id, "loadbalance-list");
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  apps = list("applications",
              "filter=" + json{{"field", "family"}, {"op", "eq"}, {"value", "Loadbalance"}}.dump());
  ASSERT_TRUE(apps.contains("Test-ALB")) << job.dump();
  EXPECT_EQ(apps.at("Test-ALB")["role"]["endpoint"],
            "internal-Test-ALB-1111111111.us-east-1.elb.amazonaws.com");
  EXPECT_TRUE(apps.contains("tests"));  // the classic one

  job = Sync(id, "security-list");
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  const auto groups = list("networks", "");
  ASSERT_TRUE(groups.contains("WebServers")) << job.dump();
  EXPECT_EQ(groups.at("WebServers")["family"], "SecurityGroup");
  EXPECT_FALSE(groups.at("WebServers")["rules"]["inbound"].empty());

  job = Sync(id, "volumes-list");
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  const auto volumes = list("volumes", "active=all");
  ASSERT_TRUE(volumes.contains("vol-10ae5e2b")) << job.dump();
  EXPECT_EQ(volumes.at("vol-10ae5e2b")["status"], "Available");
  EXPECT_EQ(volumes.at("vol-v24bfh75")["status"], "Active");
  // The unknown status is an error state; the record is not kept active.
  EXPECT_EQ(volumes.count("vol-b6c851ec"), 0u) << "gone before it was ever seen: not created";
}

// The real `ansible -m setup --tree` on this machine (ansible-core, installed by scripts/setup),
// archived as a user would, uploaded and synced; and the same facts through POST /api/import.
TEST_P(DiscoverySyncTest, RealAnsibleFactsOfThisMachineAreSynced) {
  testing::TempDir dir;
  const std::string tree = dir.str() + "/tree";
  const std::string command =
      "ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false "
      "ansible localhost -c local -m setup --tree '" +
      tree + "' >'" + dir.str() + "/ansible.log' 2>&1 && tar -C '" + dir.str() + "' -czf '" +
      dir.str() + "/facts.tgz' tree";
  ASSERT_EQ(std::system(command.c_str()), 0) << testing::ReadFile(dir.path() / "ansible.log");
  const std::string archive = testing::ReadFile(dir.path() / "facts.tgz");
  const json facts = json::parse(testing::ReadFile(dir.path() / "tree" / "localhost"));
  const std::string nodename = facts["ansible_facts"]["ansible_nodename"];

  auto upload = testing::HttpRequest(
      server_.port(), "POST", "/api/uploads", archive,
      {{"Authorization", "Bearer " + alice_.token}, {"Content-Type", "application/gzip"}});
  ASSERT_EQ(upload.status, 201) << upload.body;
  const json connection =
      Create({{"name", "facts"},
              {"provider", "ansible"},
              {"datacenter", datacenter_},
              {"enabled", false},
              {"credentials", {{"upload", json::parse(upload.body)["upload"]}}}});
  const json job = Sync(connection["id"]);
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  const auto servers = Servers();
  ASSERT_EQ(servers.size(), 1u);
  const json& server = servers.at(nodename);
  EXPECT_EQ(server["cpu"], facts["ansible_facts"]["ansible_processor_vcpus"]);
  EXPECT_EQ(server["os"]["dist"], facts["ansible_facts"]["ansible_distribution"]);
  EXPECT_EQ(server["name"], "localhost");  // the inventory host
  EXPECT_FALSE(server["storage"].empty());
  const json volumes_job = Sync(connection["id"], "volumes-list");
  EXPECT_EQ(volumes_job["status"], "succeeded") << volumes_job.dump();

  // The same archive through the import endpoint: the server is updated in place, not doubled.
  auto imported = testing::HttpRequest(
      server_.port(), "POST", "/api/import?format=ansible&datacenter=" + datacenter_, archive,
      {{"Authorization", "Bearer " + alice_.token}, {"Content-Type", "application/gzip"}});
  ASSERT_EQ(imported.status, 202) << imported.body;
  const json import_job =
      api_->AwaitJob(alice_.token, json::parse(imported.body)["job"]["id"].get<std::string>());
  EXPECT_EQ(import_job["status"], "succeeded") << import_job.dump();
  EXPECT_EQ(Servers().size(), 1u);
  EXPECT_EQ(testing::HttpRequest(server_.port(), "POST", "/api/import?format=ansible", "junk",
                                 {{"Authorization", "Bearer " + alice_.token}})
                .status,
            400);
}

// Fact files under a prefix of a real S3-compatible store (s3rver), read with the connection's
// S3 keys; and a Terraform state as one object of it.
TEST_P(DiscoverySyncTest, FilesAreReadFromS3PrefixesAndObjects) {
  auto peer = testing::S3TestPeer();
  ASSERT_TRUE(peer);
  blobs::S3BlobStore bucket({.endpoint = peer->endpoint,
                             .bucket = peer->bucket,
                             .access_key = peer->access_key,
                             .secret_key = peer->secret_key});
  const std::string prefix = "facts-" + Lower(NewId()) + "/";
  for (const char* host : {"centos.dev.local", "debian.dev.local", "dead.dev.local"}) {
    ASSERT_TRUE(bucket.Put(
        prefix + host, Fixture(std::string("ansible/setup-tree.ansible-cmdb.") + host + ".json"),
        "application/json"));
  }
  const json s3 = {{"bucket", peer->bucket},
                   {"access_key", peer->access_key},
                   {"secret_key", peer->secret_key},
                   {"endpoint", peer->endpoint}};
  json location = s3;
  location["path"] = prefix;
  const json facts = Create({{"name", "facts in s3"},
                             {"provider", "ansible"},
                             {"datacenter", datacenter_},
                             {"enabled", false},
                             {"credentials", {{"s3", location}}}});
  const json job = Sync(facts["id"]);
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  EXPECT_EQ(job["result"]["created"], 2) << job.dump();
  EXPECT_EQ(Servers().at("centos.local")["ipv4_private"], "192.168.56.8");

  const std::string state_key = prefix + "terraform.tfstate";
  ASSERT_TRUE(bucket.Put(state_key,
                         Fixture("terraform/state-v4.tf0.12.29.aws-instance.driftctl.tfstate.json"),
                         "application/json"));
  location["path"] = state_key;
  const json state = Create({{"name", "state in s3"},
                             {"provider", "terraform"},
                             {"datacenter", datacenter_},
                             {"enabled", false},
                             {"credentials", {{"s3", location}}}});
  const json state_job = Sync(state["id"]);
  ASSERT_EQ(state_job["status"], "succeeded") << state_job.dump();
  EXPECT_EQ(Servers().at("i-0d3650a23f4e45dc0")["ipv4_private"], "172.31.22.12");
  // An object that is not there: the listing fails, and nothing is deactivated.
  location["path"] = prefix + "no-such.tfstate";
  ASSERT_EQ(api_->Call("PATCH", "/api/connections/" + state["id"].get<std::string>(), alice_.token,
                       {{"credentials", {{"s3", location}}}})
                .status,
            200);
  EXPECT_EQ(Sync(state["id"])["status"], "failed");
  EXPECT_EQ(Servers().at("i-0d3650a23f4e45dc0")["active"], true);
}

// A real OpenSSH server on loopback holds an `ansible --tree` directory; the connection reads it
// over SFTP with its private key.
TEST_P(DiscoverySyncTest, AnsibleFactsAreReadOverSsh) {
  testing::TempDir dir;
  const std::string d = dir.str();
  ASSERT_EQ(std::system(("ssh-keygen -q -t ed25519 -N '' -f '" + d +
                         "/host_key' && ssh-keygen -q "
                         "-t ed25519 -N '' -f '" +
                         d + "/user_key'")
                            .c_str()),
            0);
  testing::WriteFile(dir.path() / "authorized_keys",
                     testing::ReadFile(dir.path() / "user_key.pub"));
  for (const char* host : {"centos.dev.local", "debian.dev.local", "dead.dev.local"}) {
    testing::WriteFile(dir.path() / "tree" / host,
                       Fixture(std::string("ansible/setup-tree.ansible-cmdb.") + host + ".json"));
  }
  const std::uint16_t port = testing::FreePort();
  testing::WriteFile(
      dir.path() / "sshd_config",
      fmt::format("Port {}\nListenAddress 127.0.0.1\nHostKey {}/host_key\n"
                  "AuthorizedKeysFile {}/authorized_keys\nPasswordAuthentication no\n"
                  "KbdInteractiveAuthentication no\nStrictModes no\nUsePAM no\n"
                  "PermitRootLogin prohibit-password\nPidFile {}/sshd.pid\n"
                  "Subsystem sftp internal-sftp\nLogLevel ERROR\n",
                  port, d, d, d));
  if (::geteuid() == 0) std::filesystem::create_directories("/run/sshd");  // privilege separation
  const pid_t sshd =
      testing::Spawn("/usr/sbin/sshd", {"-D", "-e", "-f", d + "/sshd_config"}, {}, d + "/sshd.log");
  bool listening = false;
  for (int i = 0; i < 200 && !listening; ++i) {
    listening =
        std::system(
            fmt::format("bash -c 'echo > /dev/tcp/127.0.0.1/{}' 2>/dev/null", port).c_str()) == 0;
    if (!listening) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(listening) << testing::ReadFile(dir.path() / "sshd.log");
  const std::string user = ::getpwuid(::geteuid())->pw_name;

  const json connection =
      Create({{"name", "facts over ssh"},
              {"provider", "ansible"},
              {"datacenter", datacenter_},
              {"enabled", false},
              {"credentials",
               {{"ssh",
                 {{"host", "127.0.0.1"},
                  {"port", port},
                  {"user", user},
                  {"path", d + "/tree"},
                  {"private_key", testing::ReadFile(dir.path() / "user_key")}}}}}});
  const std::string id = connection["id"];
  EXPECT_EQ(connection["credentials"], json({{"ssh", "set"}}));
  auto tested =
      ApiClient::Body(api_->Call("POST", "/api/connections/" + id + "/test", alice_.token));
  EXPECT_EQ(tested["ok"], true) << tested.dump() << testing::ReadFile(dir.path() / "sshd.log");
  EXPECT_NE(tested["message"].get<std::string>().find("2 hosts; 1 skipped"), std::string::npos)
      << tested.dump();
  // The host key shown is the server's: pinning it works, pinning another is refused.
  const std::string message = tested["message"];
  const auto at = message.find("SHA256:");
  ASSERT_NE(at, std::string::npos) << message;
  const std::string fingerprint = message.substr(at, message.find(',', at) - at);
  EXPECT_NE(message.find("not pinned"), std::string::npos) << message;
  json ssh = {{"host", "127.0.0.1"},
              {"port", port},
              {"user", user},
              {"path", d + "/tree"},
              {"private_key", testing::ReadFile(dir.path() / "user_key")},
              {"host_key", "SHA256:" + std::string(43, 'A')}};
  ASSERT_EQ(
      api_->Call("PATCH", "/api/connections/" + id, alice_.token, {{"credentials", {{"ssh", ssh}}}})
          .status,
      200);
  tested = ApiClient::Body(api_->Call("POST", "/api/connections/" + id + "/test", alice_.token));
  EXPECT_EQ(tested["ok"], false);
  EXPECT_NE(tested["message"].get<std::string>().find("pinned"), std::string::npos)
      << tested.dump();
  // "set" inside a location keeps that field: here the private key.
  json pin = ssh;
  pin["private_key"] = "set";
  pin["host_key"] = fingerprint;
  ASSERT_EQ(
      api_->Call("PATCH", "/api/connections/" + id, alice_.token, {{"credentials", {{"ssh", pin}}}})
          .status,
      200);
  tested = ApiClient::Body(api_->Call("POST", "/api/connections/" + id + "/test", alice_.token));
  EXPECT_EQ(tested["ok"], true) << tested.dump();
  EXPECT_NE(tested["message"].get<std::string>().find(", pinned)"), std::string::npos)
      << tested.dump();
  pin["host_key"] = "SHA256:typo";
  EXPECT_EQ(
      api_->Call("PATCH", "/api/connections/" + id, alice_.token, {{"credentials", {{"ssh", pin}}}})
          .status,
      422);

  const json job = Sync(id);
  ASSERT_EQ(job["status"], "succeeded") << job.dump() << testing::ReadFile(dir.path() / "sshd.log");
  EXPECT_EQ(job["result"]["created"], 2);
  const auto servers = Servers();
  EXPECT_EQ(servers.at("dev.local")["ipv4_private"], "192.168.56.2");
  EXPECT_EQ(servers.at("centos.local")["ipv4_private"], "192.168.56.8");

  // Another key is refused: the connection is in danger.
  ASSERT_EQ(std::system(("ssh-keygen -q -t ed25519 -N '' -f '" + d + "/other_key'").c_str()), 0);
  auto patched = api_->Call("PATCH", "/api/connections/" + id, alice_.token,
                            {{"credentials",
                              {{"ssh",
                                {{"host", "127.0.0.1"},
                                 {"port", port},
                                 {"user", user},
                                 {"path", d + "/tree"},
                                 {"private_key", testing::ReadFile(dir.path() / "other_key")}}}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Sync(id)["status"], "failed");
  const auto status = ApiClient::Body(api_->Call("GET", "/api/connections/" + id, alice_.token));
  EXPECT_EQ(status["status"]["server-list"]["state"], "danger") << status.dump();
  ::kill(sshd, SIGTERM);
  testing::WaitExit(sshd);
}

// Every resource of DigitalOcean, OpenStack and Azure, from the providers' published examples:
// each listing succeeds, every item becomes a valid record, and a field of each is checked.
TEST_P(DiscoverySyncTest, EveryResourceOfTheOtherProvidersFromPublishedExamples) {
  auto sync_all = [&](const std::string& id, const std::map<std::string, int>& expected) {
    for (const auto& [resource, created] : expected) {
      const json job = Sync(id, resource);
      EXPECT_EQ(job["status"], "succeeded") << resource << ": " << job.dump();
      EXPECT_EQ(job["result"]["created"], created) << resource << ": " << job.dump();
      EXPECT_EQ(job["result"]["failed"], 0) << resource << ": " << job.dump();
    }
  };
  auto named = [&](const std::string& kind, const std::string& name) {
    const json body = ApiClient::Body(api_->Call(
        "GET",
        "/api/" + kind +
            "?limit=100&filter=" + json{{"field", "name"}, {"op", "eq"}, {"value", name}}.dump(),
        alice_.token));
    return body["items"].empty() ? json() : body["items"][0];
  };

  // DigitalOcean.
  ReplayServer digitalocean([&](const CapturedRequest& request) -> ReplayReply {
    const std::map<std::string, std::string> files = {
        {"/v2/volumes", "volumes-list-all.json"},
        {"/v2/snapshots", "snapshots-list-all.json"},
        {"/v2/images", "images-list-all.json"},
        {"/v2/load_balancers", "load-balancers-list-all.json"},
        {"/v2/cdn/endpoints", "cdn-endpoints-list.json"},
        {"/v2/kubernetes/clusters", "kubernetes-clusters-list-all.json"},
        {"/v2/firewalls", "firewalls-list.json"}};
    auto file = files.find(request.target.substr(0, request.target.find('?')));
    if (file == files.end()) return {.status = 404, .body = "{}"};
    return {.body = Fixture("digitalocean/" + file->second)};
  });
  const json droplets = Create({{"name", "do"},
                                {"provider", "digitalocean"},
                                {"datacenter", datacenter_},
                                {"endpoint", digitalocean.url()},
                                {"enabled", false},
                                {"credentials", {{"token", kSecretKey}}}});
  sync_all(droplets["id"], {{"volumes-list", 2},
                            {"snapshot-list", 2},
                            {"images-list", 3},  // 6 listed, 4 sharing one id: kept once
                            {"loadbalance-list", 2},
                            {"cdns-list", 1},
                            {"container-orchestration-list", 1},
                            {"network-list", 1}});
  EXPECT_EQ(named("applications", "prod-cluster-01")["family"], "ContainerOrchestration");
  EXPECT_EQ(named("applications", "example-lb-01")["family"], "Loadbalance");
  EXPECT_EQ(named("networks", "firewall")["family"], "Firewall");
  EXPECT_EQ(named("snapshots", "web-01-1595954862243")["datacenter"]["region"], "nyc3");

  // OpenStack.
  std::string base;
  ReplayServer openstack([&](const CapturedRequest& request) -> ReplayReply {
    if (request.method == "POST") {
      json catalog = json::array();
      for (const auto& [type, path] :
           std::vector<std::pair<std::string, std::string>>{{"compute", "/compute"},
                                                            {"image", "/image"},
                                                            {"block-storage", "/volume"},
                                                            {"network", "/network"},
                                                            {"load-balancer", "/lb"}}) {
        catalog.push_back(
            {{"type", type}, {"endpoints", {{{"interface", "public"}, {"url", base + path}}}}});
      }
      return {.status = 201,
              .body = json{{"token", {{"catalog", catalog}}}}.dump(),
              .headers = {{"X-Subject-Token", "tok"}}};
    }
    const std::map<std::string, std::string> files = {
        {"/compute/flavors/detail", "nova-flavors-detail-v2.102.json"},
        {"/image/v2/images", "glance-images-list-v2.json"},
        {"/volume/volumes/detail", "cinder-volumes-detail-v3.69.json"},
        {"/volume/snapshots/detail", "cinder-snapshots-detail-v3.65.json"},
        {"/network/v2.0/security-groups", "neutron-security-groups-list.json"},
        {"/network/v2.0/networks", "neutron-networks-list.json"},
        {"/network/v2.0/subnets", "neutron-subnets-list.json"},
        {"/network/v2.0/ports", "neutron-ports-list.json"},
        {"/network/v2.0/routers", "neutron-routers-list.json"},
        {"/lb/v2/lbaas/loadbalancers", "octavia-loadbalancers-list.json"}};
    auto file = files.find(request.target.substr(0, request.target.find('?')));
    if (file == files.end()) return {.status = 404, .body = "{}"};
    return {.body = Fixture("openstack/" + file->second)};
  });
  base = openstack.url();
  const json cloud = Create(
      {{"name", "cloud"},
       {"provider", "openstack"},
       {"datacenter", datacenter_},
       {"enabled", false},
       {"credentials",
        {{"auth_url", base}, {"username", "ops"}, {"password", kSecretKey}, {"project", "web"}}}});
  sync_all(cloud["id"], {{"flavor-list", 7},
                         {"images-list", 2},
                         {"volumes-list", 1},
                         {"snapshot-list", 1},
                         {"security-list", 1},
                         {"network-list", 8},
                         {"loadbalance-list", 1}});
  EXPECT_EQ(named("flavors", "m1.medium")["vcpus"], 2);
  EXPECT_EQ(named("flavors", "m1.medium")["memory"], 4);
  EXPECT_EQ(named("networks", "private-subnet")["family"], "Subnet");
  EXPECT_EQ(named("applications", "best_load_balancer")["provider"], "Octavia (OpenStack)");
  EXPECT_EQ(named("images", "cirros-0.3.2-x86_64-disk")["state"], "active");

  // Azure (the disks example pages to another host: the fake serves that page itself).
  std::string azure_base;
  ReplayServer azure([&](const CapturedRequest& request) -> ReplayReply {
    if (request.method == "POST") return {.body = R"({"access_token": "arm"})"};
    auto body_of = [](const std::string& file) {
      return json::parse(Fixture("azure/" + file))["responses"]["200"]["body"];
    };
    const std::string path = request.target.substr(0, request.target.find('?'));
    const std::string prefix = "/subscriptions/sub-1/providers/";
    if (path == prefix + "Microsoft.Compute/disks") {
      if (request.target.find("skiptoken") != std::string::npos)
        return {.body = R"({"value": []})"};
      json disks = body_of("compute-disks-listbysubscription.2024-03-02.example.json");
      disks["nextLink"] =
          azure_base + prefix + "Microsoft.Compute/disks?api-version=2024-03-02&skiptoken=2";
      return {.body = disks.dump()};
    }
    if (path == prefix + "Microsoft.Network/loadBalancers") {
      return {.body = body_of("network-loadbalancers-listall.2024-07-01.example.json").dump()};
    }
    if (path == prefix + "Microsoft.Network/virtualNetworks") {
      return {.body = body_of("network-virtualnetworks-listall.2024-05-01.example.json").dump()};
    }
    if (path == prefix + "Microsoft.Sql/servers") {
      return {.body = body_of("sql-servers-list.2023-08-01.example.json").dump()};
    }
    return {.body = R"({"value": []})"};
  });
  azure_base = azure.url();
  const json subscription = Create({{"name", "azure"},
                                    {"provider", "azure"},
                                    {"datacenter", datacenter_},
                                    {"endpoint", azure_base},
                                    {"enabled", false},
                                    {"credentials",
                                     {{"tenant", "t"},
                                      {"client_id", "c"},
                                      {"client_secret", kSecretKey},
                                      {"subscription", "sub-1"}}}});
  sync_all(subscription["id"], {{"volumes-list", 3},
                                {"loadbalance-list", 2},
                                {"network-list", 2},
                                {"dbs-list", 2},
                                {"snapshot-list", 0},
                                {"images-list", 0}});
  EXPECT_EQ(named("volumes", "myManagedDisk1")["datacenter"]["region"], "westus");
  EXPECT_EQ(named("networks", "vnet1")["cidr"], "10.0.0.0/8");
  EXPECT_EQ(named("applications", "sqlcrudtest-4645")["family"], "Database");
}

INSTANTIATE_TEST_SUITE_P(Backends, DiscoverySyncTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace maestro
