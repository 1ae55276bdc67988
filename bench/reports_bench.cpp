// Data and the hand-written baseline for the reports benchmark of scripts/bench (the reports
// issue).
//
//   maestro-bench-reports seed URI DIR [DIVISOR]
//     Migrates the database at URI and fills it with 1M servers, 100k applications, 10k systems
//     and 1k clients (each divided by DIVISOR, default 1), all owned by one user (DIR/email,
//     DIR/password), linked system → client, application → system, server → application. The
//     first client, "client-0000", has 5% of the systems, so a pivot for it has ~50k rows.
//     PostgreSQL is analyzed at the end, as autovacuum would after such a load.
//
//   maestro-bench-reports sql URI EMAIL
//     Runs a hand-written SQL query that produces the rows of the benchmark's pivot report
//     (clients → systems → applications → servers for client-0000, the same columns, the same
//     left-join and access rules), reads every row, and prints {"seconds", "rows"} as JSON.
//
// Records are inserted with plain multi-row SQL: seeding is setup, not what is measured.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

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

using maestro::store::Params;
using maestro::store::Session;
using maestro::store::Store;
using nlohmann::json;

// Rows written per transaction while seeding.
constexpr int kRowsPerTransaction = 20000;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class Seeder {
 public:
  Seeder(Store& store, int divisor)
      : store_(store),
        divisor_(divisor),
        now_(maestro::FormatTime(std::chrono::system_clock::now())) {}

  void Run(const std::filesystem::path& dir) {
    const auto start = std::chrono::steady_clock::now();
    User(dir);
    const int clients = 1000 / divisor_, systems = 10000 / divisor_,
              applications = 100000 / divisor_, servers = 1000000 / divisor_;
    const auto client_ids = Insert("clients", clients, [](int i) {
      return json{{"name", fmt::format("client-{:04}", i)}, {"description", "a client"}};
    });
    const auto system_ids = Insert("systems", systems, [](int i) {
      return json{{"name", fmt::format("system-{:05}", i)}};
    });
    const auto application_ids = Insert("applications", applications, [](int i) {
      static const std::vector<std::string> families = {"Application", "Database", "Cache",
                                                        "Loadbalance", "Broker"};
      return json{{"name", fmt::format("app-{:06}", i)},
                  {"family", families[i % families.size()]},
                  {"environment", i % 3 == 0 ? "Staging" : "Production"}};
    });
    const auto server_ids = Insert("servers", servers, [](int i) {
      static const std::vector<std::string> environments = {"Production", "Production", "Staging",
                                                            "Development"};
      return json{
          {"hostname", fmt::format("srv-{:07}", i)},
          {"ipv4_private", fmt::format("10.{}.{}.{}", i >> 16 & 255, i >> 8 & 255, i & 255)},
          {"environment", environments[i % environments.size()]},
          {"os", {{"base", i % 5 == 0 ? "Windows" : "Linux"}, {"dist", "Debian"}}},
          {"cpu", 2 << (i % 4)},
          {"tags", {{{"key", "team"}, {"value", fmt::format("team-{}", i % 20)}}}},
          {"datacenter", {{"region", i % 2 ? "eu-west-1" : "us-east-1"}}}};
    });
    // 5% of the systems belong to client 0; the others are spread over the other clients.
    const int first_share = systems / 20;
    Link("system_clients", system_ids.size(), [&](std::size_t i) {
      const int client = static_cast<int>(i) < first_share
                             ? 0
                             : 1 + static_cast<int>(i) % std::max(1, clients - 1);
      return std::pair{system_ids[i], client_ids[client]};
    });
    Link("app_systems", application_ids.size(), [&](std::size_t i) {
      return std::pair{application_ids[i], system_ids[i % system_ids.size()]};
    });
    Link("app_servers", server_ids.size(), [&](std::size_t i) {
      return std::pair{application_ids[i % application_ids.size()], server_ids[i]};
    });
    // What autovacuum would do soon after a bulk load: without statistics, PostgreSQL plans the
    // joins for tables it believes empty.
    if (store_.dialect() == maestro::store::Dialect::kPostgres) {
      Must(store_.Transaction(
               [](Session& session) -> maestro::Status { return session.ExecScript("ANALYZE"); }),
           "analyze");
    }
    fmt::print("seeded {} records in {:.1f} s\n", clients + systems + applications + servers,
               SecondsSince(start));
  }

 private:
  void User(const std::filesystem::path& dir) {
    const std::string password = maestro::NewId();
    auto hash =
        maestro::auth::PasswordHasher(maestro::auth::PasswordCost::Interactive()).Hash(password);
    if (!hash) Die(hash.error().message);
    user_ = maestro::NewId();
    const std::string email = "reports@bench.example";
    Must(store_.Transaction([&](Session& session) -> maestro::Status {
      auto done = session.Exec(
          "INSERT INTO users (id, email, email_key, name, password_hash, created_at, updated_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?)",
          {user_, email, email, std::string("Reports bench"), *hash, now_, now_});
      if (!done) return maestro::Fail(done.error());
      return {};
    }),
         "user");
    std::ofstream(dir / "password") << password;
    std::ofstream(dir / "email") << email;
  }

  template <typename Make>
  std::vector<std::string> Insert(const std::string& kind, int count, Make make) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::string> ids;
    ids.reserve(count);
    for (int first = 0; first < count; first += kRowsPerTransaction) {
      Must(store_.Transaction([&](Session& session) {
        return maestro::bench::InsertOwnedRecords(session, kind, user_, now_, first,
                                                  std::min(count, first + kRowsPerTransaction),
                                                  make, ids);
      }),
           "records");
    }
    fmt::print("  {:>8} {:<13} {:.1f} s\n", count, kind, SecondsSince(start));
    return ids;
  }

  template <typename Pair>
  void Link(const std::string& relation, std::size_t count, Pair pair) {
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t first = 0; first < count; first += kRowsPerTransaction) {
      Must(store_.Transaction([&](Session& session) {
        return maestro::bench::InsertEdges(session, relation, now_, first,
                                           std::min(count, first + kRowsPerTransaction),
                                           [&](std::size_t i) {
                                             auto [from, to] = pair(i);
                                             return maestro::bench::Edge{from, to};
                                           });
      }),
           "edges");
    }
    fmt::print("  {:>8} {:<13} {:.1f} s\n", count, relation, SecondsSince(start));
  }

  Store& store_;
  int divisor_;
  std::string now_;
  std::string user_;
};

// The pivot rows written by hand: the same joins, access checks and columns as the report.
int Sql(const std::string& uri, const std::string& email) {
  auto opened = maestro::store::OpenStore({.uri = uri, .pool_size = 2});
  if (!opened) Die(opened.error().message);
  Store& store = **opened;
  auto user = store.Query("SELECT id FROM users WHERE email_key = ?", {email});
  if (!user || user->empty()) Die("no user " + email);
  const std::string user_id = maestro::store::AsString(user->rows[0][0]);
  const auto d = store.dialect();
  auto text = [&](const char* alias, std::initializer_list<std::string_view> path) {
    return maestro::store::JsonText(d, std::string(alias) + ".doc", path);
  };
  auto readable = [&](const std::string& column) {
    return maestro::auth::AccessCondition(column, user_id, maestro::auth::Role::kRead,
                                          maestro::auth::AccessPlan::kPerRow);
  };
  // Aliases: c, s, p, v (not "a", which the access condition uses for the acl).
  const auto a0 = readable("c.id"), a1 = readable("s.id"), a2 = readable("p.id"),
             a3 = readable("v.id");
  const std::string os =
      d == maestro::store::Dialect::kSqlite ? "json_extract(v.doc, '$.os')" : "(v.doc -> 'os')";
  // As a person would write it after reading SQLite's plan: edges by their `to` end through
  // edges_to (the unary + keeps SQLite off the primary key's `relation` prefix).
  const std::string plus = d == maestro::store::Dialect::kSqlite ? "+" : "";
  const std::string sql = fmt::format(
      "SELECT {}, {}, {}, {}, {}, {}, {}, {} FROM records c "
      "LEFT JOIN edges e1 ON {}e1.relation = 'system_clients' AND e1.to_id = c.id "
      "LEFT JOIN records s ON s.id = e1.from_id AND s.kind = 'systems' AND s.active = ? AND {} "
      "LEFT JOIN edges e2 ON {}e2.relation = 'app_systems' AND e2.to_id = s.id "
      "LEFT JOIN records p ON p.id = e2.from_id AND p.kind = 'applications' AND p.active = ? AND "
      "{} "
      "LEFT JOIN edges e3 ON e3.relation = 'app_servers' AND e3.from_id = p.id "
      "LEFT JOIN records v ON v.id = e3.to_id AND v.kind = 'servers' AND v.active = ? AND {} "
      "WHERE c.kind = 'clients' AND c.active = ? AND {} = ? AND {}",
      text("c", {"name"}), text("s", {"name"}), text("p", {"name"}), text("p", {"family"}),
      text("v", {"hostname"}), text("v", {"ipv4_private"}), text("v", {"environment"}), os, plus,
      a1.sql, plus, a2.sql, a3.sql, text("c", {"name"}), a0.sql);
  Params params = {true};
  params.insert(params.end(), a1.params.begin(), a1.params.end());
  params.push_back(true);
  params.insert(params.end(), a2.params.begin(), a2.params.end());
  params.push_back(true);
  params.insert(params.end(), a3.params.begin(), a3.params.end());
  params.push_back(true);
  params.push_back(std::string("client-0000"));
  params.insert(params.end(), a0.params.begin(), a0.params.end());
  const auto start = std::chrono::steady_clock::now();
  auto rows = store.Query(sql, params);
  if (!rows) Die(rows.error().message);
  std::size_t bytes = 0;
  for (const auto& row : rows->rows) {
    for (const auto& value : row) bytes += maestro::store::AsString(value).size();
  }
  fmt::print(
      "{}\n",
      json{{"seconds", SecondsSince(start)}, {"rows", rows->size()}, {"bytes", bytes}}.dump());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() >= 3 && args.size() <= 4 && args[0] == "seed") {
    std::filesystem::create_directories(args[2]);
    auto opened = maestro::store::OpenStore({.uri = args[1], .pool_size = 2});
    if (!opened) Die(opened.error().message);
    if (auto migrated = maestro::store::Migrate(**opened); !migrated) {
      Die(migrated.error().message);
    }
    Seeder(**opened, args.size() == 4 ? std::max(1, std::atoi(args[3].c_str())) : 1).Run(args[2]);
    return 0;
  }
  if (args.size() == 3 && args[0] == "sql") return Sql(args[1], args[2]);
  fmt::print(stderr,
             "usage: maestro-bench-reports seed URI DIR [DIVISOR]\n"
             "       maestro-bench-reports sql URI EMAIL\n");
  return 2;
}
