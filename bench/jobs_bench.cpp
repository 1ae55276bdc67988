// The benchmarks of background work (the jobs issue), each printing one JSON line:
//
//   maestro-bench-jobs queue URI [AMQP_URL|-] [COUNT] [THREADS]
//     No-op jobs through the local queue (AMQP_URL "-") or RabbitMQ: COUNT jobs (default 20000)
//     are queued in transactions of 1,000, and THREADS workers (default 2) run them; jobs/s is
//     COUNT over the time from the first queued to the last finished.
//
//   maestro-bench-jobs scheduler URI [COUNT]
//     COUNT schedules (default 10000) on a cron of every minute, all due in two seconds, and one
//     scheduler: the lag of each job's creation after its due time (max and p99, ms).
//
//   maestro-bench-jobs websocket [CLIENTS]
//     A server (SQLite in a temp dir) with CLIENTS WebSocket connections (default 1000) of one
//     user; one notification is published and the time until every client has it is measured
//     (median of 20 rounds, and the worst).
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/config.h"
#include "app/wiring.h"
#include "bench_support.h"
#include "common/clock.h"
#include "common/http_call.h"
#include "common/ids.h"
#include "jobs/job_queue.h"
#include "jobs/jobs.h"
#include "jobs/workers.h"
#include "notify/events.h"
#include "scheduler/scheduler.h"
#include "scheduler/schedules.h"
#include "scheduler/webhook.h"
#include "store/migrations.h"
#include "store/open.h"

namespace {

using maestro::bench::Die;
using maestro::bench::Must;

using namespace maestro;
using nlohmann::json;
using Steady = std::chrono::steady_clock;

std::unique_ptr<store::Store> OpenMigrated(const std::string& uri) {
  auto store = Must(store::OpenStore({.uri = uri, .pool_size = 8}), "open");
  Must(store::Migrate(*store), "migrate");
  return store;
}

std::int64_t Count(store::Store& store, const std::string& sql) {
  auto rows = Must(store.Query(sql, {}), "count");
  return store::AsInt(rows.rows.at(0).at(0));
}

int Queue(const std::string& uri, const std::string& amqp, int count, int threads) {
  auto store = OpenMigrated(uri);
  Must(store->Exec("DELETE FROM jobs", {}), "empty the jobs table");
  SystemClock clock;
  jobs::Jobs jobs(*store, clock);
  std::unique_ptr<jobs::JobQueue> queue =
      amqp == "-"
          ? jobs::MakeLocalQueue(jobs)
          : Must(jobs::MakeAmqpQueue(jobs, {.url = amqp, .queue = "maestro.bench"}), "broker");
  jobs.SetQueue(queue.get());
  jobs::Workers workers(jobs, *queue, nullptr, nullptr,
                        {.threads = static_cast<std::size_t>(threads)});
  workers.Register(
      {.name = "noop", .handler = [](jobs::JobContext&) -> Result<json> { return json(nullptr); }});
  Must(workers.Start(), "workers");
  const auto start = Steady::now();
  for (int done = 0; done < count; done += 1000) {
    std::vector<jobs::NewJob> batch(std::min(1000, count - done), jobs::NewJob{.type = "noop"});
    std::vector<std::string> ids;
    Must(store->Transaction([&](store::Session& session) -> Status {
      ids = Must(jobs.Insert(session, batch), "insert");
      return {};
    }),
         "queue");
    jobs.Announce(ids);
  }
  const double queued_s = std::chrono::duration<double>(Steady::now() - start).count();
  while (Count(*store, "SELECT COUNT(*) FROM jobs WHERE status = 'succeeded'") < count) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  workers.Stop();
  fmt::print("{}\n", json{{"bench", "queue"},
                          {"queue", amqp == "-" ? "local" : "rabbitmq"},
                          {"backend",
                           store->dialect() == store::Dialect::kSqlite ? "sqlite" : "postgresql"},
                          {"jobs", count},
                          {"threads", threads},
                          {"queued_s", queued_s},
                          {"seconds", seconds},
                          {"jobs_per_s", count / seconds}}
                         .dump());
  return 0;
}

int Scheduler(const std::string& uri, int count) {
  auto store = OpenMigrated(uri);
  Must(store->Exec("DELETE FROM jobs", {}), "empty the jobs table");
  Must(store->Exec("DELETE FROM schedules", {}), "empty the schedules table");
  SystemClock clock;
  // Due at the next whole second, two seconds from now.
  const auto due =
      std::chrono::time_point_cast<std::chrono::seconds>(clock.Now()) + std::chrono::seconds(2);
  const std::string due_text = FormatTime(due);
  Must(store->Transaction([&](store::Session& session) -> Status {
    for (int i = 0; i < count; i += 200) {
      std::string sql =
          "INSERT INTO schedules (id, owner_id, name, task, args, cron, next_run_at, created_at, "
          "updated_at) VALUES ";
      store::Params params;
      for (int j = i; j < std::min(count, i + 200); ++j) {
        sql += j == i ? "(?, 'bench', ?, 'webhook', '{}', '* * * * *', ?, ?, ?)"
                      : ", (?, 'bench', ?, 'webhook', '{}', '* * * * *', ?, ?, ?)";
        params.insert(params.end(), {NewId(), fmt::format("schedule {}", j), due_text,
                                     FormatTime(clock.Now()), FormatTime(clock.Now())});
      }
      if (auto inserted = session.Exec(sql, params); !inserted) return Fail(inserted.error());
    }
    return {};
  }),
       "schedules");
  jobs::Jobs jobs(*store, clock);
  auto queue = jobs::MakeLocalQueue(jobs);
  jobs.SetQueue(queue.get());
  scheduler::Schedules schedules(*store, clock, jobs, nullptr);
  schedules.Offer(scheduler::WebhookOffer());
  scheduler::Scheduler leader(*store, clock, schedules, nullptr);
  leader.Start();
  while (Count(*store, "SELECT COUNT(*) FROM jobs") < count) {
    if (clock.Now() > due + std::chrono::seconds(30)) Die("the schedules did not all fire in 30 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  leader.Stop();
  auto rows = Must(store->Query("SELECT created_at FROM jobs", {}), "jobs");
  std::vector<double> lags;
  for (const auto& row : rows.rows) {
    const auto created = ParseTime(store::AsString(row[0]));
    lags.push_back(std::chrono::duration<double, std::milli>(*created - due).count());
  }
  std::sort(lags.begin(), lags.end());
  fmt::print("{}\n", json{{"bench", "scheduler"},
                          {"backend",
                           store->dialect() == store::Dialect::kSqlite ? "sqlite" : "postgresql"},
                          {"schedules", count},
                          {"lag_ms_p50", lags[lags.size() / 2]},
                          {"lag_ms_p99", lags[lags.size() * 99 / 100]},
                          {"lag_ms_max", lags.back()}}
                         .dump());
  return 0;
}

// One raw WebSocket client: connect and upgrade; then only frames are read.
int Connect(std::uint16_t port, const std::string& token) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    Die("cannot connect a WebSocket client (raise the open-files limit?)");
  }
  const std::string request = "GET /ws?token=" + token +
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: "
                              "Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              "Sec-WebSocket-Version: 13\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    Die("cannot send the upgrade");
  }
  std::string head;
  char c;
  while (head.find("\r\n\r\n") == std::string::npos && ::recv(fd, &c, 1, 0) == 1) head += c;
  if (head.rfind("HTTP/1.1 101", 0) != 0) Die("upgrade refused: " + head.substr(0, 40));
  return fd;
}

int WebSocket(int clients) {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  const auto dir = std::filesystem::temp_directory_path() / ("maestro-bench-ws-" + NewId());
  std::filesystem::create_directories(dir);
  app::Config config;
  config.data_dir = dir.string();
  config.port = 0;
  config.bind = "127.0.0.1";
  config.secret_jwt = RandomHex(32);
  config.log_level = "warn";
  auto application =
      Must(app::Application::Create(config, {.http = true, .worker = false, .scheduler = false}),
           "server");
  Must(application->Start(), "start");
  auto user = Must(
      app::CreateUser(config, "Bench", "bench@example.com", "benchmark-password", false), "user");
  const std::string user_id = json::parse(user)["id"];
  const std::string base = fmt::format("http://127.0.0.1:{}", application->port());
  auto login = Must(
      Perform(
          {.method = "POST",
           .url = base + "/api/auth/login",
           .headers = {"Content-Type: application/json"},
           .body =
               json{{"email", "bench@example.com"}, {"password", "benchmark-password"}}.dump()}),
      "login");
  const std::string token = json::parse(login.body)["token"];
  std::vector<pollfd> fds;
  for (int i = 0; i < clients; ++i) {
    fds.push_back({.fd = Connect(application->port(), token), .events = POLLIN, .revents = 0});
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // every connection registered
  std::vector<double> rounds;
  for (int round = 0; round < 20; ++round) {
    std::vector<bool> got(fds.size(), false);
    std::size_t left = fds.size();
    const auto start = Steady::now();
    Must(application->events().Notify({.user_id = user_id}, "bench", "fan-out", "info", "bench"),
         "notify");
    char buffer[4096];
    while (left > 0) {
      if (::poll(fds.data(), fds.size(), 5000) <= 0) Die("clients waited 5 s for the message");
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if ((fds[i].revents & POLLIN) == 0) continue;
        // One small frame per round: whatever arrived is this round's message.
        if (::recv(fds[i].fd, buffer, sizeof buffer, 0) > 0 && !got[i]) {
          got[i] = true;
          --left;
        }
      }
    }
    rounds.push_back(std::chrono::duration<double, std::milli>(Steady::now() - start).count());
  }
  for (const auto& item : fds) ::close(item.fd);
  application->Stop();
  std::filesystem::remove_all(dir);
  std::sort(rounds.begin(), rounds.end());
  fmt::print("{}\n", json{{"bench", "websocket"},
                          {"clients", clients},
                          {"fanout_ms_median", rounds[rounds.size() / 2]},
                          {"fanout_ms_max", rounds.back()}}
                         .dump());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto number = [&](std::size_t i, int fallback) {
    return args.size() > i ? std::max(1, std::atoi(args[i].c_str())) : fallback;
  };
  if (args.size() >= 2 && args[0] == "queue") {
    return Queue(args[1], args.size() > 2 ? args[2] : "-", number(3, 20000), number(4, 2));
  }
  if (args.size() >= 2 && args[0] == "scheduler") return Scheduler(args[1], number(2, 10000));
  if (!args.empty() && args[0] == "websocket") return WebSocket(number(1, 1000));
  fmt::print(stderr,
             "usage: maestro-bench-jobs queue URI [AMQP_URL|-] [COUNT] [THREADS]\n"
             "       maestro-bench-jobs scheduler URI [COUNT]\n"
             "       maestro-bench-jobs websocket [CLIENTS]\n");
  return 2;
}
