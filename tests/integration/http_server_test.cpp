// The server as a client sees it: the real Application (SQLite in a temp dir, a small built web
// UI) on a free port, spoken to over TCP.
#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>

#include "app/wiring.h"
#include "common/metrics.h"
#include "http/pipeline.h"
#include "http/router.h"
#include "http/server.h"
#include "store/open.h"
#include "support/http_client.h"
#include "support/test_support.h"

namespace maestro {
namespace {

using nlohmann::json;
using testing::HttpRequest;
using testing::TempDir;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteFile(dir_.path() / "web" / "index.html", "<!doctype html><div id=app></div>");
    testing::WriteFile(dir_.path() / "web" / "assets" / "app-1234.js", "export{}");
    config_.data_dir = (dir_.path() / "data").string();
    config_.web_dir = (dir_.path() / "web").string();
    config_.port = 0;
    config_.bind = "127.0.0.1";
    config_.theme = "wine";
    config_.max_body = 4096;
    std::filesystem::create_directories(config_.data_dir);
    auto created = app::Application::Create(config_);
    ASSERT_TRUE(created) << created.error().message;
    app_ = std::move(*created);
    ASSERT_TRUE(app_->Start());
    port_ = app_->port();
    ASSERT_NE(port_, 0);
  }

  testing::HttpReply Get(const std::string& target) { return HttpRequest(port_, "GET", target); }

  TempDir dir_;
  app::Config config_;
  std::unique_ptr<app::Application> app_;
  std::uint16_t port_ = 0;
};

TEST_F(HttpServerTest, HealthAnswersWithTheVersion) {
  auto reply = Get("/health");
  EXPECT_EQ(reply.status, 200);
  auto body = json::parse(reply.body);
  EXPECT_EQ(body["status"], "ok");
  EXPECT_FALSE(body["version"].get<std::string>().empty());
  EXPECT_EQ(reply.Header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(reply.Header("x-request-id").size(), 26u);
}

TEST_F(HttpServerTest, ReadyReportsTheDatabaseAndSchemaVersion) {
  auto reply = Get("/ready");
  EXPECT_EQ(reply.status, 200) << reply.body;
  auto body = json::parse(reply.body);
  EXPECT_EQ(body["status"], "ready");
  EXPECT_EQ(body["database"]["backend"], "sqlite");
  EXPECT_EQ(body["database"]["schema_version"], body["database"]["latest_schema_version"]);
  EXPECT_EQ(body["jobs"]["through"], "the database (local queue)");
}

TEST(HttpServerBrokerTest, ReadyNamesTheBrokerAndABrokerThatDoesNotAnswerStopsTheStart) {
  auto amqp = testing::TestPeerVariable("MAESTRO_TEST_AMQP_URL");
  ASSERT_TRUE(amqp);
  TempDir dir;
  app::Config config;
  config.data_dir = dir.str();
  config.port = 0;
  config.bind = "127.0.0.1";
  config.secret_jwt = std::string(40, 'b');
  config.broker_url = *amqp;
  {
    auto created = app::Application::Create(config);
    ASSERT_TRUE(created) << created.error().message;
    ASSERT_TRUE((*created)->Start());
    auto ready = HttpRequest((*created)->port(), "GET", "/ready");
    EXPECT_EQ(ready.status, 200) << ready.body;
    EXPECT_NE(json::parse(ready.body)["jobs"]["through"].get<std::string>().find("RabbitMQ"),
              std::string::npos)
        << ready.body;
    EXPECT_EQ(ready.body.find("guest:guest"), std::string::npos) << "no password shown";
  }
  config.broker_url = "amqp://guest:guest@127.0.0.1:" + std::to_string(testing::FreePort()) + "/";
  auto refused = app::Application::Create(config);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(refused.error().message.find("cannot connect"), std::string::npos)
      << refused.error().message;
}

TEST_F(HttpServerTest, ApiRootNamesTheAppVersionAndTheme) {
  auto body = json::parse(Get("/api").body);
  EXPECT_EQ(body["app"], "maestro");
  EXPECT_EQ(body["theme"], "wine");
}

TEST_F(HttpServerTest, OpenApiIsGeneratedFromTheRoutes) {
  auto reply = Get("/api/openapi.json");
  ASSERT_EQ(reply.status, 200);
  auto doc = json::parse(reply.body);
  for (const char* path : {"/health", "/ready", "/metrics", "/api", "/api/openapi.json"}) {
    EXPECT_TRUE(doc["paths"].contains(path)) << path;
  }
}

TEST_F(HttpServerTest, MetricsCountRequestsAndShowProcessFigures) {
  Get("/health");
  Get("/health");
  auto reply = Get("/metrics");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(reply.body.find(
                R"(maestro_http_requests_total{route="/health",method="GET",status="200"} 2)"),
            std::string::npos)
      << reply.body;
  EXPECT_NE(reply.body.find("maestro_process_resident_memory_bytes "), std::string::npos);
  EXPECT_NE(reply.body.find("maestro_process_uptime_seconds "), std::string::npos);
  EXPECT_NE(reply.body.find("maestro_jobs_queued 0"), std::string::npos) << reply.body;
  EXPECT_NE(
      reply.body.find(
          R"(maestro_http_request_duration_seconds_bucket{route="/health",method="GET",status="200",le="+Inf"} 2)"),
      std::string::npos);
}

TEST_F(HttpServerTest, ServesTheWebUiWithSpaFallback) {
  auto index = Get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.Header("content-type"), "text/html; charset=utf-8");
  auto deep = Get("/inventory/servers");
  EXPECT_EQ(deep.status, 200);
  EXPECT_EQ(deep.body, index.body);
  auto asset = Get("/assets/app-1234.js");
  EXPECT_EQ(asset.status, 200);
  EXPECT_EQ(asset.Header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(Get("/assets/missing-1.js").status, 404);
}

TEST_F(HttpServerTest, UnknownApiPathsAreJson404NotThePage) {
  for (const char* path : {"/api/nothing", "/api/servers/1/x"}) {
    auto reply = Get(path);
    EXPECT_EQ(reply.status, 404) << path;
    auto body = json::parse(reply.body);
    EXPECT_EQ(body["error"]["code"], "not_found") << path;
    EXPECT_EQ(body["error"]["status"], 404);
  }
}

TEST_F(HttpServerTest, WrongMethodIs405) {
  auto reply = HttpRequest(port_, "POST", "/health", "{}", {{"Content-Type", "application/json"}});
  EXPECT_EQ(reply.status, 405);
  EXPECT_EQ(reply.Header("allow"), "GET");
}

TEST_F(HttpServerTest, BodyOverMaxBodyIs413) {
  auto reply = HttpRequest(port_, "POST", "/health", std::string(8192, 'x'));
  EXPECT_EQ(reply.status, 405) << "no POST route: the method is checked before the body";
  // A body over the limit on a real route: the catch-all GET with a body.
  auto big = HttpRequest(port_, "GET", "/", std::string(8192, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(json::parse(big.body)["error"]["code"], "payload_too_large");
}

// curl sends "Expect: 100-continue" before a body over 1 MiB and waits a second for the answer.
TEST_F(HttpServerTest, AnswersExpectContinueBeforeTheBody) {
  const std::string body = R"({"email":"nobody@example.com","password":"wrong password"})";
  const auto plain =
      HttpRequest(port_, "POST", "/api/auth/login", body, {{"Content-Type", "application/json"}});
  ASSERT_EQ(plain.status, 401) << plain.body;
  for (int round = 0; round < 3; ++round) {  // the same socket slots serve the next connections
    const auto started = std::chrono::steady_clock::now();
    const auto continued = testing::HttpRequestExpectingContinue(
        port_, "POST", "/api/auth/login", body, std::chrono::seconds(5),
        {{"Content-Type", "application/json"}});
    EXPECT_EQ(continued.interim, "HTTP/1.1 100 Continue\r\n\r\n");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4))
        << "the body went out only after the client gave up waiting";
    EXPECT_EQ(continued.reply.status, 401) << continued.reply.body;
    EXPECT_EQ(continued.reply.body, plain.body);
  }
}

TEST_F(HttpServerTest, BadPercentEncodingIs400) {
  EXPECT_EQ(Get("/api?x=%zz").status, 400);
  EXPECT_EQ(Get("/inventory/%G1").status, 400);
}

TEST_F(HttpServerTest, SurvivesGarbageOnTheSocket) {
  // Not HTTP at all: the connection is dropped, the server goes on.
  auto garbage = HttpRequest(port_, "\x01\x02 nonsense", "\x7f");
  EXPECT_NE(garbage.status, 200);
  EXPECT_EQ(Get("/health").status, 200);
}

TEST(HttpServerDrainTest, StopLetsRequestsInFlightFinish) {
  http::Router router;
  std::promise<void> entered;
  router.Add({.method = "GET",
              .pattern = "/slow",
              .summary = "slow",
              .tag = "test",
              .body = http::BodyKind::kNone,
              .max_body = 0,
              .handler = [&](http::Request&) -> Result<http::Response> {
                entered.set_value();
                std::this_thread::sleep_for(std::chrono::milliseconds(300));
                return http::Response::Json(200, {{"done", true}});
              }});
  MetricsRegistry metrics;
  http::Pipeline pipeline(router, metrics, {});
  http::HttpServer server({.address = "127.0.0.1", .port = 0, .threads = 2}, pipeline);
  ASSERT_TRUE(server.Start());
  const auto port = server.port();
  auto reply = std::async(std::launch::async, [port] { return HttpRequest(port, "GET", "/slow"); });
  entered.get_future().wait();
  server.Stop();  // while /slow is running
  const auto answered = reply.get();
  EXPECT_EQ(answered.status, 200);
  EXPECT_EQ(json::parse(answered.body)["done"], true);
  EXPECT_EQ(HttpRequest(port, "GET", "/slow").status, 0) << "nothing listens after Stop()";
}

TEST(HttpServerPostgresTest, ReadyOnPostgres) {
  auto uri = testing::PostgresTestUri();
  ASSERT_TRUE(uri);
  TempDir dir;
  app::Config config;
  config.data_dir = dir.str();
  config.port = 0;
  config.bind = "127.0.0.1";
  // A schema of its own; migrations create everything in it.
  const std::string schema = "http_ready_" + std::to_string(::getpid());
  {
    auto admin = store::OpenStore({.uri = *uri, .pool_size = 1});
    ASSERT_TRUE(admin) << admin.error().message;
    ASSERT_TRUE((*admin)->Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE", {}));
    ASSERT_TRUE((*admin)->Exec("CREATE SCHEMA " + schema, {}));
  }
  config.db_uri = testing::WithSearchPath(*uri, schema);
  {
    auto created = app::Application::Create(config);
    ASSERT_TRUE(created) << created.error().message;
    ASSERT_TRUE((*created)->Start());
    auto reply = HttpRequest((*created)->port(), "GET", "/ready");
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(json::parse(reply.body)["database"]["backend"], "postgresql");
  }
  auto admin = store::OpenStore({.uri = *uri, .pool_size = 1});
  ASSERT_TRUE((*admin)->Exec("DROP SCHEMA " + schema + " CASCADE", {}));
}

}  // namespace
}  // namespace maestro

namespace maestro {
namespace {

// postgresql://u@h:p/db?x -> postgresql://u@h:p/<name>?x
std::string WithDatabase(const std::string& uri, const std::string& name) {
  const auto query = uri.find('?');
  const auto slash = uri.rfind('/', query);
  return uri.substr(0, slash + 1) + name + (query == std::string::npos ? "" : uri.substr(query));
}

TEST(HttpServerPostgresTest, ReadyIs503WhileTheDatabaseIsGoneAndRecovers) {
  auto uri = testing::PostgresTestUri();
  ASSERT_TRUE(uri);
  auto admin_opened = store::OpenStore({.uri = *uri, .pool_size = 1});
  ASSERT_TRUE(admin_opened) << admin_opened.error().message;
  auto& admin = **admin_opened;
  const std::string database = "maestro_ready_" + std::to_string(::getpid());
  (void)admin.Exec("DROP DATABASE IF EXISTS " + database, {});
  ASSERT_TRUE(admin.Exec("CREATE DATABASE " + database, {}));

  TempDir dir;
  app::Config config;
  config.data_dir = dir.str();
  config.port = 0;
  config.bind = "127.0.0.1";
  config.db_uri = WithDatabase(*uri, database);
  {
    auto created = app::Application::Create(config);
    ASSERT_TRUE(created) << created.error().message;
    ASSERT_TRUE((*created)->Start());
    const auto port = (*created)->port();
    EXPECT_EQ(HttpRequest(port, "GET", "/ready").status, 200);

    // The database stops answering: connections are cut and new ones refused.
    ASSERT_TRUE(admin.Exec("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false", {}));
    ASSERT_TRUE(admin.Query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ?", {database}));
    auto down = HttpRequest(port, "GET", "/ready");
    EXPECT_EQ(down.status, 503) << down.body;
    EXPECT_EQ(json::parse(down.body)["status"], "unavailable");
    EXPECT_EQ(HttpRequest(port, "GET", "/health").status, 200) << "liveness does not need the DB";

    ASSERT_TRUE(admin.Exec("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true", {}));
    auto back = HttpRequest(port, "GET", "/ready");
    EXPECT_EQ(back.status, 200) << back.body;
  }
  ASSERT_TRUE(admin.Exec("DROP DATABASE " + database, {}));
}

}  // namespace
}  // namespace maestro
