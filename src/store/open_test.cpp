#include "store/open.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace maestro::store
