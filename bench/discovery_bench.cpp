// Discovery benchmark (discovery issue): the sync of N EC2 instances from a replay server speaking
// AWS's Query/XML protocol, pages of PAGE, into an empty inventory, end to end through the HTTP
// API, a job and history; then a re-sync with no change. Prints one JSON line:
//   {bench, backend, instances, first_s, records_per_s, resync_s, rss_before_mb, peak_rss_mb,
//    peak_anon_mb (heap), peak_file_mb (mapped files: SQLite reads through mmap)}
// Usage: maestro-bench-discovery URI [INSTANCES] [PAGE]
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/config.h"
#include "app/wiring.h"
#include "bench_support.h"
#include "common/http_call.h"
#include "common/ids.h"
#include "common/validation.h"
#include "support/capture_server.h"

namespace {

using maestro::bench::Die;
using maestro::bench::Must;

using namespace maestro;
using nlohmann::json;
using Steady = std::chrono::steady_clock;

// A /proc/self/status figure in MiB (VmRSS, VmHWM).
double ProcMiB(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(field + ":")) return std::stod(line.substr(field.size() + 1)) / 1024.0;
  }
  return 0;
}

std::string RandomHex(int bytes) {
  std::string out;
  while (static_cast<int>(out.size()) < bytes * 2) out += Lower(NewId());
  std::string hex;
  for (char c : out) hex += "0123456789abcdef"[static_cast<unsigned char>(c) % 16];
  return hex.substr(0, bytes * 2);
}

std::string PageXml(int first, int count, int total) {
  static const char* kTypes[] = {"t3.micro", "m5.large", "c5.xlarge", "r5.2xlarge"};
  std::string xml =
      "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
      "<reservationSet><item><instancesSet>";
  for (int i = first; i < std::min(total, first + count); ++i) {
    xml += fmt::format(
        "<item><instanceId>i-{:08x}</instanceId><imageId>ami-0abc</imageId><instanceState><code>16"
        "</code><name>running</name></instanceState><privateDnsName>ip-10-{}-{}-{}.ec2.internal"
        "</privateDnsName><keyName>ops</keyName><instanceType>{}</instanceType><placement>"
        "<availabilityZone>us-east-1{}</availabilityZone></placement><subnetId>subnet-{:04x}"
        "</subnetId><privateIpAddress>10.{}.{}.{}</privateIpAddress><tagSet><item><key>Name</key>"
        "<value>srv-{}</value></item><item><key>environment</key><value>{}</value></item><item>"
        "<key>role</key><value>{}</value></item></tagSet><blockDeviceMapping><item><deviceName>"
        "/dev/xvda</deviceName><ebs><volumeId>vol-{:08x}</volumeId></ebs></item>"
        "</blockDeviceMapping></item>",
        i, i / 65536 % 256, i / 256 % 256, i % 256, kTypes[i % 4], "abc"[i % 3], i % 64,
        i / 65536 % 256, i / 256 % 256, i % 256, i, i % 2 ? "prod" : "staging",
        i % 5 ? "web" : "db", i);
  }
  xml += "</instancesSet></item></reservationSet>";
  if (first + count < total) xml += fmt::format("<nextToken>{}</nextToken>", first + count);
  return xml + "</DescribeInstancesResponse>";
}

// The form value of `key` in a Query body.
std::string FormValue(const std::string& body, const std::string& key) {
  const auto at = body.find(key + "=");
  if (at == std::string::npos) return "";
  const auto end = body.find('&', at);
  return body.substr(at + key.size() + 1,
                     end == std::string::npos ? std::string::npos : end - at - key.size() - 1);
}

struct Api {
  std::string base;
  std::string token;
  json Call(const std::string& method, const std::string& path, const json& body = nullptr) {
    HttpCall call{.method = method,
                  .url = base + path,
                  .headers = {"Content-Type: application/json", "Authorization: Bearer " + token},
                  .body = body.is_null() ? "" : body.dump(),
                  .timeout = std::chrono::milliseconds(600000)};
    auto reply = Must(Perform(call), "request");
    if (reply.status >= 400)
      Die(fmt::format("{} {}: {} {}", method, path, reply.status, reply.body));
    return reply.body.empty() ? json() : json::parse(reply.body);
  }
  // Syncs and waits; returns (seconds, job).
  std::pair<double, json> Sync(const std::string& connection) {
    const auto start = Steady::now();
    const json jobs = Call("POST", "/api/connections/" + connection + "/sync")["jobs"];
    const std::string id = jobs.at(0)["id"];
    for (;;) {
      json job = Call("GET", "/api/jobs/" + id);
      const std::string status = job["status"];
      if (status != "queued" && status != "running") {
        const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
        if (status != "succeeded") Die("sync " + status + ": " + job.dump());
        return {seconds, job};
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: maestro-bench-discovery URI [INSTANCES] [PAGE]\n");
    return 2;
  }
  const std::string uri = argv[1];
  const int total = argc > 2 ? std::max(1, std::atoi(argv[2])) : 100000;
  const int page = argc > 3 ? std::max(1, std::atoi(argv[3])) : 1000;

  testing::ReplayServer aws([&](const testing::CapturedRequest& request) {
    const std::string token = FormValue(request.body, "NextToken");
    return testing::ReplayReply{.body = PageXml(token.empty() ? 0 : std::stoi(token), page, total),
                                .content_type = "text/xml"};
  });

  const auto dir = std::filesystem::temp_directory_path() / ("maestro-bench-discovery-" + NewId());
  std::filesystem::create_directories(dir);
  app::Config config;
  config.data_dir = dir.string();
  config.db_uri = uri;
  config.port = 0;
  config.bind = "127.0.0.1";
  config.secret_jwt = RandomHex(32);
  config.secret_key = RandomHex(32);
  config.workers = 1;
  config.log_level = "warn";
  auto application =
      Must(app::Application::Create(config, {.http = true, .worker = true, .scheduler = false}),
           "server");
  Must(application->Start(), "start");
  Must(app::CreateUser(config, "Bench", "bench@example.com", "benchmark-password", false), "user");
  Api api{.base = fmt::format("http://127.0.0.1:{}", application->port())};
  api.token =
      api.Call("POST", "/api/auth/login",
               {{"email", "bench@example.com"}, {"password", "benchmark-password"}})["token"];
  const std::string datacenter =
      api.Call("POST", "/api/datacenters", {{"name", "aws"}, {"provider", "AWS"}})["id"];
  const std::string connection = api.Call(
      "POST", "/api/connections",
      {{"name", "bench"},
       {"provider", "aws"},
       {"datacenter", datacenter},
       {"regions", {"us-east-1"}},
       {"endpoint", aws.url()},
       {"enabled", false},
       {"resources", {{"server-list", {{"enabled", true}}}}},
       {"credentials", {{"access_key", "AKIDBENCH"}, {"secret_key", "bench-secret"}}}})["id"];

  const double rss_before = ProcMiB("VmRSS");
  // Peaks of the heap (RssAnon) and of mapped files (RssFile: SQLite reads through mmap) apart.
  std::atomic<bool> sampling = true;
  double peak_anon = 0, peak_file = 0;
  std::thread sampler([&] {
    while (sampling) {
      peak_anon = std::max(peak_anon, ProcMiB("RssAnon"));
      peak_file = std::max(peak_file, ProcMiB("RssFile"));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  auto [first_s, first] = api.Sync(connection);
  if (first["result"]["created"] != total) Die("first sync: " + first.dump());
  auto [resync_s, again] = api.Sync(connection);
  if (again["result"]["unchanged"] != total) Die("re-sync: " + again.dump());
  const double peak = ProcMiB("VmHWM");
  sampling = false;
  sampler.join();
  application->Stop();
  std::filesystem::remove_all(dir);
  fmt::print("{}\n", json{{"bench", "discovery"},
                          {"backend", uri.starts_with("postgres") ? "postgresql" : "sqlite"},
                          {"instances", total},
                          {"page", page},
                          {"first_s", first_s},
                          {"records_per_s", total / first_s},
                          {"resync_s", resync_s},
                          {"rss_before_mb", rss_before},
                          {"peak_rss_mb", peak},
                          {"peak_anon_mb", peak_anon},
                          {"peak_file_mb", peak_file}}
                         .dump());
  return 0;
}
