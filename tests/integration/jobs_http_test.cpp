// Jobs, schedules, events and the WebSocket through the HTTP API, on both backends: the server's
// own workers and scheduler run what the tests queue; webhooks go to a local capture server.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "auth/roles.h"
#include "common/clock.h"
#include "jobs/jobs.h"
#include "notify/events.h"
#include "store/open.h"
#include "support/api_client.h"
#include "support/capture_server.h"
#include "support/test_server.h"
#include "support/ws_client.h"

namespace maestro {
namespace {

using nlohmann::json;
using store::Backend;
using testing::ApiClient;
using testing::CaptureServer;
using testing::WsClient;

class JobsHttpTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started());
    alice_ = api_->SignUp("alice");
    bob_ = api_->SignUp("bob");
  }

  testing::HttpReply Call(const std::string& method, const std::string& target,
                          const std::string& token, const json& body = nullptr) {
    return api_->Call(method, target, token, body);
  }
  static json Body(const testing::HttpReply& reply) { return ApiClient::Body(reply); }

  json Webhook(const std::string& url, json extra = json::object()) {
    json body = {{"name", "hook"}, {"task", "webhook"}, {"args", {{"url", url}}}, {"every", "1h"}};
    body.update(extra);
    auto created = Call("POST", "/api/schedules", alice_.token, body);
    EXPECT_EQ(created.status, 201) << created.body;
    return Body(created);
  }
  // Runs a schedule now and waits for its job to end.
  json RunAndWait(const std::string& id, const std::string& token) {
    auto run = Call("POST", "/api/schedules/" + id + "/run", token);
    EXPECT_EQ(run.status, 202) << run.body;
    return api_->AwaitJob(token, Body(run)["job"].value("id", ""));
  }
  // The problems of a 422, as "field: problem" lines.
  static std::string Problems(const testing::HttpReply& reply) {
    std::string out;
    const json body = Body(reply);
    for (const auto& detail : body["error"]["details"]) {
      out += detail.value("field", "") + ": " + detail.value("problem", "") + "\n";
    }
    return out;
  }

  testing::TestServer server_{GetParam()};
  ApiClient* api_ = &server_.api();
  ApiClient::User alice_, bob_;
};

TEST_P(JobsHttpTest, ScheduleBodiesAreCheckedFieldByField) {
  struct Case {
    json body;
    std::string field;
    std::string words;
  };
  const json hook = {{"url", "http://127.0.0.1:9/x"}};
  const std::vector<Case> cases = {
      {{{"task", "webhook"}, {"args", hook}, {"every", "5m"}}, "name", "required"},
      {{{"name", "x"}, {"args", hook}, {"every", "5m"}}, "task", "required"},
      {{{"name", "x"}, {"task", "webhook"}, {"args", hook}}, "every", "exactly one"},
      {{{"name", "x"}, {"task", "webhook"}, {"args", hook}, {"every", "5m"}, {"cron", "* * * * *"}},
       "cron",
       "choose one"},
      {{{"name", "x"}, {"task", "webhook"}, {"args", hook}, {"cron", "61 * * * *"}},
       "cron",
       "61 is out of range"},
      {{{"name", "x"}, {"task", "webhook"}, {"args", hook}, {"every", "0s"}}, "every", "zero"},
      {{{"name", "x"}, {"task", "webhook"}, {"args", hook}, {"every", 5}}, "every", "text"},
      {{{"name", "x"}, {"task", "sync"}, {"args", json::object()}, {"every", "5m"}},
       "args.connection",
       "is required"},
      {{{"name", "x"},
        {"task", "sync"},
        {"args", {{"connection", "01NOSUCHCONNECTION"}, {"resource", "server-list"}}},
        {"every", "5m"}},
       "args.connection",
       "no connection"},
      {{{"name", "x"}, {"task", "graph"}, {"args", json::object()}, {"every", "5m"}},
       "args.id",
       "is required"},
      {{{"name", "x"}, {"task", "mail"}, {"every", "5m"}}, "task", "one of"},
      {{{"name", "x"}, {"task", "webhook"}, {"args", {{"url", "ftp://x"}}}, {"every", "5m"}},
       "args.url",
       "http"},
      {{{"name", "x"},
        {"task", "webhook"},
        {"args", {{"url", "http://x"}, {"verb", "GET"}}},
        {"every", "5m"}},
       "args.verb",
       "not a webhook argument"},
      {{{"name", "x"},
        {"task", "webhook"},
        {"args", {{"url", "http://x"}, {"method", "BREW"}}},
        {"every", "5m"}},
       "args.method",
       "GET"},
      {{{"name", "x"},
        {"task", "webhook"},
        {"args", hook},
        {"every", "5m"},
        {"total_run_count", 3}},
       "total_run_count",
       "read-only"},
      {{{"name", "x"}, {"task", "webhook"}, {"args", hook}, {"every", "5m"}, {"colour", "red"}},
       "colour",
       "not a field"},
      {{{"name", 5}, {"task", "webhook"}, {"args", hook}, {"every", "5m"}}, "name", "string"},
      {{{"name", "x"},
        {"task", "webhook"},
        {"args", hook},
        {"every", "5m"},
        {"chain", {{{"schedule", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}}}}},
       "chain.0.schedule",
       "no schedule"},
  };
  for (const auto& c : cases) {
    auto reply = Call("POST", "/api/schedules", alice_.token, c.body);
    ASSERT_EQ(reply.status, 422) << c.body.dump() << " " << reply.body;
    const std::string problems = Problems(reply);
    EXPECT_NE(problems.find(c.field + ": "), std::string::npos) << c.body.dump() << "\n"
                                                                << problems;
    EXPECT_NE(problems.find(c.words), std::string::npos) << c.body.dump() << "\n" << problems;
  }
  EXPECT_EQ(Call("POST", "/api/schedules", alice_.token, json::array()).status, 400);
  EXPECT_EQ(Body(Call("GET", "/api/schedules", alice_.token))["total"], 0) << "nothing half-made";
}

TEST_P(JobsHttpTest, SchedulesAndJobsBelongToTheirOwner) {
  CaptureServer receiver(200, "ok");
  const json schedule = Webhook(receiver.url() + "/hook");
  const std::string id = schedule["id"];
  const json job = RunAndWait(id, alice_.token);
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  const std::string one = "/api/schedules/" + id;
  EXPECT_EQ(Call("GET", one, bob_.token).status, 404);
  EXPECT_EQ(Call("PATCH", one, bob_.token, {{"name", "mine"}}).status, 404);
  EXPECT_EQ(Call("POST", one + "/run", bob_.token).status, 404);
  EXPECT_EQ(Call("DELETE", one, bob_.token).status, 404);
  EXPECT_EQ(Call("GET", "/api/jobs/" + job["id"].get<std::string>(), bob_.token).status, 404);
  EXPECT_EQ(
      Call("POST", "/api/jobs/" + job["id"].get<std::string>() + "/cancel", bob_.token).status,
      404);
  EXPECT_EQ(Body(Call("GET", "/api/schedules", bob_.token))["total"], 0);
  EXPECT_EQ(Body(Call("GET", "/api/jobs", bob_.token))["total"], 0);
  EXPECT_EQ(Body(Call("GET", "/api/jobs", alice_.token))["total"], 1);
  // A chain may not run someone else's schedule.
  auto bobs = Call("POST", "/api/schedules", bob_.token,
                   {{"name", "b"},
                    {"task", "webhook"},
                    {"args", {{"url", "http://127.0.0.1:9/"}}},
                    {"every", "1h"},
                    {"chain", {{{"schedule", id}}}}});
  EXPECT_EQ(bobs.status, 422) << bobs.body;
  EXPECT_EQ(Call("GET", "/api/schedules", "").status, 401);
  EXPECT_EQ(Call("DELETE", one, alice_.token).status, 204);
  EXPECT_EQ(Call("GET", one, alice_.token).status, 404);
}

TEST_P(JobsHttpTest, EditingMovesTheNextRunOnlyWhenTheTimingChanges) {
  const TimePoint before = std::chrono::system_clock::now();
  const json created = Webhook("http://127.0.0.1:9/x");
  const std::string one = "/api/schedules/" + created["id"].get<std::string>();
  const auto next = ParseTime(created["next_run_at"].get<std::string>());
  ASSERT_TRUE(next);
  EXPECT_GE(*next, before + std::chrono::hours(1) - std::chrono::seconds(1));
  EXPECT_LE(*next, std::chrono::system_clock::now() + std::chrono::hours(1));

  auto renamed = Call("PATCH", one, alice_.token, {{"name", "renamed"}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(Body(renamed)["next_run_at"], created["next_run_at"]);
  EXPECT_EQ(Body(renamed)["version"], 2);
  EXPECT_EQ(renamed.Header("etag"), "\"2\"");
  auto stale = api_->Call("PATCH", one, alice_.token, {{"name", "x"}}, {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 412) << stale.body;

  auto cron = Call("PATCH", one, alice_.token, {{"cron", "0 3 * * *"}});
  ASSERT_EQ(cron.status, 200) << cron.body;
  EXPECT_TRUE(Body(cron)["every"].is_null());
  const auto at_three = ParseTime(Body(cron)["next_run_at"].get<std::string>());
  ASSERT_TRUE(at_three);
  EXPECT_EQ(FormatTime(*at_three).substr(10), "T03:00:00.000Z");
  EXPECT_GT(*at_three, std::chrono::system_clock::now());

  auto off = Call("PATCH", one, alice_.token, {{"enabled", false}});
  EXPECT_TRUE(Body(off)["next_run_at"].is_null()) << off.body;
  auto on = Call("PATCH", one, alice_.token, {{"enabled", true}});
  EXPECT_EQ(Body(on)["next_run_at"], Body(cron)["next_run_at"]);
  auto replaced = Call("PUT", one, alice_.token,
                       {{"name", "whole"},
                        {"task", "webhook"},
                        {"args", {{"url", "http://127.0.0.1:9/y"}}},
                        {"every", "30s"}});
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(Body(replaced)["args"]["url"], "http://127.0.0.1:9/y");
  EXPECT_TRUE(Body(replaced)["cron"].is_null());
}

TEST_P(JobsHttpTest, RunNowCallsTheWebhookAndCountsTheRun) {
  CaptureServer receiver(200, "thanks");
  const json schedule =
      Webhook(receiver.url() + "/hook?x=1", {{"args",
                                              {{"url", receiver.url() + "/hook?x=1"},
                                               {"method", "PUT"},
                                               {"headers", {{"X-Token", "s3cret"}}},
                                               {"body", {{"a", 1}}}}}});
  const std::string id = schedule["id"];
  const TimePoint before = std::chrono::system_clock::now() - std::chrono::seconds(1);
  const json job = RunAndWait(id, alice_.token);
  EXPECT_EQ(job["status"], "succeeded") << job.dump();
  EXPECT_EQ(job["type"], "webhook");
  EXPECT_EQ(job["schedule"], id);
  EXPECT_EQ(job["attempts"], 1);
  EXPECT_EQ(job["result"]["status"], 200);
  EXPECT_EQ(job["result"]["reply_bytes"], 6);
  EXPECT_FALSE(job["result"].contains("reply")) << "the reply's content is not kept";
  EXPECT_EQ(job["progress"]["done"], job["progress"]["total"]);
  const auto request = receiver.Wait();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->method, "PUT");
  EXPECT_EQ(request->target, "/hook?x=1");
  EXPECT_EQ(request->Header("x-token"), "s3cret");
  EXPECT_EQ(request->Header("content-type"), "application/json");
  EXPECT_EQ(json::parse(request->body), json({{"a", 1}}));

  // The scheduler's side is recorded once the worker reported back.
  json after;
  for (int i = 0; i < 100; ++i) {
    after = Body(Call("GET", "/api/schedules/" + id, alice_.token));
    if (after["last_status"] == "succeeded") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(after["total_run_count"], 1);
  EXPECT_EQ(after["last_status"], "succeeded");
  EXPECT_FALSE(after["last_run_at"].is_null());

  const json events = Body(
      Call("GET", "/api/events?since=" + FormatTime(before) + "&ref=" + id, alice_.token))["items"];
  bool told = false;
  for (const auto& event : events) {
    told = told || (event["type"] == "notify" && event["level"] == "success" &&
                    event["title"] == "Schedule hook ran" && event["ref"]["id"] == id);
  }
  EXPECT_TRUE(told) << events.dump();
  EXPECT_TRUE(Body(Call("GET", "/api/events?ref=" + id, bob_.token))["items"].empty());
  EXPECT_TRUE(
      Body(Call("GET", "/api/events?since=2199-01-01T00:00:00Z", alice_.token))["items"].empty());
  EXPECT_EQ(Call("GET", "/api/events?since=yesterday", alice_.token).status, 400);
  EXPECT_EQ(Call("GET", "/api/events?colour=red", alice_.token).status, 400);
}

TEST_P(JobsHttpTest, TransientFailuresAreRetriedWithBackoff) {
  CaptureServer receiver({503, 200}, "");
  const json job = RunAndWait(Webhook(receiver.url())["id"], alice_.token);
  EXPECT_EQ(job["status"], "succeeded") << job.dump();
  EXPECT_EQ(job["attempts"], 2);
  EXPECT_TRUE(job["error"].is_null());
  const auto requests = receiver.WaitAll();
  ASSERT_EQ(requests.size(), 2u);
}

TEST_P(JobsHttpTest, RepeatedFailuresDisableTheSchedule) {
  CaptureServer receiver({404, 404, 404, 404, 404}, "no such hook");
  const std::string id = Webhook(receiver.url())["id"];
  json schedule;
  for (int run = 1; run <= 5; ++run) {
    const json job = RunAndWait(id, alice_.token);
    EXPECT_EQ(job["status"], "failed") << job.dump();
    EXPECT_EQ(job["attempts"], 1) << "a 404 is not retried";
    EXPECT_NE(job["error"].get<std::string>().find("HTTP 404"), std::string::npos) << job.dump();
    for (int i = 0; i < 100; ++i) {
      schedule = Body(Call("GET", "/api/schedules/" + id, alice_.token));
      if (schedule["failures"] == run) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(schedule["failures"], run);
    EXPECT_EQ(schedule["enabled"], run < 5) << schedule.dump();
  }
  EXPECT_TRUE(schedule["next_run_at"].is_null());
  EXPECT_NE(schedule["message"].get<std::string>().find("disabled after 5 failed runs"),
            std::string::npos)
      << schedule.dump();
  // Switching it on again starts the count afresh.
  auto on = Call("PATCH", "/api/schedules/" + id, alice_.token, {{"enabled", true}});
  EXPECT_EQ(Body(on)["failures"], 0);
  EXPECT_TRUE(Body(on)["message"].is_null());
}

TEST_P(JobsHttpTest, AChainRunsTheNextScheduleAfterSuccess) {
  CaptureServer first(200, "");
  CaptureServer second(200, "");
  const std::string next = Webhook(second.url() + "/second", {{"name", "second"}})["id"];
  const std::string head =
      Webhook(first.url() + "/first",
              {{"name", "first"}, {"chain", {{{"schedule", next}, {"countdown_s", 0}}}}})["id"];
  EXPECT_EQ(RunAndWait(head, alice_.token)["status"], "succeeded");
  const auto request = second.Wait();
  ASSERT_TRUE(request) << "the chained schedule ran";
  EXPECT_EQ(request->target, "/second");
  json chained;
  for (int i = 0; i < 100; ++i) {
    chained = Body(Call("GET", "/api/jobs?schedule=" + next, alice_.token));
    if (chained["total"] == 1 && chained["items"][0]["status"] == "succeeded") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(chained["total"], 1) << chained.dump();
  EXPECT_EQ(Body(Call("GET", "/api/schedules/" + next, alice_.token))["total_run_count"], 1);
}

TEST_P(JobsHttpTest, CancelEndsAQueuedJobAndStopsARunningOne) {
  SystemClock clock;
  jobs::Jobs queue(*server_.store(), clock);
  auto later = queue.Enqueue({.type = "noop",
                              .args = {{"sleep_ms", 10}},
                              .owner_id = alice_.id,
                              .delay = std::chrono::hours(1)});
  ASSERT_TRUE(later);
  const std::string later_id = (*later)["id"];
  auto cancelled = Call("POST", "/api/jobs/" + later_id + "/cancel", alice_.token);
  ASSERT_EQ(cancelled.status, 202) << cancelled.body;
  EXPECT_EQ(Body(cancelled)["job"]["status"], "cancelled");
  EXPECT_EQ(Call("POST", "/api/jobs/" + later_id + "/cancel", alice_.token).status, 409);

  auto long_one =
      queue.Enqueue({.type = "noop", .args = {{"sleep_ms", 20000}}, .owner_id = alice_.id});
  ASSERT_TRUE(long_one);
  const std::string id = (*long_one)["id"];
  for (int i = 0; i < 200; ++i) {  // the server's workers find it by polling
    if (Body(Call("GET", "/api/jobs/" + id, alice_.token))["status"] == "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto asked = std::chrono::steady_clock::now();
  ASSERT_EQ(Call("POST", "/api/jobs/" + id + "/cancel", alice_.token).status, 202);
  const json ended = api_->AwaitJob(alice_.token, id, 10000);
  EXPECT_EQ(ended["status"], "cancelled") << ended.dump();
  EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(5))
      << "stopped at a progress point, long before its 20 s";
}

TEST_P(JobsHttpTest, JobListsFilterAndRefuseUnknownValues) {
  CaptureServer receiver(200, "");
  const std::string id = Webhook(receiver.url())["id"];
  RunAndWait(id, alice_.token);
  EXPECT_EQ(Body(Call("GET", "/api/jobs?type=webhook&status=succeeded", alice_.token))["total"], 1);
  EXPECT_EQ(Body(Call("GET", "/api/jobs?type=import", alice_.token))["total"], 0);
  EXPECT_EQ(Body(Call("GET", "/api/jobs?schedule=" + id, alice_.token))["total"], 1);
  auto bad = Call("GET", "/api/jobs?status=done", alice_.token);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("queued, running"), std::string::npos) << bad.body;
  EXPECT_EQ(Call("GET", "/api/jobs?colour=red", alice_.token).status, 400);
  EXPECT_EQ(Call("GET", "/api/jobs?limit=0", alice_.token).status, 400);
  EXPECT_EQ(Call("GET", "/api/jobs/nope", alice_.token).status, 404);
}

TEST_P(JobsHttpTest, TheWebSocketTellsOnlyTheOwner) {
  WsClient alice(server_.port(), "/ws?token=" + alice_.token);
  ASSERT_EQ(alice.status(), 101);
  WsClient bob(server_.port(), "/ws");
  ASSERT_EQ(bob.status(), 101);
  ASSERT_TRUE(bob.Send(json{{"token", bob_.token}}.dump()));
  const auto ready = bob.Receive();
  ASSERT_TRUE(ready);
  EXPECT_EQ(json::parse(*ready)["type"], "ready");

  CaptureServer receiver(200, "");
  RunAndWait(Webhook(receiver.url())["id"], alice_.token);
  bool succeeded = false, notified = false;
  while (auto message = alice.Receive(3000)) {
    const json m = json::parse(*message);
    succeeded = succeeded ||
                (m["type"] == "job" && m["status"] == "succeeded" && m["job_type"] == "webhook");
    notified = notified || (m["type"] == "notify" && m["level"] == "success");
    if (succeeded && notified) break;
  }
  EXPECT_TRUE(succeeded);
  EXPECT_TRUE(notified);
  EXPECT_FALSE(bob.Receive(500)) << "bob hears nothing of alice's jobs";

  ASSERT_TRUE(alice.Send(R"({"type":"ping"})"));
  bool ponged = false;
  while (auto message = alice.Receive(3000)) {  // after the last events of the run
    if (json::parse(*message)["type"] == "pong") {
      ponged = true;
      break;
    }
  }
  EXPECT_TRUE(ponged);

  WsClient forged(server_.port(), "/ws?token=forged");
  EXPECT_EQ(forged.status(), 401);
  WsClient late(server_.port(), "/ws");
  ASSERT_EQ(late.status(), 101);
  ASSERT_TRUE(late.Send(R"({"token":"forged"})"));
  EXPECT_FALSE(late.Receive());
  EXPECT_EQ(late.close_code(), 4401);
  EXPECT_EQ(api_->Call("GET", "/ws", alice_.token).status, 400) << "not an upgrade";
}

INSTANTIATE_TEST_SUITE_P(Backends, JobsHttpTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return testing::BackendName(info.param); });

// PostgreSQL: an event published by another node (here, another Events on its own connections)
// reaches this node's WebSocket clients through NOTIFY, and only those who may read the record.
// A task whose module is switched off is not offered: schedules of it are refused, so none waits
// for a module that is not there.
TEST(DisabledModuleTasksTest, AreNotAvailableToSchedules) {
  testing::TestServer server(Backend::kSqlite,
                             [](app::Config& config) { config.analytics_disabled = true; });
  ASSERT_TRUE(server.started());
  const auto user = server.api().SignUp("carol");
  auto reply = server.api().Call("POST", "/api/schedules", user.token,
                                 {{"name", "x"},
                                  {"task", "graph"},
                                  {"args", {{"id", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}}},
                                  {"every", "5m"}});
  ASSERT_EQ(reply.status, 422) << reply.body;
  const json details = ApiClient::Body(reply)["error"]["details"];
  ASSERT_FALSE(details.empty()) << reply.body;
  EXPECT_EQ(details[0]["field"], "task");
  EXPECT_NE(details[0]["problem"].get<std::string>().find("not available"), std::string::npos)
      << reply.body;
}

TEST(CrossNodeEventsTest, ReachReadersConnectedToAnyNode) {
  testing::TestServer server(Backend::kPostgres);
  ASSERT_TRUE(server.started());
  ApiClient& api = server.api();
  const auto owner = api.SignUp("owner");
  const auto reader = api.SignUp("reader");
  const auto stranger = api.SignUp("stranger");
  auto made = api.Call("POST", "/api/datacenters", owner.token,
                       {{"name", "Lab"}, {"provider", "Bare metal"}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string record = ApiClient::Body(made)["id"];
  ASSERT_EQ(api.Call("POST", "/api/datacenters/" + record + "/roles", owner.token,
                     {{"type", "user"}, {"id", reader.id}, {"role", "read"}})
                .status,
            201);
  WsClient owner_ws(server.port(), "/ws?token=" + owner.token);
  WsClient reader_ws(server.port(), "/ws?token=" + reader.token);
  WsClient stranger_ws(server.port(), "/ws?token=" + stranger.token);
  ASSERT_EQ(stranger_ws.status(), 101);

  auto other_node = store::OpenStore({.uri = server.db_uri(), .pool_size = 2});
  ASSERT_TRUE(other_node) << other_node.error().message;
  SystemClock clock;
  notify::Events events(**other_node, clock, auth::EventReadRule());
  ASSERT_TRUE(events.Start());
  ASSERT_TRUE(events.Signal({.ref_id = record}, "datacenters-" + record, record));
  for (WsClient* client : {&owner_ws, &reader_ws}) {
    auto message = client->Receive();
    ASSERT_TRUE(message);
    EXPECT_EQ(json::parse(*message)["name"], "datacenters-" + record);
  }
  EXPECT_FALSE(stranger_ws.Receive(500));
  // Kept too: the reader finds it later, the stranger never.
  EXPECT_EQ(
      ApiClient::Body(api.Call("GET", "/api/events?ref=" + record, reader.token))["items"].size(),
      1u);
  EXPECT_TRUE(ApiClient::Body(api.Call("GET", "/api/events?ref=" + record, stranger.token))["items"]
                  .empty());
}

}  // namespace
}  // namespace maestro
