#include "store/open.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "store/sqlite/sqlite_store.h"

namespace maestro::store {
namespace {

TEST(ParseStoreUriTest, ChoosesTheBackendByScheme) {
  struct Case {
    std::string uri;
    Backend backend;
    std::string target;
  };
  const Case cases[] = {
      {"postgresql://u:p@h:5432/db", Backend::kPostgres, "postgresql://u:p@h:5432/db"},
      {"postgres://h/db", Backend::kPostgres, "postgres://h/db"},
      {"sqlite:data/maestro.db", Backend::kSqlite, "data/maestro.db"},
      {"sqlite:///var/lib/maestro.db", Backend::kSqlite, "/var/lib/maestro.db"},
      {"/tmp/x.db", Backend::kSqlite, "/tmp/x.db"},
  };
  for (const auto& c : cases) {
    auto parsed = ParseStoreUri(c.uri);
    ASSERT_TRUE(parsed) << c.uri;
    EXPECT_EQ(parsed->backend, c.backend) << c.uri;
    EXPECT_EQ(parsed->target, c.target) << c.uri;
  }
}

TEST(ParseStoreUriTest, RejectsOtherSchemesWithoutShowingThePassword) {
  auto parsed = ParseStoreUri("mysql://root:secret@db/x");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(parsed.error().message.find("secret"), std::string::npos) << parsed.error().message;
}

TEST(RedactUriTest, HidesOnlyThePassword) {
  EXPECT_EQ(RedactUri("postgresql://maestro:s3cret@db:5432/m"),
            "postgresql://maestro:***@db:5432/m");
  EXPECT_EQ(RedactUri("postgresql://maestro@db/m"), "postgresql://maestro@db/m");
  EXPECT_EQ(RedactUri("sqlite:data/maestro.db"), "sqlite:data/maestro.db");
}

TEST(OpenStoreTest, UnreachablePostgresIsUnavailableNotACrash) {
  // Port 1 on loopback: nothing listens there.
  auto store = OpenStore({.uri = "postgresql://nobody:pw@127.0.0.1:1/none?connect_timeout=2"});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(store.error().message.find(":pw@"), std::string::npos) << store.error().message;
}

// SQLite's checkpoints run on the store's own thread (not inside a commit): they still happen, so
// the written pages reach the database file while the store stays open.
TEST(SqliteStoreTest, CheckpointsCopyTheWalIntoTheDatabaseWhileOpen) {
  const std::filesystem::path dir =
      std::filesystem::path(testing::TempDir()) /
      ("checkpoint-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "maestro.db").string();
  auto store = SqliteStore::Open({.path = path});
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->Exec("CREATE TABLE blobs (b TEXT)", {}));
  const std::string text(4000, 'x');
  // 60 MB in 150 commits: 7 times SQLite's threshold of 1,000 pages of 8 KiB (the last 8 MB may
  // wait for the next checkpoint).
  for (int commit = 0; commit < 150; ++commit) {
    auto done = (*store)->Transaction([&](Session& session) -> Status {
      for (int row = 0; row < 100; ++row) {
        if (auto put = session.Exec("INSERT INTO blobs (b) VALUES (?)", {text}); !put) {
          return Fail(put.error());
        }
      }
      return {};
    });
    ASSERT_TRUE(done) << done.error().message;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::filesystem::file_size(path) < 30'000'000 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE(std::filesystem::file_size(path), 30'000'000u) << "the pages reached the database";
  store->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace maestro::store
