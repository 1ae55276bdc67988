// Cost of access control on lists: a list of 50 servers out of 100k records that belong to many
// users and teams (every list filters by the acl in SQL), against the same list over a dataset
// that one user owns entirely. Usage: maestro-bench-acl [DATABASE_URI] [RECORDS] [ROUNDS]
// (default: a SQLite file in a temp dir, 100000 records, 200 lists).
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "auth/principal.h"
#include "bench_support.h"
#include "common/clock.h"
#include "common/ids.h"
#include "inventory/records.h"
#include "store/migrations.h"
#include "store/open.h"

namespace {

using maestro::bench::Must;
using maestro::store::Params;
using maestro::store::Store;
using nlohmann::json;

constexpr int kUsers = 50;
constexpr int kTeams = 10;

// Fills `kind` with `count` servers. shared = owners spread over users and teams with extra
// grants; otherwise one user owns everything.
void Fill(Store& store, const std::string& kind, int count, bool shared,
          const std::vector<std::string>& users, const std::vector<std::string>& teams) {
  std::mt19937 random(42);
  const std::string now = maestro::FormatTime(std::chrono::system_clock::now());
  const std::string doc_param(maestro::store::JsonParam(store.dialect()));
  for (int start = 0; start < count; start += 5000) {
    Must(store.Transaction([&](maestro::store::Session& session) -> maestro::Status {
      for (int i = start; i < std::min(count, start + 5000); ++i) {
        const std::string id = maestro::NewId();
        const bool by_team = shared && random() % 4 == 0;
        const std::string owner_type = by_team ? "team" : "user";
        const std::string owner =
            shared ? (by_team ? teams[random() % teams.size()] : users[random() % users.size()])
                   : users[0];
        const json doc = {{"hostname", fmt::format("host-{:06}", i)},
                          {"os", {{"base", i % 3 == 0 ? "Windows" : "Linux"}}},
                          {"cpu", static_cast<int>(random() % 64) + 1},
                          {"environment", i % 2 ? "Production" : "Staging"}};
        auto inserted = session.Exec(
            "INSERT INTO records (id, kind, owner_type, owner_id, created_at, updated_at, doc) "
            "VALUES (?, ?, ?, ?, ?, ?, " +
                doc_param + ")",
            {id, kind, owner_type, owner, now, now, doc.dump()});
        if (!inserted) return maestro::Fail(inserted.error());
        auto granted = session.Exec(
            "INSERT INTO acl (record_id, principal_type, principal_id, role) VALUES (?, ?, ?, 3)",
            {id, owner_type, owner});
        if (!granted) return maestro::Fail(granted.error());
        if (shared && random() % 3 == 0) {  // a read grant to another user
          const std::string& other = users[random() % users.size()];
          if (other != owner) {
            auto read = session.Exec(
                "INSERT INTO acl (record_id, principal_type, principal_id, role) VALUES (?, "
                "'user', ?, 1)",
                {id, other});
            if (!read) return maestro::Fail(read.error());
          }
        }
      }
      return {};
    }),
         "filling records");
  }
}

double MillisecondsPerList(maestro::inventory::Records& records,
                           const maestro::inventory::EntitySpec& spec,
                           const maestro::auth::Principal& caller, int rounds,
                           std::int64_t* total) {
  maestro::inventory::ListQuery query;
  query.limit = 50;
  query.filters = {{"os.base", "eq", "Linux"}, {"cpu", "gte", 8}};
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < rounds; ++i) {
    query.page = 1 + i % 5;
    auto list = records.List(caller, spec, query);
    if (!list) {
      fmt::print(stderr, "list: {}\n", list.error().message);
      std::exit(1);
    }
    *total = nlohmann::json::parse(*list)["total"].get<std::int64_t>();
  }
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
             .count() /
         rounds;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("maestro-bench-acl-" + maestro::NewId());
  fs::create_directories(dir);
  const std::string uri = argc > 1 ? argv[1] : "sqlite:" + (dir / "bench.db").string();
  const int count = argc > 2 ? std::atoi(argv[2]) : 100000;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 200;

  auto opened = maestro::store::OpenStore({.uri = uri, .pool_size = 4});
  if (!opened) {
    fmt::print(stderr, "{}\n", opened.error().message);
    return 1;
  }
  Store& store = **opened;
  if (auto migrated = maestro::store::Migrate(store); !migrated) {
    fmt::print(stderr, "{}\n", migrated.error().message);
    return 1;
  }
  const std::string now = maestro::FormatTime(std::chrono::system_clock::now());
  std::vector<std::string> users, teams;
  Must(store.Transaction([&](maestro::store::Session& session) -> maestro::Status {
    for (int i = 0; i < kUsers; ++i) {
      users.push_back(maestro::NewId());
      const std::string email = fmt::format("user{}-{}@bench.example", i, users.back());
      auto done = session.Exec(
          "INSERT INTO users (id, email, email_key, name, password_hash, created_at, updated_at) "
          "VALUES (?, ?, ?, ?, 'x', ?, ?)",
          {users.back(), email, email, fmt::format("User {}", i), now, now});
      if (!done) return maestro::Fail(done.error());
    }
    for (int t = 0; t < kTeams; ++t) {
      teams.push_back(maestro::NewId());
      auto done =
          session.Exec("INSERT INTO teams (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
                       {teams.back(), fmt::format("Team {}", t), now, now});
      if (!done) return maestro::Fail(done.error());
      for (int m = 0; m < kUsers; m += 1 + t) {  // teams of different sizes
        auto member =
            session.Exec("INSERT INTO team_members (team_id, user_id, role) VALUES (?, ?, ?)",
                         {teams.back(), users[m], std::int64_t{1 + m % 3}});
        if (!member) return maestro::Fail(member.error());
      }
    }
    return {};
  }),
       "users and teams");

  // Two kinds side by side so that each list scans only its own dataset.
  maestro::inventory::Registry registry;
  auto shared_spec = *maestro::inventory::DefaultRegistry().Find("servers");
  registry.Add(shared_spec);
  auto owned_spec = shared_spec;
  owned_spec.kind = "owned_servers";
  registry.Add(owned_spec);

  const auto fill_start = std::chrono::steady_clock::now();
  Fill(store, "servers", count, true, users, teams);
  Fill(store, "owned_servers", count, false, users, teams);
  const double fill_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - fill_start).count();

  maestro::SystemClock clock;
  maestro::inventory::Records records(store, clock, registry, {});
  const maestro::auth::Principal member{.user_id = users[0], .name = "User 0"};
  std::int64_t shared_total = 0, owned_total = 0;
  // Warm the caches once, then measure.
  MillisecondsPerList(records, *registry.Find("servers"), member, 5, &shared_total);
  MillisecondsPerList(records, *registry.Find("owned_servers"), member, 5, &owned_total);
  const double shared_ms =
      MillisecondsPerList(records, *registry.Find("servers"), member, rounds, &shared_total);
  const double owned_ms =
      MillisecondsPerList(records, *registry.Find("owned_servers"), member, rounds, &owned_total);
  fmt::print("backend              {}\n",
             store.dialect() == maestro::store::Dialect::kSqlite ? "sqlite" : "postgresql");
  fmt::print("records              {} shared among {} users and {} teams, {} owned by one user\n",
             count, kUsers, kTeams, count);
  fmt::print("fill                 {:.1f} s ({:.0f} records/s with acl)\n", fill_s,
             2.0 * count / fill_s);
  fmt::print("list of 50, shared   {:.2f} ms ({} readable matches)\n", shared_ms, shared_total);
  fmt::print("list of 50, owned    {:.2f} ms ({} matches)\n", owned_ms, owned_total);
  fmt::print("ratio                {:.2f} (target <= 1.3)\n", shared_ms / owned_ms);
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return 0;
}
