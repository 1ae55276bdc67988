// Jobs and schedulers across real processes of the built binary: a job outlives a kill -9 of its
// server; RabbitMQ spreads jobs over two `maestro worker`s and redelivers the job of one killed
// mid-run; of two `maestro scheduler`s exactly one fires, and the other takes over when it dies.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "common/clock.h"
#include "jobs/job_queue.h"
#include "jobs/jobs.h"
#include "scheduler/schedules.h"
#include "scheduler/webhook.h"
#include "store/open.h"
#include "support/http_client.h"
#include "support/process.h"
#include "support/test_database.h"
#include "support/test_support.h"

namespace maestro {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using store::Backend;
using testing::Eventually;
using testing::TempDir;

pid_t Start(const std::vector<std::string>& args, const std::vector<std::string>& env,
            const std::string& log) {
  return testing::Spawn(MAESTRO_BINARY, args, env, log);
}

struct JobState {
  std::string status;
  std::int64_t attempts = 0;
  std::string worker;
};

JobState StateOf(store::Store& store, const std::string& id) {
  auto rows = store.Query("SELECT status, attempts, worker FROM jobs WHERE id = ?", {id});
  if (!rows || rows->empty()) return {};
  return {store::AsString(rows->rows[0][0]), store::AsInt(rows->rows[0][1]),
          store::AsString(rows->rows[0][2])};
}

// "host:pid:random" -> pid
pid_t PidOf(const std::string& worker) {
  const auto first = worker.find(':');
  const auto second = worker.find(':', first + 1);
  if (first == std::string::npos || second == std::string::npos) return -1;
  return std::stoi(worker.substr(first + 1, second - first - 1));
}

TEST(JobProcessTest, AQueuedJobOutlivesAKilledServerAndRunsOnce) {
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  const auto port = testing::FreePort();
  const std::vector<std::string> env = {"MAESTRO_DATA_DIR=" + data,
                                        "MAESTRO_PORT=" + std::to_string(port),
                                        "MAESTRO_BIND=127.0.0.1", "MAESTRO_JOB_LEASE=2"};
  pid_t server = Start({"serve"}, env, (dir.path() / "first.log").string());
  ASSERT_TRUE(testing::WaitHealthy(port)) << testing::ReadFile(dir.path() / "first.log");

  auto store = store::OpenStore({.uri = "sqlite:" + data + "/maestro.db"});
  ASSERT_TRUE(store) << store.error().message;
  SystemClock clock;
  jobs::Jobs jobs(**store, clock);
  auto job = jobs.Enqueue({.type = "noop", .args = {{"sleep_ms", 3000}}});
  ASSERT_TRUE(job) << job.error().message;
  const std::string id = (*job)["id"];
  ASSERT_TRUE(Eventually([&] { return StateOf(**store, id).status == "running"; }, 10s));
  ::kill(server, SIGKILL);
  EXPECT_EQ(testing::WaitExit(server), 128 + SIGKILL);
  EXPECT_EQ(StateOf(**store, id).status, "running") << "it died with the server";

  server = Start({"serve"}, env, (dir.path() / "second.log").string());
  ASSERT_TRUE(testing::WaitHealthy(port));
  EXPECT_TRUE(Eventually([&] { return StateOf(**store, id).status == "succeeded"; }, 20s))
      << testing::ReadFile(dir.path() / "second.log");
  const JobState state = StateOf(**store, id);
  EXPECT_EQ(state.attempts, 2) << "once cut short, once to the end";
  EXPECT_EQ(PidOf(state.worker), server);
  auto count = (*store)->Query("SELECT COUNT(*) FROM jobs", {});
  ASSERT_TRUE(count);
  EXPECT_EQ(store::AsInt(count->rows[0][0]), 1);
  ::kill(server, SIGTERM);
  EXPECT_EQ(testing::WaitExit(server), 0);
}

TEST(JobProcessTest, RabbitMqSpreadsJobsAndRedeliversTheJobOfAKilledWorker) {
  const auto peer = testing::TestPeerVariable("MAESTRO_TEST_AMQP_URL");
  ASSERT_TRUE(peer);
  const std::string amqp = *peer;
  testing::TestDatabase database(Backend::kPostgres);
  ASSERT_NE(database.store(), nullptr);
  TempDir dir;
  const std::vector<std::string> env = {
      "MAESTRO_DATA_DIR=" + (dir.path() / "data").string(), "MAESTRO_DB_URI=" + database.uri(),
      "MAESTRO_BROKER_URL=" + amqp, "MAESTRO_WORKERS=2", "MAESTRO_JOB_LEASE=2"};
  std::vector<pid_t> workers;
  for (int i = 0; i < 2; ++i) {
    workers.push_back(
        Start({"worker"}, env, (dir.path() / fmt::format("worker{}.log", i)).string()));
  }
  // Both consuming before the first job, or the first one up may take them all (its prefetch).
  ASSERT_TRUE(Eventually(
      [&] {
        for (int i = 0; i < 2; ++i) {
          if (testing::ReadFile(dir.path() / fmt::format("worker{}.log", i))
                  .find("job workers on") == std::string::npos) {
            return false;
          }
        }
        return true;
      },
      20s));
  SystemClock clock;
  jobs::Jobs jobs(*database.store(), clock);
  auto queue = jobs::MakeAmqpQueue(jobs, {.url = amqp});
  ASSERT_TRUE(queue) << queue.error().message;
  jobs.SetQueue(queue->get());

  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {  // more than one worker's prefetch (2 threads × 8)
    auto job = jobs.Enqueue({.type = "noop", .args = {{"sleep_ms", 200}}});
    ASSERT_TRUE(job) << job.error().message;
    ids.push_back((*job)["id"]);
  }
  const bool all_done = Eventually(
      [&] {
        for (const auto& id : ids) {
          if (StateOf(*database.store(), id).status != "succeeded") return false;
        }
        return true;
      },
      30s);
  ASSERT_TRUE(all_done) << testing::ReadFile(dir.path() / "worker0.log");
  std::set<pid_t> ran_on;
  for (const auto& id : ids) {
    const JobState state = StateOf(*database.store(), id);
    EXPECT_EQ(state.attempts, 1);
    ran_on.insert(PidOf(state.worker));
  }
  EXPECT_EQ(ran_on, (std::set<pid_t>(workers.begin(), workers.end()))) << "both workers took jobs";

  // A worker killed in the middle of a job: the broker hands the job to the other one.
  auto job = jobs.Enqueue({.type = "noop", .args = {{"sleep_ms", 4000}}});
  ASSERT_TRUE(job);
  const std::string id = (*job)["id"];
  ASSERT_TRUE(Eventually([&] { return StateOf(*database.store(), id).status == "running"; }, 10s));
  const pid_t victim = PidOf(StateOf(*database.store(), id).worker);
  ASSERT_TRUE(victim == workers[0] || victim == workers[1]);
  ::kill(victim, SIGKILL);
  EXPECT_EQ(testing::WaitExit(victim), 128 + SIGKILL);
  EXPECT_TRUE(
      Eventually([&] { return StateOf(*database.store(), id).status == "succeeded"; }, 30s));
  const JobState state = StateOf(*database.store(), id);
  EXPECT_EQ(state.attempts, 2);
  const pid_t survivor = victim == workers[0] ? workers[1] : workers[0];
  EXPECT_EQ(PidOf(state.worker), survivor);

  // A job marked as published long ago whose message never reached the broker (lost in a crash):
  // the workers publish it again, and it runs.
  auto lost = jobs.Enqueue({.type = "noop", .delay = std::chrono::hours(1)});
  ASSERT_TRUE(lost);
  const std::string lost_id = (*lost)["id"];
  ASSERT_TRUE(database.store()->Exec(
      "UPDATE jobs SET dispatched = 1, run_after = '2020-01-01T00:00:00.000Z' WHERE id = ?",
      {lost_id}));
  EXPECT_TRUE(
      Eventually([&] { return StateOf(*database.store(), lost_id).status == "succeeded"; }, 20s));
  ::kill(survivor, SIGTERM);
  EXPECT_EQ(testing::WaitExit(survivor), 0) << testing::ReadFile(dir.path() / "worker0.log");
}

class SchedulerProcessTest : public ::testing::TestWithParam<Backend> {};

TEST_P(SchedulerProcessTest, OneOfTwoSchedulersFiresAndTheOtherTakesOver) {
  TempDir dir;
  testing::TestDatabase database(GetParam());
  ASSERT_NE(database.store(), nullptr);
  std::string uri = database.uri();
  SystemClock clock;
  jobs::Jobs jobs(*database.store(), clock);
  scheduler::Schedules schedules(*database.store(), clock, jobs, nullptr);
  schedules.Offer(scheduler::WebhookOffer());
  auto schedule = schedules.Create("owner", {{"name", "tick"},
                                             {"task", "webhook"},
                                             {"args", {{"url", "http://127.0.0.1:9/"}}},
                                             {"every", "1s"}});
  ASSERT_TRUE(schedule) << schedule.error().message;
  const std::string id = (*schedule)["id"];
  const std::vector<std::string> env = {"MAESTRO_DATA_DIR=" + (dir.path() / "data").string(),
                                        "MAESTRO_DB_URI=" + uri};
  const std::string logs[] = {(dir.path() / "a.log").string(), (dir.path() / "b.log").string()};
  pid_t schedulers[] = {Start({"scheduler"}, env, logs[0]), Start({"scheduler"}, env, logs[1])};

  auto fired = [&] {
    std::vector<TimePoint> times;
    auto rows = database.store()->Query(
        "SELECT created_at FROM jobs WHERE schedule_id = ? ORDER BY created_at", {id});
    if (rows) {
      for (const auto& row : rows->rows) times.push_back(*ParseTime(store::AsString(row[0])));
    }
    return times;
  };
  auto runs = [&] {
    auto rows = database.store()->Query("SELECT total_run_count FROM schedules WHERE id = ?", {id});
    return rows && !rows->empty() ? store::AsInt(rows->rows[0][0]) : -1;
  };
  ASSERT_TRUE(Eventually([&] { return fired().size() >= 4; }, 15s))
      << testing::ReadFile(logs[0]) << testing::ReadFile(logs[1]);
  int leader = -1;
  ASSERT_TRUE(Eventually(
      [&] {
        for (int i = 0; i < 2; ++i) {
          if (testing::ReadFile(logs[i]).find("leading") != std::string::npos) leader = i;
        }
        return leader >= 0;
      },
      5s));
  EXPECT_EQ(testing::ReadFile(logs[1 - leader]).find("leading"), std::string::npos)
      << "only one leads";

  ::kill(schedulers[leader], SIGKILL);
  EXPECT_EQ(testing::WaitExit(schedulers[leader]), 128 + SIGKILL);
  const std::size_t before = fired().size();
  EXPECT_TRUE(Eventually([&] { return fired().size() >= before + 3; }, 20s))
      << "the standby took over: " << testing::ReadFile(logs[1 - leader]);
  EXPECT_NE(testing::ReadFile(logs[1 - leader]).find("leading"), std::string::npos);
  ::kill(schedulers[1 - leader], SIGTERM);
  EXPECT_EQ(testing::WaitExit(schedulers[1 - leader]), 0);

  // Every run fired once: as many jobs as counted runs, never two for one time.
  const auto times = fired();
  EXPECT_EQ(static_cast<std::int64_t>(times.size()), runs());
  for (std::size_t i = 1; i < times.size(); ++i) {
    EXPECT_GE(times[i] - times[i - 1], 500ms) << "jobs " << i - 1 << " and " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, SchedulerProcessTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace maestro
