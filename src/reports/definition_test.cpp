// Report definitions: pivot chains, checks that name the field, SQL with every value bound.
#include "reports/definition.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace maestro::reports {
namespace {

using nlohmann::json;

const inventory::Registry& Kinds() { return inventory::DefaultRegistry(); }

std::string Problems(const Error& error) {
  std::string out;
  for (const auto& field : error.fields) out += field.field + ": " + field.problem + "\n";
  return out;
}

TEST(ReportDefinitionTest, PivotChainsMustBeLinkedAndInOrder) {
  struct Case {
    json kinds;
    std::string field;  // empty: accepted
    std::string words;
  };
  const std::vector<Case> cases = {
      {{"clients", "systems"}, "", ""},
      {{"systems", "applications", "servers"}, "", ""},
      {{"clients", "systems", "applications", "servers"}, "", ""},
      {{"applications", "servers"}, "", ""},
      {{"clients", "servers"}, "kinds.1", "add systems and applications"},
      {{"clients", "applications"}, "kinds.1", "no link from clients to applications: add systems"},
      {{"systems", "servers"}, "kinds.1", "add applications"},
      {{"servers", "applications"}, "kinds.1", "comes before"},
      {{"clients"}, "kinds", "at least two"},
      {{"volumes", "servers"}, "kinds.0", "cannot be in a pivot"},
      {{"clients", "clients"}, "kinds.1", "twice"},
      {{"planets", "systems"}, "kinds.0", "not a kind"},
      {json::array(), "kinds", "required"},
  };
  for (const auto& c : cases) {
    const json body = {{"name", "r"}, {"type", "pivot"}, {"kinds", c.kinds}};
    auto parsed = ParseDefinition(Kinds(), body);
    if (c.field.empty()) {
      EXPECT_TRUE(parsed) << c.kinds << ": " << (parsed ? "" : Problems(parsed.error()));
      continue;
    }
    ASSERT_FALSE(parsed) << c.kinds << " should be refused";
    EXPECT_EQ(parsed.error().code, ErrorCode::kValidationFailed) << c.kinds;
    const std::string problems = Problems(parsed.error());
    EXPECT_NE(problems.find(c.field + ": "), std::string::npos) << c.kinds << "\n" << problems;
    EXPECT_NE(problems.find(c.words), std::string::npos) << c.kinds << "\n" << problems;
  }
}

TEST(ReportDefinitionTest, BadBodiesNameTheField) {
  struct Case {
    json body;
    std::string field;
  };
  const json base = {{"name", "r"}, {"type", "single"}, {"kinds", {"servers"}}};
  auto with = [&](json extra) {
    json body = base;
    body.update(extra);
    return body;
  };
  const std::vector<Case> cases = {
      {{{"type", "single"}, {"kinds", {"servers"}}}, "name"},
      {with({{"type", "table"}}), "type"},
      {with({{"kinds", {"servers", "clients"}}}), "kinds"},
      {with({{"filters", {{"servers", {{{"field", "colour"}, {"op", "eq"}, {"value", "x"}}}}}}}),
       "filters.servers.0"},
      {with({{"filters", {{"servers", {{{"field", "cpu"}, {"op", "gt"}, {"value", "four"}}}}}}}),
       "filters.servers.0"},
      {with({{"filters", {{"servers", {{{"field", "hostname"}, {"op", "gt"}, {"value", 1}}}}}}}),
       "filters.servers.0"},
      {with({{"filters", {{"servers", {{{"field", "hostname"}, {"op", "eq"}, {"values", 1}}}}}}}),
       "filters.servers.0.values"},
      {with({{"filters", {{"clients", json::array()}}}}), "filters.clients"},
      {with({{"columns", {{"servers", {"hostname", "colour"}}}}}), "columns.servers.1"},
      {with({{"columns", {{"servers", {"hostname", "hostname"}}}}}), "columns.servers.1"},
      {with({{"columns", {{"servers", {"tags.key"}}}}}), "columns.servers.0"},
      {with({{"columns", "hostname"}}), "columns"},
      {with({{"colour", "blue"}}), "colour"},
  };
  for (const auto& c : cases) {
    auto parsed = ParseDefinition(Kinds(), c.body);
    ASSERT_FALSE(parsed) << c.body;
    const std::string problems = Problems(parsed.error());
    EXPECT_NE(problems.find(c.field + ": "), std::string::npos) << c.body << "\n" << problems;
  }
  auto not_object = ParseDefinition(Kinds(), json::array());
  ASSERT_FALSE(not_object);
  EXPECT_EQ(not_object.error().code, ErrorCode::kBadRequest);
}

TEST(ReportDefinitionTest, ColumnsDefaultToTheMainFieldsAndPivotColumnsArePrefixed) {
  auto single = ParseDefinition(Kinds(), {{"name", "r"}, {"type", "single"}, {"kinds", "servers"}});
  ASSERT_TRUE(single);
  EXPECT_EQ(single->RowColumns(), Kinds().Find("servers")->list_fields);
  auto pivot = ParseDefinition(Kinds(), {{"name", "r"},
                                         {"type", "pivot"},
                                         {"kinds", {"clients", "systems"}},
                                         {"columns", {{"systems", {"name", "applications"}}}}});
  ASSERT_TRUE(pivot);
  const std::vector<std::string> expected = {"clients.name", "clients.description", "systems.name",
                                             "systems.applications"};
  EXPECT_EQ(pivot->RowColumns(), expected);
  EXPECT_EQ(pivot->levels[1].columns[1].source, ColumnSource::kRelation);
  EXPECT_EQ(pivot->ToJson()["columns"]["systems"], json({"name", "applications"}));
}

TEST(ReportDefinitionTest, HeadersSpellObjectsOutWithDots) {
  auto parsed = ParseDefinition(
      Kinds(), {{"name", "r"},
                {"type", "single"},
                {"kinds", {"servers"}},
                {"columns", {{"servers", {"hostname", "os", "tags", "datacenter", "os.base"}}}}});
  ASSERT_TRUE(parsed);
  const auto& columns = parsed->levels[0].columns;
  EXPECT_EQ(Headers(columns[0]), std::vector<std::string>{"hostname"});
  EXPECT_EQ(Headers(columns[1]), (std::vector<std::string>{"os.base", "os.dist", "os.version"}));
  EXPECT_EQ(Headers(columns[2]), std::vector<std::string>{"tags"});
  const auto datacenter = Headers(columns[3]);
  EXPECT_EQ(datacenter.front(), "datacenter.id");
  EXPECT_NE(std::find(datacenter.begin(), datacenter.end(), "datacenter.provider"),
            datacenter.end());
  EXPECT_NE(std::find(datacenter.begin(), datacenter.end(), "datacenter.region"), datacenter.end());
  EXPECT_EQ(Headers(columns[4]), std::vector<std::string>{"os.base"});
}

// Every value is bound and every identifier comes from the registry, on both dialects.
TEST(ReportDefinitionTest, PathQueriesBindEveryValue) {
  const std::string evil = "x' OR '1'='1'; DROP TABLE records; --";
  const json body = {{"name", "r"},
                     {"type", "pivot"},
                     {"kinds", {"clients", "systems", "applications", "servers"}},
                     {"filters",
                      {{"clients", {{{"field", "name"}, {"op", "eq"}, {"value", evil}}}},
                       {"servers",
                        {{{"field", "tags.key"}, {"op", "contains"}, {"value", evil}},
                         {{"field", "cpu"}, {"op", "gte"}, {"value", 4}}}}}}};
  auto parsed = ParseDefinition(Kinds(), body);
  ASSERT_TRUE(parsed) << Problems(parsed.error());
  for (auto dialect : {store::Dialect::kSqlite, store::Dialect::kPostgres}) {
    auto query = CompilePaths(dialect, *parsed, "mallory' OR 1=1 --");
    ASSERT_TRUE(query);
    EXPECT_EQ(query->sql.find("DROP"), std::string::npos) << query->sql;
    EXPECT_EQ(query->sql.find("mallory"), std::string::npos) << query->sql;
    const auto marks = std::count(query->sql.begin(), query->sql.end(), '?');
    EXPECT_EQ(static_cast<std::size_t>(marks), query->params.size()) << query->sql;
    EXPECT_NE(std::find(query->params.begin(), query->params.end(), store::Value(evil)),
              query->params.end());
    const store::Value like = std::string("%x' or '1'='1'; drop table records; --%");
    EXPECT_NE(std::find(query->params.begin(), query->params.end(), like), query->params.end())
        << "contains binds %value%, lower case";
    const store::Value relation = std::string("app_servers");
    EXPECT_NE(std::find(query->params.begin(), query->params.end(), relation), query->params.end());
    // Three levels join their records through edges, each record read once; the servers level
    // has filters, so empty servers drop out.
    const std::string join =
        dialect == store::Dialect::kSqlite ? "LEFT JOIN records t" : "LEFT JOIN LATERAL";
    std::size_t joins = 0;
    for (auto at = query->sql.find(join); at != std::string::npos;
         at = query->sql.find(join, at + 1)) {
      ++joins;
    }
    EXPECT_EQ(joins, 3u) << query->sql;
    EXPECT_NE(query->sql.find("t3.id IS NOT NULL"), std::string::npos) << query->sql;
    EXPECT_EQ(query->sql.find("t1.id IS NOT NULL"), std::string::npos)
        << "systems have no filter: a client without systems still gives a row";
  }
  // An identifier from input is refused before any SQL is made.
  json bad = body;
  bad["filters"]["clients"][0]["field"] = "name') OR 1=1 --";
  auto refused = ParseDefinition(Kinds(), bad);
  ASSERT_FALSE(refused);
  EXPECT_NE(Problems(refused.error()).find("filters.clients.0"), std::string::npos);
}

}  // namespace
}  // namespace maestro::reports
