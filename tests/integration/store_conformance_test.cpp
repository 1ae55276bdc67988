// One suite, two backends: every Store must pass the same tests against a real database.
// SQLite runs on a temp file; PostgreSQL on the server of MAESTRO_TEST_PG_URI, one schema per test.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/ids.h"
#include "store/migrations.h"
#include "store/open.h"
#include "support/process.h"
#include "support/test_database.h"

namespace maestro::store {
namespace {

using testing::TempDir;

class StoreConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { ASSERT_NE(store_, nullptr); }

  // Inserts a record of `kind` with `doc` and returns its id.
  std::string Insert(const std::string& kind, const nlohmann::json& doc,
                     Session* session = nullptr) {
    const std::string id = NewId();
    const std::string sql =
        "INSERT INTO records (id, kind, owner_type, owner_id, created_at, "
        "updated_at, doc) VALUES (?, ?, 'user', 'u1', ?, ?, " +
        std::string(JsonParam(store_->dialect())) + ")";
    const Params params = {id, kind, "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z",
                           doc.dump()};
    auto done = session ? session->Exec(sql, params) : store_->Exec(sql, params);
    EXPECT_TRUE(done) << done.error().message;
    return id;
  }

  std::int64_t Count(const std::string& where = "1 = 1") {
    auto rows = store_->Query("SELECT COUNT(*) AS n FROM records WHERE " + where, {});
    EXPECT_TRUE(rows) << rows.error().message;
    return rows ? AsInt(rows->At(0, "n")) : -1;
  }

  testing::TestDatabase database_{GetParam()};
  Store* store_ = database_.store();
};

TEST_P(StoreConformanceTest, MigrationsAreAppliedOnceAndRecorded) {
  auto version = SchemaVersion(*store_);
  ASSERT_TRUE(version);
  EXPECT_EQ(*version, LatestSchemaVersion());
  auto again = Migrate(*store_);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->from, again->to) << "a second run changes nothing";
}

TEST_P(StoreConformanceTest, ConcurrentMigrationsDoNotClash) {
  // A fresh database migrated by several processes' worth of threads at once.
  std::unique_ptr<Store> fresh = database_.OpenFresh("fresh");
  ASSERT_NE(fresh, nullptr);
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      if (!Migrate(*fresh)) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  auto version = SchemaVersion(*fresh);
  ASSERT_TRUE(version);
  EXPECT_EQ(*version, LatestSchemaVersion());
}

TEST_P(StoreConformanceTest, RoundTripsEveryValueType) {
  auto rows = store_->Query("SELECT ? AS i, ? AS d, ? AS s, ? AS n, ? AS b",
                            {std::int64_t{-42}, 2.5, std::string("héllo ' ?"), nullptr, true});
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(AsInt(rows->At(0, "i")), -42);
  EXPECT_DOUBLE_EQ(AsDouble(rows->At(0, "d")), 2.5);
  EXPECT_EQ(AsString(rows->At(0, "s")), "héllo ' ?");
  EXPECT_TRUE(IsNull(rows->At(0, "n")));
  EXPECT_TRUE(AsBool(rows->At(0, "b")));
}

TEST_P(StoreConformanceTest, InsertRowsWritesEveryRowAsGiven) {
  // More rows than one multi-row statement holds, values that COPY's text format must escape.
  const std::vector<std::string> texts = {
      "plain", "tab\there", "two\nlines",      "cr\r\n", "back\\slash",
      "\\N",   "",          "héllo ' ? \"q\"", "\\.",    "end\\"};
  Params values;
  for (int i = 0; i < 250; ++i) {
    values.push_back(std::string("r1"));
    values.push_back(std::int64_t{i});
    values.push_back(texts[i % texts.size()]);
    values.push_back(i % 3 == 0 ? Value(nullptr) : Value(texts[(i + 1) % texts.size()]));
  }
  auto done = store_->Transaction([&](Session& session) -> Status {
    return session.InsertRows("report_rows", {"result_id", "n", "data", "csv"}, values);
  });
  ASSERT_TRUE(done) << done.error().message;
  auto rows =
      store_->Query("SELECT n, data, csv FROM report_rows WHERE result_id = ? ORDER BY n", {"r1"});
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 250u);
  for (int i = 0; i < 250; ++i) {
    const auto& row = rows->rows[i];
    EXPECT_EQ(AsInt(row[0]), i);
    EXPECT_EQ(AsString(row[1]), texts[i % texts.size()]) << i;
    if (i % 3 == 0) {
      EXPECT_TRUE(IsNull(row[2])) << i;
    } else {
      EXPECT_EQ(AsString(row[2]), texts[(i + 1) % texts.size()]) << i;
    }
  }
  // A duplicate key fails the insert, and the transaction writes nothing.
  auto clash = store_->Transaction([&](Session& session) -> Status {
    return session.InsertRows("report_rows", {"result_id", "n", "data"},
                              {std::string("r2"), std::int64_t{1}, std::string("a"),
                               std::string("r2"), std::int64_t{1}, std::string("b")});
  });
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, ErrorCode::kConflict) << clash.error().message;
  auto none = store_->Query("SELECT COUNT(*) FROM report_rows WHERE result_id = ?", {"r2"});
  ASSERT_TRUE(none);
  EXPECT_EQ(AsInt(none->rows[0][0]), 0);
  EXPECT_TRUE(store_->Ping()) << "the connection is usable after the failure";
}

TEST_P(StoreConformanceTest, EachHandsOverAQueryInBatchesWhileTheStoreIsUsed) {
  Params values;
  for (int i = 0; i < 25; ++i) {
    values.insert(values.end(), {std::string(i % 2 ? "odd" : "even"), std::int64_t{i},
                                 std::string(fmt::format("row {}", i))});
  }
  ASSERT_TRUE(store_->Transaction([&](Session& session) -> Status {
    return session.InsertRows("report_rows", {"result_id", "n", "data"}, values);
  }));
  // Each batch is copied under another result id while the query goes on: the read holds a
  // connection of its own and sees the rows as they were when it started.
  std::vector<std::size_t> sizes;
  std::vector<std::string> seen;
  auto read = store_->Each(
      "SELECT n, data FROM report_rows WHERE n >= ? AND result_id <> 'copy' ORDER BY n",
      {std::int64_t{2}}, 10, [&](Rows& rows) -> Status {
        sizes.push_back(rows.size());
        EXPECT_EQ(rows.columns, (std::vector<std::string>{"n", "data"}));
        Params copies;
        for (const auto& row : rows.rows) {
          seen.push_back(AsString(row[1]));
          copies.insert(copies.end(), {std::string("copy"), row[0], row[1]});
        }
        return store_->Transaction([&](Session& session) -> Status {
          return session.InsertRows("report_rows", {"result_id", "n", "data"}, copies);
        });
      });
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(sizes, (std::vector<std::size_t>{10, 10, 3}));
  ASSERT_EQ(seen.size(), 23u);
  EXPECT_EQ(seen.front(), "row 2");
  EXPECT_EQ(seen.back(), "row 24");
  auto copied = store_->Query("SELECT COUNT(*) FROM report_rows WHERE result_id = 'copy'", {});
  ASSERT_TRUE(copied);
  EXPECT_EQ(AsInt(copied->rows[0][0]), 23);

  // An error of the taker stops the reading and comes back.
  int batches = 0;
  auto stopped = store_->Each("SELECT n FROM report_rows ORDER BY n", {}, 4, [&](Rows&) -> Status {
    ++batches;
    return Fail(ErrorCode::kConflict, "enough");
  });
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code, ErrorCode::kConflict);
  EXPECT_EQ(batches, 1);
  std::size_t none = 0;
  EXPECT_TRUE(
      store_->Each("SELECT n FROM report_rows WHERE n < 0", {}, 4, [&](Rows& rows) -> Status {
        none += rows.size();
        return {};
      }));
  EXPECT_EQ(none, 0u) << "no rows, no batch";
  auto broken = store_->Each("SELEC nonsense", {}, 10, [](Rows&) -> Status { return {}; });
  EXPECT_FALSE(broken);
  EXPECT_TRUE(store_->Ping());
}

TEST_P(StoreConformanceTest, TransactionCommitsOnSuccess) {
  auto done = store_->Transaction([&](Session& session) -> Status {
    Insert("servers", {{"hostname", "a"}}, &session);
    Insert("servers", {{"hostname", "b"}}, &session);
    return {};
  });
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(Count(), 2);
}

TEST_P(StoreConformanceTest, TransactionRollsBackOnErrorLeavingNothingHalfWritten) {
  auto done = store_->Transaction([&](Session& session) -> Status {
    Insert("servers", {{"hostname", "a"}}, &session);
    return Fail(ErrorCode::kValidationFailed, "second record invalid");
  });
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ErrorCode::kValidationFailed);
  EXPECT_EQ(Count(), 0);
}

// Without a transaction each statement stands alone: nothing is rolled back, and another
// session sees a write as soon as it is made.
TEST_P(StoreConformanceTest, WorkWithoutATransactionCommitsEachStatement) {
  auto done = store_->Transaction(
      [&](Session& session) -> Status {
        Insert("servers", {{"hostname", "a"}}, &session);
        EXPECT_EQ(Count(), 1) << "visible to other connections at once";
        return Fail(ErrorCode::kValidationFailed, "stops here");
      },
      TransactionMode::kNone);
  ASSERT_FALSE(done);
  EXPECT_EQ(Count(), 1);
}

// The planner runs without nested loops inside the work only (PostgreSQL): reads after it, such as
// a page's relations by their ids, keep their index lookups. A failure of the work is its own.
TEST_P(StoreConformanceTest, WithoutNestedLoopsLastsForItsWorkOnly) {
  const bool postgres = store_->dialect() == Dialect::kPostgres;
  auto nested_loops = [&](Session& session) -> std::string {
    if (!postgres) return "n/a";
    auto shown = session.Query("SELECT current_setting('enable_nestloop') AS v", {});
    EXPECT_TRUE(shown) << shown.error().message;
    return shown ? AsString(shown->At(0, "v")) : "";
  };
  int ran = 0;
  auto done = store_->Transaction(
      [&](Session& session) -> Status {
        if (auto inside = WithoutNestedLoops(session,
                                             [&]() -> Status {
                                               ++ran;
                                               EXPECT_EQ(nested_loops(session),
                                                         postgres ? "off" : "n/a");
                                               return {};
                                             });
            !inside) {
          return inside;
        }
        EXPECT_EQ(nested_loops(session), postgres ? "on" : "n/a") << "after the work";
        auto failed = WithoutNestedLoops(session, [&]() -> Status {
          ++ran;
          return Fail(ErrorCode::kConflict, "the work's own failure");
        });
        if (failed) return Fail(ErrorCode::kInternal, "a failed work must fail");
        EXPECT_EQ(failed.error().code, ErrorCode::kConflict);
        return {};
      },
      TransactionMode::kRead);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(ran, 2);
}

TEST_P(StoreConformanceTest, TransactionRollsBackWhenTheWorkThrows) {
  EXPECT_THROW((void)store_->Transaction([&](Session& session) -> Status {
    Insert("servers", {{"hostname", "a"}}, &session);
    throw std::runtime_error("bug");
  }),
               std::runtime_error);
  EXPECT_EQ(Count(), 0);
  EXPECT_TRUE(store_->Ping()) << "the connection is usable after the rollback";
}

// Writers that queue while another writes (SQLite runs them as one group): each one's failure
// or exception undoes its own work only and reaches its own caller only.
TEST_P(StoreConformanceTest, QueuedWritersFailAlone) {
  std::promise<void> holding, release;
  std::thread first([&] {
    (void)store_->Transaction([&](Session& session) -> Status {
      Insert("servers", {{"hostname", "first"}}, &session);
      holding.set_value();
      release.get_future().wait();  // the others queue meanwhile
      return {};
    });
  });
  holding.get_future().wait();
  constexpr int kWriters = 12;
  std::vector<std::string> outcome(kWriters);
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      try {
        auto done = store_->Transaction([&](Session& session) -> Status {
          Insert("servers", {{"hostname", fmt::format("w{}", i)}}, &session);
          Insert("servers", {{"hostname", fmt::format("w{}-b", i)}}, &session);
          if (i % 3 == 1) return Fail(ErrorCode::kValidationFailed, fmt::format("no {}", i));
          if (i % 3 == 2) throw std::runtime_error(fmt::format("bug {}", i));
          return {};
        });
        outcome[i] = done ? "ok" : done.error().message;
      } catch (const std::runtime_error& e) {
        outcome[i] = e.what();
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  release.set_value();
  first.join();
  for (auto& writer : writers) writer.join();
  for (int i = 0; i < kWriters; ++i) {
    const std::string expected = i % 3 == 0   ? "ok"
                                 : i % 3 == 1 ? fmt::format("no {}", i)
                                              : fmt::format("bug {}", i);
    EXPECT_EQ(outcome[i], expected) << i;
    const std::int64_t written = Count(fmt::format(
        "{} IN ('w{}', 'w{}-b')", JsonText(store_->dialect(), "doc", {"hostname"}), i, i));
    EXPECT_EQ(written, i % 3 == 0 ? 2 : 0) << "writer " << i << ": " << outcome[i];
  }
  EXPECT_EQ(Count(), 1 + 2 * (kWriters / 3));
  EXPECT_TRUE(store_->Ping());
}

TEST_P(StoreConformanceTest, DuplicateKeyIsAConflict) {
  const std::string id = Insert("servers", {{"hostname", "a"}});
  auto again = store_->Exec(
      "INSERT INTO records (id, kind, owner_type, owner_id, created_at, updated_at) "
      "VALUES (?, 'servers', 'user', 'u1', 'x', 'x')",
      {id});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
}

TEST_P(StoreConformanceTest, BadSqlIsAnErrorValueAndTheStoreStaysUsable) {
  auto broken = store_->Query("SELEC nonsense", {});
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::kInternal);
  EXPECT_TRUE(store_->Ping());
}

TEST_P(StoreConformanceTest, ConcurrentWritersLoseNoUpdate) {
  const std::string id = Insert("counters", {{"n", 0}});
  constexpr int kThreads = 4;
  constexpr int kIncrements = 25;
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        auto done = store_->Transaction([&](Session& session) -> Status {
          // Read-modify-write under a row lock: the pattern every record update uses.
          const std::string lock = session.dialect() == Dialect::kPostgres ? " FOR UPDATE" : "";
          auto rows = session.Query("SELECT version FROM records WHERE id = ?" + lock, {id});
          if (!rows) return Fail(rows.error());
          const auto version = AsInt(rows->At(0, "version"));
          auto updated =
              session.Exec("UPDATE records SET version = ? WHERE id = ?", {version + 1, id});
          if (!updated) return Fail(updated.error());
          return {};
        });
        if (!done) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  auto rows = store_->Query("SELECT version FROM records WHERE id = ?", {id});
  ASSERT_TRUE(rows);
  EXPECT_EQ(AsInt(rows->At(0, "version")), 1 + kThreads * kIncrements);
}

TEST_P(StoreConformanceTest, QueriesInsideJsonDocuments) {
  Insert("servers", {{"hostname", "web-1"}, {"os", {{"base", "Linux"}}}, {"cpu", 4}});
  Insert("servers", {{"hostname", "db-1"}, {"os", {{"base", "Windows"}}}, {"cpu", 16}});
  Insert("servers", {{"hostname", "odd"}});
  const Dialect d = store_->dialect();
  auto rows = store_->Query("SELECT " + JsonText(d, "doc", {"hostname"}) +
                                " AS hostname FROM records WHERE " +
                                JsonText(d, "doc", {"os", "base"}) + " = ? ORDER BY hostname",
                            {"Linux"});
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(AsString(rows->At(0, "hostname")), "web-1");

  // Numbers compare as numbers once cast, on both backends.
  auto big = store_->Query("SELECT COUNT(*) AS n FROM records WHERE CAST(" +
                               JsonText(d, "doc", {"cpu"}) + " AS INTEGER) > ?",
                           {std::int64_t{8}});
  ASSERT_TRUE(big) << big.error().message;
  EXPECT_EQ(AsInt(big->At(0, "n")), 1);

  // A missing path is NULL, not an error.
  auto missing = store_->Query(
      "SELECT COUNT(*) AS n FROM records WHERE " + JsonText(d, "doc", {"os", "base"}) + " IS NULL",
      {});
  ASSERT_TRUE(missing);
  EXPECT_EQ(AsInt(missing->At(0, "n")), 1);
}

TEST_P(StoreConformanceTest, RecursiveQueryWalksTheEdgeTable) {
  // Dependency chain a -> b -> c -> d, plus e unrelated; walking from a finds b, c, d with depth.
  std::map<std::string, std::string> ids;
  for (const char* name : {"a", "b", "c", "d", "e"})
    ids[name] = Insert("applications", {{"name", name}});
  for (auto [from, to] : {std::pair{"a", "b"}, {"b", "c"}, {"c", "d"}}) {
    ASSERT_TRUE(
        store_->Exec("INSERT INTO edges (relation, from_id, to_id, created_at) VALUES "
                     "('deps', ?, ?, 'now')",
                     {ids[from], ids[to]}));
  }
  const Dialect d = store_->dialect();
  auto rows = store_->Query(
      "WITH RECURSIVE walk(id, depth) AS ("
      "  SELECT ?, 0"
      "  UNION"
      "  SELECT e.to_id, walk.depth + 1 FROM edges e JOIN walk ON e.from_id = walk.id"
      "  WHERE e.relation = 'deps' AND walk.depth < 10"
      ") SELECT " +
          JsonText(d, "r.doc", {"name"}) +
          " AS name, walk.depth AS depth "
          "FROM walk JOIN records r ON r.id = walk.id ORDER BY walk.depth",
      {ids["a"]});
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 4u);
  const char* expected[] = {"a", "b", "c", "d"};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(AsString(rows->At(i, "name")), expected[i]);
    EXPECT_EQ(AsInt(rows->At(i, "depth")), static_cast<std::int64_t>(i));
  }
}

TEST_P(StoreConformanceTest, DeletingARecordRemovesItsEdgesAndAcl) {
  const std::string a = Insert("applications", {{"name", "a"}});
  const std::string b = Insert("applications", {{"name", "b"}});
  ASSERT_TRUE(store_->Exec(
      "INSERT INTO edges (relation, from_id, to_id, created_at) VALUES ('deps', ?, ?, 'now')",
      {a, b}));
  ASSERT_TRUE(store_->Exec(
      "INSERT INTO acl (record_id, principal_type, principal_id, role) VALUES (?, 'user', 'u1', 3)",
      {b}));
  ASSERT_TRUE(store_->Exec("DELETE FROM records WHERE id = ?", {b}));
  auto edges = store_->Query("SELECT COUNT(*) AS n FROM edges", {});
  auto acl = store_->Query("SELECT COUNT(*) AS n FROM acl", {});
  EXPECT_EQ(AsInt(edges->At(0, "n")), 0);
  EXPECT_EQ(AsInt(acl->At(0, "n")), 0);
}

TEST_P(StoreConformanceTest, EdgesMustPointAtRecords) {
  const std::string a = Insert("applications", {{"name", "a"}});
  auto dangling = store_->Exec(
      "INSERT INTO edges (relation, from_id, to_id, created_at) VALUES ('deps', ?, 'nope', 'now')",
      {a});
  ASSERT_FALSE(dangling);
  EXPECT_EQ(dangling.error().code, ErrorCode::kConflict);
}

TEST_P(StoreConformanceTest, RejectsDocumentsThatAreNotJson) {
  auto bad = store_->Exec(
      "INSERT INTO records (id, kind, owner_type, owner_id, created_at, updated_at, doc) "
      "VALUES (?, 'servers', 'user', 'u1', 'x', 'x', " +
          std::string(JsonParam(store_->dialect())) + ")",
      {NewId(), "{broken"});
  EXPECT_FALSE(bad);
  EXPECT_EQ(Count(), 0);
}

TEST_P(StoreConformanceTest, ReadTransactionsDoNotWaitForAWriter) {
  Insert("servers", {{"hostname", "a"}});
  std::promise<void> writing, finish;
  std::thread writer([&] {
    (void)store_->Transaction([&](Session& session) -> Status {
      Insert("servers", {{"hostname", "b"}}, &session);
      writing.set_value();
      finish.get_future().wait();  // holds the write lock until the reader is done
      return {};
    });
  });
  writing.get_future().wait();
  std::int64_t seen = -1;
  auto read = store_->Transaction(
      [&](Session& session) -> Status {
        auto rows = session.Query("SELECT COUNT(*) AS n FROM records", {});
        if (!rows) return Fail(rows.error());
        seen = AsInt(rows->At(0, "n"));
        return {};
      },
      TransactionMode::kRead);
  finish.set_value();
  writer.join();
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(seen, 1) << "the reader sees the snapshot before the writer commits";
  EXPECT_EQ(Count(), 2);
}

// PostgreSQL's change mark (what cached lists and records are kept under) follows this process's
// commits at once and another process's changes once their notification arrives; reads and
// uncommitted writes leave it.
TEST(PostgresChangeMarkTest, FollowsOwnCommitsAtOnceAndOtherProcessesWhenNotified) {
  testing::TestDatabase database(Backend::kPostgres);
  Store* store = database.store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(testing::Eventually([&] { return store->ChangeMark().has_value(); }))
      << "the listener did not connect";
  // Notifications of earlier commits (ours too) may still be on their way: the mark, once they
  // have all come.
  auto settled = [&] {
    auto mark = store->ChangeMark();
    for (int i = 0; i < 100; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      auto now = store->ChangeMark();
      if (now == mark) break;
      mark = now;
    }
    return mark;
  };
  // Tests running alongside write to the same database, and their notifications reach this store
  // too: "the mark stays" holds when it stays in one of several tries, each from a settled mark.
  std::optional<std::string> from;
  auto stays = [&](const std::function<std::optional<std::string>()>& mark_after) {
    for (int i = 0; i < 10; ++i) {
      from = settled();
      if (mark_after() == from) return true;
    }
    return false;
  };
  EXPECT_TRUE(stays([&] {
    EXPECT_TRUE(store->Query("SELECT COUNT(*) AS n FROM records", {}));
    EXPECT_TRUE(store->Transaction(
        [&](Session& session) -> Status {
          auto rows = session.Query("SELECT COUNT(*) AS n FROM records", {});
          return rows ? Status{} : Fail(rows.error());
        },
        TransactionMode::kRead));
    return store->ChangeMark();
  })) << "reads change nothing";

  const std::string insert =
      "INSERT INTO records (id, kind, owner_type, owner_id, created_at, updated_at) VALUES (?, "
      "'servers', 'user', 'u1', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')";
  const auto before = settled();
  ASSERT_TRUE(store->Exec(insert, {NewId()}));
  EXPECT_NE(store->ChangeMark(), before) << "a statement outside a transaction counts once done";

  EXPECT_TRUE(stays([&] {
    std::optional<std::string> inside;
    EXPECT_TRUE(store->Transaction([&](Session& session) -> Status {
      if (auto inserted = session.Exec(insert, {NewId()}); !inserted) {
        return Fail(inserted.error());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // time for a notification
      inside = session.ChangeMark();
      return {};
    }));
    EXPECT_NE(store->ChangeMark(), from) << "at once after the commit";
    return inside;
  })) << "not before the commit";
  const auto heard = settled();

  // Another process (psql) changes a record: the notification moves the mark.
  const auto psql = testing::RunPsql(database.uri(), "UPDATE records SET version = version + 1");
  ASSERT_EQ(psql.exit_code, 0) << psql.output;
  EXPECT_TRUE(testing::Eventually([&] { return store->ChangeMark() != heard; }))
      << "another process's change was not heard of";
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) {
                           return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
                         });

}  // namespace
}  // namespace maestro::store
