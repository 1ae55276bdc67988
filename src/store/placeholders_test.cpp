#include <gtest/gtest.h>

#include "store/store.h"

namespace maestro::store {
namespace {

TEST(NumberPlaceholdersTest, NumbersQuestionMarksInOrder) {
  EXPECT_EQ(NumberPlaceholders("SELECT * FROM t WHERE a = ? AND b IN (?, ?)"),
            "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)");
}

TEST(NumberPlaceholdersTest, LeavesQuotedTextAndCommentsAlone) {
  EXPECT_EQ(NumberPlaceholders("SELECT '?', \"a?\" FROM t WHERE x = ? -- why?\nAND y = ?"),
            "SELECT '?', \"a?\" FROM t WHERE x = $1 -- why?\nAND y = $2");
  EXPECT_EQ(NumberPlaceholders("SELECT 'it''s ?' WHERE z = ?"), "SELECT 'it''s ?' WHERE z = $1");
}

TEST(JsonTextTest, WritesEachDialectsJsonAccess) {
  EXPECT_EQ(JsonText(Dialect::kSqlite, "doc", {"os", "base"}), "json_extract(doc, '$.os.base')");
  EXPECT_EQ(JsonText(Dialect::kPostgres, "doc", {"os", "base"}), "(doc #>> '{os,base}')");
  EXPECT_EQ(JsonParam(Dialect::kPostgres), "?::jsonb");
}

}  // namespace
}  // namespace maestro::store

namespace maestro::store {
namespace {

TEST(ValueTest, StringLiteralsBindAsTextNotAsBooleans) {
  const Value text = "2026-01-01";
  EXPECT_TRUE(std::holds_alternative<std::string>(text));
  const Value number = 7;
  EXPECT_TRUE(std::holds_alternative<std::int64_t>(number));
}

}  // namespace
}  // namespace maestro::store
