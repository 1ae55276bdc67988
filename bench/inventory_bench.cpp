// Data for the inventory benchmarks of scripts/bench (the inventory issue). Two commands:
//
//   maestro-bench-inventory seed URI DIR [SCALE]
//     Migrates the database at URI and fills it with 50 users (password in DIR/password), 10
//     teams, 100k servers, 20k applications, 2k systems, 500 clients (times SCALE, default 1) and
//     ~200k relations, owned by users and teams with extra grants, each with its creation in the
//     history. Writes for the benchmark user (a member of two teams, not an admin): DIR/email,
//     DIR/readable (ids of servers it can read) and DIR/writable (ids of servers it can write).
//
//   maestro-bench-inventory import-file FILE COUNT
//     Writes an import file in the original's format with COUNT servers (new hostnames each run)
//     spread over a few datacenters, as `maestro import` and POST /api/import take it.
//
//   maestro-bench-inventory ceiling URI DIR SECONDS
//     The database's own pace on the seeded dataset, the ceiling of the API's figures: the
//     statements of a PATCH's write alone, the rows an import writes alone, and Search::Find called
//     in-process. Prints `write N`, `insert N` and `search N` (per second).
//
// Records are inserted with plain SQL in large transactions: seeding is setup, not what is
// measured.
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "auth/password.h"
#include "auth/roles.h"
#include "bench_support.h"
#include "common/clock.h"
#include "common/ids.h"
#include "inventory/registry.h"
#include "inventory/search.h"
#include "store/migrations.h"
#include "store/open.h"

namespace {

using maestro::bench::Die;
using maestro::bench::Must;

using maestro::store::Session;
using maestro::store::Store;
using nlohmann::json;

constexpr int kUsers = 50;
constexpr int kTeams = 10;
constexpr int kBenchUser = 7;  // a member of teams 7 and 2 (see Members)

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

const std::vector<std::string> kEnvironments = {"Production", "Production", "Staging",
                                                "Development", "QA"};
const std::vector<std::string> kRoles = {"web", "app", "db", "cache", "batch", "proxy"};
const std::vector<std::pair<std::string, std::string>> kSystems = {
    {"Linux", "Ubuntu"}, {"Linux", "Debian"}, {"Linux", "RHEL"}, {"Windows", "Server 2022"}};
const std::vector<std::string> kFamilies = {"Application", "Database", "Loadbalance", "Cache",
                                            "Broker"};

json ServerDoc(int i, std::mt19937& random, const std::string& datacenter) {
  const auto& [base, dist] = kSystems[random() % kSystems.size()];
  return {
      {"hostname", fmt::format("host-{:06}", i)},
      {"name", fmt::format("Host {}", i)},
      {"ipv4_private", fmt::format("10.{}.{}.{}", i >> 16 & 255, i >> 8 & 255, i & 255)},
      {"environment", kEnvironments[random() % kEnvironments.size()]},
      {"role", kRoles[random() % kRoles.size()]},
      {"os", {{"base", base}, {"dist", dist}, {"version", fmt::format("{}", 8 + random() % 5)}}},
      {"cpu", 1 << (random() % 6)},
      {"memory", 2 << (random() % 7)},
      {"status", "Active"},
      {"datacenter", {{"id", datacenter}, {"region", fmt::format("region-{}", random() % 4)}}},
      {"tags", {{{"key", "team"}, {"value", fmt::format("squad-{}", random() % 12)}}}}};
}

class Seeder {
 public:
  Seeder(Store& store, int scale) : store_(store), scale_(scale), random_(42) {}

  void Run(const std::filesystem::path& dir) {
    const auto start = std::chrono::steady_clock::now();
    now_ = maestro::FormatTime(std::chrono::system_clock::now());
    People(dir);
    std::vector<std::string> datacenters = Insert("datacenters", 5, [&](int i) {
      return json{{"name", fmt::format("dc-{}", i)}, {"provider", "AWS"}};
    });
    servers_ = Insert("servers", 100000 * scale_, [&](int i) {
      return ServerDoc(i, random_, datacenters[i % datacenters.size()]);
    });
    const auto applications = Insert("applications", 20000 * scale_, [&](int i) {
      return json{{"name", fmt::format("app-{:05}", i)},
                  {"family", kFamilies[random_() % kFamilies.size()]},
                  {"environment", kEnvironments[random_() % kEnvironments.size()]}};
    });
    const auto systems = Insert("systems", 2000 * scale_, [&](int i) {
      return json{{"name", fmt::format("system-{:04}", i)}};
    });
    const auto clients = Insert("clients", 500 * scale_, [&](int i) {
      return json{{"name", fmt::format("client-{:03}", i)}};
    });
    std::int64_t edges = 0;
    edges += Link("app_servers", applications, servers_, 8);
    edges += Link("app_systems", applications, systems, 1);
    edges += Link("app_deps", applications, applications, 1);
    edges += Link("system_clients", systems, clients, 2);
    // A database in use is vacuumed and has its planner statistics; right after a bulk load it
    // has neither, and autovacuum would do both while the benchmark runs.
    if (store_.dialect() == maestro::store::Dialect::kPostgres) {
      if (auto vacuumed = store_.Exec("VACUUM ANALYZE"); !vacuumed) Die(vacuumed.error().message);
    }
    WriteCallerFiles(dir);
    fmt::print("seeded {} records and {} relations in {:.1f} s\n", records_, edges,
               SecondsSince(start));
  }

 private:
  void People(const std::filesystem::path& dir) {
    const std::string password = maestro::NewId();
    auto hash =
        maestro::auth::PasswordHasher(maestro::auth::PasswordCost::Interactive()).Hash(password);
    if (!hash) Die(hash.error().message);
    std::ofstream(dir / "password") << password;
    Must(store_.Transaction([&](Session& session) -> maestro::Status {
      for (int i = 0; i < kUsers; ++i) {
        users_.push_back(maestro::NewId());
        const std::string email = fmt::format("user{}@bench.example", i);
        auto done = session.Exec(
            "INSERT INTO users (id, email, email_key, name, password_hash, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            {users_.back(), email, email, fmt::format("User {}", i), *hash, now_, now_});
        if (!done) return maestro::Fail(done.error());
      }
      for (int t = 0; t < kTeams; ++t) {
        teams_.push_back(maestro::NewId());
        auto done =
            session.Exec("INSERT INTO teams (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
                         {teams_.back(), fmt::format("Team {}", t), now_, now_});
        if (!done) return maestro::Fail(done.error());
      }
      // Each user is in two teams: u % 10 (as a writer) and (3u + 1) % 10 (as a reader).
      for (int u = 0; u < kUsers; ++u) {
        const int first = u % kTeams, second = (3 * u + 1) % kTeams;
        for (auto [team, role] : {std::pair{first, 2}, std::pair{second, 1}}) {
          if (team == second && second == first) continue;
          auto member =
              session.Exec("INSERT INTO team_members (team_id, user_id, role) VALUES (?, ?, ?)",
                           {teams_[team], users_[u], std::int64_t{role}});
          if (!member) return maestro::Fail(member.error());
        }
      }
      return {};
    }),
         "users and teams");
    std::ofstream(dir / "email") << fmt::format("user{}@bench.example", kBenchUser);
  }

  // Inserts `count` records of `kind` made by `make(i)`, owned by a user (3 in 4) or a team, with
  // a read grant to another user for 1 in 3 and a write grant to a team for 1 in 10.
  template <typename Make>
  std::vector<std::string> Insert(const std::string& kind, int count, Make make) {
    const auto start = std::chrono::steady_clock::now();
    const std::string param(maestro::store::JsonParam(store_.dialect()));
    const auto& spec = *maestro::inventory::DefaultRegistry().Find(kind);
    std::vector<std::string> ids;
    for (int first = 0; first < count; first += 5000) {
      Must(store_.Transaction([&](Session& session) -> maestro::Status {
        for (int i = first; i < std::min(count, first + 5000); ++i) {
          const std::string id = maestro::NewId();
          const bool by_team = random_() % 4 == 0;
          const std::string owner_type = by_team ? "team" : "user";
          const std::string& owner =
              by_team ? teams_[random_() % kTeams] : users_[random_() % kUsers];
          const json doc = make(i);
          if (auto done = session.Exec(
                  "INSERT INTO records (id, kind, owner_type, owner_id, created_at, updated_at, "
                  "source, search, doc) VALUES (?, ?, ?, ?, ?, ?, 'import', ?, " +
                      param + ")",
                  {id, kind, owner_type, owner, now_, now_,
                   maestro::inventory::SearchText(spec, doc), doc.dump()});
              !done) {
            return maestro::Fail(done.error());
          }
          std::vector<std::tuple<std::string, std::string, std::int64_t>> grants = {
              {owner_type, owner, 3}};
          if (random_() % 3 == 0) {
            const std::string& other = users_[random_() % kUsers];
            if (other != owner) grants.emplace_back("user", other, 1);
          }
          if (random_() % 10 == 0) {
            const std::string& team = teams_[random_() % kTeams];
            if (team != owner) grants.emplace_back("team", team, 2);
          }
          for (const auto& [type, principal, role] : grants) {
            if (auto done = session.Exec(
                    "INSERT INTO acl (record_id, principal_type, principal_id, role) VALUES "
                    "(?, ?, ?, ?)",
                    {id, type, principal, role});
                !done) {
              return maestro::Fail(done.error());
            }
          }
          json snapshot = doc;
          snapshot["id"] = id;
          if (auto done = session.Exec(
                  "INSERT INTO history (record_id, version, at, actor_type, actor_id, action, "
                  "changes, snapshot) VALUES (?, 1, ?, 'system', NULL, 'create', " +
                      param + ", " + param + ")",
                  {id, now_, json::diff(json::object(), doc).dump(), snapshot.dump()});
              !done) {
            return maestro::Fail(done.error());
          }
          ids.push_back(id);
        }
        return {};
      }),
           "records");
    }
    records_ += count;
    fmt::print("  {:>7} {:<13} {:.1f} s\n", count, kind, SecondsSince(start));
    return ids;
  }

  // About `per` edges of `relation` from each of `from` to random records of `to`.
  std::int64_t Link(const std::string& relation, const std::vector<std::string>& from,
                    const std::vector<std::string>& to, int per) {
    std::int64_t count = 0;
    for (std::size_t first = 0; first < from.size(); first += 2000) {
      Must(store_.Transaction([&](Session& session) -> maestro::Status {
        for (std::size_t i = first; i < std::min(from.size(), first + 2000); ++i) {
          std::set<std::string> targets;
          while (static_cast<int>(targets.size()) < per) {
            const std::string& target = to[random_() % to.size()];
            if (target != from[i]) targets.insert(target);
          }
          for (const auto& target : targets) {
            auto done = session.Exec(
                "INSERT INTO edges (relation, from_id, to_id, created_at) VALUES (?, ?, ?, ?)",
                {relation, from[i], target, now_});
            if (!done) return maestro::Fail(done.error());
            ++count;
          }
        }
        return {};
      }),
           "relations");
    }
    return count;
  }

  // The servers the benchmark user can read and write, by the same conditions as the API.
  void WriteCallerFiles(const std::filesystem::path& dir) {
    for (auto [name, role] : {std::pair{"readable", maestro::auth::Role::kRead},
                              std::pair{"writable", maestro::auth::Role::kWrite}}) {
      const auto access = maestro::auth::AccessCondition("r.id", users_[kBenchUser], role);
      maestro::store::Params params = {std::string("servers")};
      params.insert(params.end(), access.params.begin(), access.params.end());
      auto rows =
          store_.Query("SELECT r.id FROM records r WHERE r.kind = ? AND " + access.sql, params);
      if (!rows) Die(rows.error().message);
      std::ofstream out(dir / name);
      for (std::size_t i = 0; i < rows->size(); ++i) {
        out << maestro::store::AsString(rows->At(i, "id")) << '\n';
      }
      fmt::print("benchmark user can {} {} servers\n",
                 name == std::string("readable") ? "read" : "write", rows->size());
    }
  }

  Store& store_;
  int scale_;
  std::mt19937 random_;
  std::string now_;
  std::vector<std::string> users_, teams_, servers_;
  std::int64_t records_ = 0;
};

int Seed(const std::string& uri, const std::filesystem::path& dir, int scale) {
  std::filesystem::create_directories(dir);
  auto opened = maestro::store::OpenStore({.uri = uri, .pool_size = 2});
  if (!opened) Die(opened.error().message);
  if (auto migrated = maestro::store::Migrate(**opened); !migrated) Die(migrated.error().message);
  Seeder(**opened, scale).Run(dir);
  return 0;
}

int ImportFile(const std::string& path, int count) {
  std::mt19937 random(static_cast<unsigned>(std::random_device{}()));
  const std::string run = maestro::NewId().substr(20);  // new hostnames on each run
  json servers = json::array();
  for (int i = 0; i < count; ++i) {
    json server = ServerDoc(i, random, "");
    server["hostname"] = fmt::format("import-{}-{:06}", run, i);
    server.erase("datacenter");
    server["datacenters"] = {{"name", fmt::format("import-dc-{}", i % 3)},
                             {"provider", "AWS"},
                             {"region", "eu-west-1"},
                             {"zone", "eu-west-1a"}};
    servers.push_back(std::move(server));
  }
  std::ofstream(path) << json{{"servers", std::move(servers)}}.dump();
  return 0;
}

std::vector<std::string> ReadLines(const std::filesystem::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  if (lines.empty()) Die(fmt::format("{} is missing or empty: seed first", path.string()));
  return lines;
}

// Calls `one(thread, i)` on `threads` threads for `seconds`; returns the calls made per second.
template <typename One>
double Rate(int threads, double seconds, One one) {
  std::atomic<std::int64_t> calls{0};
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (std::int64_t i = 0; std::chrono::steady_clock::now() < end; ++i) {
        one(t, i);
        calls.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& worker : workers) worker.join();
  return static_cast<double>(calls.load()) / SecondsSince(start);
}

// What the database does alone, on the seeded dataset, with as many callers as wrk keeps busy:
// the API's figures for PATCH, import and search cannot pass these, whatever the server does.
constexpr int kCallers = 16;

// The API's search without HTTP or a token: the needles of bench/wrk/inventory.lua.
double SearchRate(Store& store, const std::string& user_id, double seconds) {
  maestro::inventory::Search search(store, maestro::inventory::DefaultRegistry());
  const maestro::auth::Principal caller{.user_id = user_id, .name = "bench", .is_admin = false};
  return Rate(kCallers, seconds, [&](int t, std::int64_t i) {
    const auto n = static_cast<unsigned>(t * 1000003 + i * 7919);
    const std::string q = n % 2 == 0 ? fmt::format("host-{:04}", n / 2 % 1000)
                                     : fmt::format("app-{:05}", n / 2 % 20000);
    Must(search.Find(caller, q, {}, 20), "search");
  });
}

// A PATCH's write: the new document and version, and its history entry, in one transaction.
double WriteRate(Store& store, const std::vector<std::string>& writable, const std::string& user_id,
                 const std::string& now, double seconds) {
  const bool sqlite = store.dialect() == maestro::store::Dialect::kSqlite;
  const std::string update =
      sqlite ? "UPDATE records SET doc = json_set(doc, '$.role', ?), version = version + 1, "
               "updated_at = ? WHERE id = ?"
             : "UPDATE records SET doc = jsonb_set(doc, '{role}', to_jsonb(?::text)), version = "
               "version + 1, updated_at = ? WHERE id = ?";
  const std::string history =
      "INSERT INTO history (record_id, version, at, actor_type, actor_id, action, changes) SELECT "
      "id, version, updated_at, 'user', ?, 'update', " +
      std::string(maestro::store::JsonParam(store.dialect())) + " FROM records WHERE id = ?";
  return Rate(kCallers, seconds, [&](int t, std::int64_t i) {
    const std::string& id =
        writable[static_cast<std::size_t>(t * 1000003 + i * 7919 + 13) % writable.size()];
    const std::string role = fmt::format("role-{}", i % 100);
    const std::string changes =
        json::array({{{"op", "replace"}, {"path", "/role"}, {"value", role}}}).dump();
    Must(store.Transaction([&](Session& session) -> maestro::Status {
      if (auto done = session.Exec(update, {role, now, id}); !done) {
        return maestro::Fail(done.error());
      }
      auto done = session.Exec(history, {user_id, changes, id});
      return done ? maestro::Status{} : maestro::Fail(done.error());
    }),
         "write");
  });
}

// Servers [first, first + count) of datacenter_id, with their grants and creation entries, in the
// session's transaction, as an import writes them.
maestro::Status InsertServers(Session& session, const std::string& user_id, const std::string& now,
                              const std::string& datacenter_id, int first, int count,
                              std::mt19937& random) {
  std::vector<std::string> ids;
  std::vector<json> docs;
  auto inserted = maestro::bench::InsertOwnedRecords(
      session, "servers", user_id, now, static_cast<std::size_t>(first),
      static_cast<std::size_t>(first + count),
      [&](int i) {
        json doc = ServerDoc(i, random, datacenter_id);
        doc["hostname"] = fmt::format("ceiling-{}-{:06}", maestro::NewId().substr(20), i);
        docs.push_back(doc);
        return doc;
      },
      ids);
  if (!inserted) return inserted;
  maestro::store::Params rows;
  for (std::size_t k = 0; k < ids.size(); ++k) {
    json snapshot = docs[k];
    snapshot["id"] = ids[k];
    rows.insert(rows.end(),
                {ids[k], std::int64_t{1}, now, std::string("user"), user_id, std::string("create"),
                 json::diff(json::object(), docs[k]).dump(), snapshot.dump()});
  }
  return session.InsertRows(
      "history",
      {"record_id", "version", "at", "actor_type", "actor_id", "action", "changes", "snapshot"},
      rows);
}

// An import's rows: 20k servers, 500 to a transaction; on PostgreSQL from two sessions at once
// (SQLite has one writer). Rows per second.
double InsertRate(Store& store, const std::string& user_id, const std::string& now) {
  auto datacenter = store.Query("SELECT id FROM records WHERE kind = 'datacenters' LIMIT 1");
  if (!datacenter || datacenter->empty()) Die("no datacenter: seed first");
  const std::string datacenter_id = maestro::store::AsString(datacenter->At(0, "id"));
  constexpr int kRows = 20000, kBatch = 500;
  const int sessions = store.dialect() == maestro::store::Dialect::kSqlite ? 1 : 2;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> writers;
  for (int w = 0; w < sessions; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937 random(static_cast<unsigned>(w + 1));
      for (int first = w * kBatch; first < kRows; first += sessions * kBatch) {
        Must(store.Transaction([&](Session& session) {
          return InsertServers(session, user_id, now, datacenter_id, first, kBatch, random);
        }),
             "insert");
      }
    });
  }
  for (auto& writer : writers) writer.join();
  return kRows / SecondsSince(start);
}

int Ceiling(const std::string& uri, const std::filesystem::path& dir, double seconds) {
  auto opened = maestro::store::OpenStore({.uri = uri, .pool_size = kCallers});
  if (!opened) Die(opened.error().message);
  Store& store = **opened;
  const std::vector<std::string> writable = ReadLines(dir / "writable");
  const std::vector<std::string> email = ReadLines(dir / "email");
  auto user = store.Query("SELECT id FROM users WHERE email = ?", {email[0]});
  if (!user || user->empty()) Die("the benchmark user is missing: seed first");
  const std::string user_id = maestro::store::AsString(user->At(0, "id"));
  const std::string now = maestro::FormatTime(std::chrono::system_clock::now());
  // As the seeder leaves it: vacuumed, with fresh statistics and an empty GIN pending list (the
  // API's import before this filled it, and every search would read it through).
  if (store.dialect() == maestro::store::Dialect::kPostgres) {
    if (auto vacuumed = store.Exec("VACUUM ANALYZE"); !vacuumed) Die(vacuumed.error().message);
  }
  fmt::print("search {:.0f}\n", SearchRate(store, user_id, seconds));
  fmt::print("write {:.0f}\n", WriteRate(store, writable, user_id, now, seconds));
  fmt::print("insert {:.0f}\n", InsertRate(store, user_id, now));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() >= 2 && args.size() <= 3 && args[0] == "import-file") {
    return ImportFile(args[1], args.size() == 3 ? std::atoi(args[2].c_str()) : 20000);
  }
  if (args.size() >= 3 && args.size() <= 4 && args[0] == "seed") {
    return Seed(args[1], args[2], args.size() == 4 ? std::max(1, std::atoi(args[3].c_str())) : 1);
  }
  if (args.size() == 4 && args[0] == "ceiling") {
    return Ceiling(args[1], args[2], std::max(1.0, std::atof(args[3].c_str())));
  }
  fmt::print(stderr,
             "usage: maestro-bench-inventory seed URI DIR [SCALE]\n"
             "       maestro-bench-inventory import-file FILE [COUNT]\n"
             "       maestro-bench-inventory ceiling URI DIR SECONDS\n");
  return 2;
}
