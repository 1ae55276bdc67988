#include "inventory/filter.h"

#include <gtest/gtest.h>

namespace maestro::inventory {
namespace {

using nlohmann::json;
using store::Dialect;

const EntitySpec& Servers() { return *DefaultRegistry().Find("servers"); }

TEST(CompileFiltersTest, CompilesEachOpForBothDialects) {
  struct Case {
    Filter filter;
    const char* sqlite;
    const char* postgres;
  };
  const Case cases[] = {
      {{"hostname", "eq", "web-1"},
       "(json_extract(r.doc, '$.hostname') = ?)",
       "((r.doc #>> '{hostname}') = ?)"},
      {{"os.base", "contains", "lin"},
       "(LOWER(json_extract(r.doc, '$.os.base')) LIKE ? ESCAPE '\\')",
       "(LOWER((r.doc #>> '{os,base}')) LIKE ? ESCAPE '\\')"},
      {{"cpu", "gte", 4},
       "(json_extract(r.doc, '$.cpu') >= ?)",
       "((CASE WHEN jsonb_typeof(r.doc #> '{cpu}') = 'number' THEN (r.doc #>> '{cpu}')::numeric "
       "END) >= ?)"},
      {{"updated_at", "after", "2026-01-01T00:00:00Z"}, "(r.updated_at > ?)", "(r.updated_at > ?)"},
      {{"tags.key", "eq", "team"},
       "EXISTS (SELECT 1 FROM json_each(r.doc, '$.tags') e WHERE json_extract(e.value, '$.key') = "
       "?)",
       nullptr},
  };
  for (const auto& c : cases) {
    auto sqlite = CompileFilters(Dialect::kSqlite, Servers(), {c.filter});
    ASSERT_TRUE(sqlite) << c.filter.field << ": " << sqlite.error().message;
    EXPECT_EQ(sqlite->sql, std::string("1 = 1 AND ") + c.sqlite) << c.filter.field;
    EXPECT_EQ(sqlite->params.size(), 1u);
    auto postgres = CompileFilters(Dialect::kPostgres, Servers(), {c.filter});
    ASSERT_TRUE(postgres) << c.filter.field;
    if (c.postgres) {
      EXPECT_EQ(postgres->sql, std::string("1 = 1 AND ") + c.postgres) << c.filter.field;
    }
  }
}

TEST(CompileFiltersTest, ConditionsNameTheRecordAliasGiven) {
  const std::vector<Filter> filters = {{"hostname", "eq", "web-1"},
                                       {"updated_at", "after", "2026-01-01T00:00:00Z"},
                                       {"tags.key", "empty", true}};
  auto sqlite = CompileFilters(Dialect::kSqlite, Servers(), filters, "t2");
  ASSERT_TRUE(sqlite) << sqlite.error().message;
  EXPECT_EQ(sqlite->sql,
            "1 = 1 AND (json_extract(t2.doc, '$.hostname') = ?) AND (t2.updated_at > ?) AND "
            "(NOT EXISTS (SELECT 1 FROM json_each(t2.doc, '$.tags') e WHERE "
            "json_extract(e.value, '$.key') <> ''))");
  auto postgres = CompileFilters(Dialect::kPostgres, Servers(), filters, "t2");
  ASSERT_TRUE(postgres) << postgres.error().message;
  EXPECT_EQ(postgres->sql.find("r."), std::string::npos) << postgres->sql;
  EXPECT_NE(postgres->sql.find("t2.doc #>> '{hostname}'"), std::string::npos) << postgres->sql;
  EXPECT_NE(postgres->sql.find("jsonb_typeof(t2.doc #> '{tags}')"), std::string::npos)
      << postgres->sql;
}

TEST(CompileFiltersTest, EscapesLikeWildcardsInValues) {
  auto compiled =
      CompileFilters(Dialect::kSqlite, Servers(), {{"hostname", "starts_with", "WEB_1%"}});
  ASSERT_TRUE(compiled);
  EXPECT_EQ(std::get<std::string>(compiled->params.at(0)), "web\\_1\\%%");
}

TEST(CompileFiltersTest, RefusesWhatDoesNotFitWithAMessageNamingTheField) {
  struct Case {
    Filter filter;
    const char* message_part;
  };
  const Case cases[] = {
      {{"colour", "eq", "blue"}, "colour is not a field of servers"},
      {{"cpu", "contains", "4"}, "contains works on text fields"},
      {{"hostname", "gt", 3}, "gt compares numbers"},
      {{"cpu", "eq", "four"}, "must be a number"},
      {{"hostname", "eq", 5}, "must be a string"},
      {{"hostname", "like", "x"}, "unknown op 'like'"},
      {{"os", "eq", "Linux"}, "os is a structure"},
      {{"hostname", "in", json::array()}, "in takes a list"},
      {{"created_at", "before", "last week"}, "RFC 3339"},
      {{"hostname", "exists", "yes"}, "exists takes true or false"},
  };
  for (const auto& c : cases) {
    auto compiled = CompileFilters(Dialect::kSqlite, Servers(), {c.filter});
    ASSERT_FALSE(compiled) << c.filter.field << " " << c.filter.op;
    EXPECT_EQ(compiled.error().code, ErrorCode::kBadRequest);
    EXPECT_NE(compiled.error().message.find(c.message_part), std::string::npos)
        << compiled.error().message;
    ASSERT_FALSE(compiled.error().fields.empty());
  }
}

TEST(CompileFiltersTest, ValuesAreNeverSplicedIntoSql) {
  auto compiled = CompileFilters(Dialect::kPostgres, Servers(),
                                 {{"hostname", "eq", "x'; DROP TABLE records; --"}});
  ASSERT_TRUE(compiled);
  EXPECT_EQ(compiled->sql.find("DROP"), std::string::npos);
}

TEST(ParseListQueryTest, ReadsParametersAndTurnsFieldsIntoFilters) {
  auto query =
      ParseListQuery(Servers(), {{"page", "2"},
                                 {"limit", "50"},
                                 {"sort", "-hostname"},
                                 {"q", "web"},
                                 {"active", "all"},
                                 {"cpu", "4"},
                                 {"os.base", "Linux"},
                                 {"os.base", "Windows"},
                                 {"filter", R"([{"field":"memory","op":"gt","value":8}])"}});
  ASSERT_TRUE(query) << query.error().message;
  EXPECT_EQ(query->page, 2);
  EXPECT_EQ(query->limit, 50);
  EXPECT_EQ(query->sort, "-hostname");
  EXPECT_EQ(query->active, "all");
  ASSERT_EQ(query->filters.size(), 3u);
  EXPECT_EQ(query->filters[0].field, "memory");
  bool saw_in = false;
  for (const auto& f : query->filters) {
    if (f.field == "os.base") {
      EXPECT_EQ(f.op, "in");
      saw_in = true;
    }
    if (f.field == "cpu") {
      EXPECT_EQ(f.value, 4);
    }
  }
  EXPECT_TRUE(saw_in);
}

TEST(ParseListQueryTest, RefusesBadParameters) {
  for (const auto& params : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"limit", "501"}},
           {{"page", "0"}},
           {{"limit", "ten"}},
           {{"colour", "blue"}},
           {{"active", "maybe"}},
           {{"filter", "[{"}},
           {{"filter", R"([{"field":"cpu"}])"}},
           {{"filter", R"([{"field":"cpu","op":"eq","value":1,"extra":2}])"}},
           {{"cpu", "four"}}}) {
    auto query = ParseListQuery(Servers(), params);
    EXPECT_FALSE(query) << params[0].first << "=" << params[0].second;
  }
}

TEST(CompileSortTest, SortsByFieldsAndColumnsAndRefusesStructures) {
  auto sort = CompileSort(Dialect::kSqlite, Servers(), "-cpu");
  ASSERT_TRUE(sort);
  EXPECT_NE(sort->find("DESC"), std::string::npos);
  EXPECT_TRUE(CompileSort(Dialect::kPostgres, Servers(), "updated_at"));
  EXPECT_FALSE(CompileSort(Dialect::kSqlite, Servers(), "tags"));
  EXPECT_FALSE(CompileSort(Dialect::kSqlite, Servers(), "nope"));
}

}  // namespace
}  // namespace maestro::inventory
