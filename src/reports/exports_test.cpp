// Exports, checked by reading them back: CSV with an RFC 4180 parser, XLSX through unzip, PDF
// through pdftotext and pdfinfo, the Ansible inventory through ansible-inventory itself.
#include "reports/exports.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_support.h"

namespace maestro::reports {
namespace {

using nlohmann::json;

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The standard output of a command.
std::string Output(const std::string& command) {
  std::string out;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

// RFC 4180: records of fields; quoted fields may hold commas, doubled quotes and line breaks.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> records(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      records.back().push_back(field);
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      records.back().push_back(field);
      field.clear();
      records.emplace_back();
      ++i;
    } else {
      field += c;
    }
  }
  if (!field.empty() || !records.back().empty()) records.back().push_back(field);
  if (records.back().empty()) records.pop_back();
  return records;
}

Sheet ServersSheet() {
  Sheet sheet{.title = "Servers of ACME"};
  sheet.notes = {"Filters: environment eq Production", "Generated at 2026-11-24T10:00:00Z"};
  sheet.headers = {{"hostname", "hostname", {}},
                   {"cpu", "cpu", {}},
                   {"os.base", "os", {"base"}},
                   {"tags", "tags", {}},
                   {"active", "active", {}}};
  return sheet;
}

std::vector<json> SampleRows() {
  return {
      {{"hostname", "web-1"},
       {"cpu", 4},
       {"os", {{"base", "Linux"}, {"dist", "Debian"}}},
       {"tags", {{{"key", "team"}, {"value", "core"}}, {{"key", "pci"}}}},
       {"active", true}},
      {{"hostname", "db, \"primary\"\nsecond line"},
       {"cpu", 2.5},
       {"os", nullptr},
       {"active", false}},
      {{"hostname", "café-ü"}, {"cpu", nullptr}},
  };
}

// Hands out `rows` in batches of two, then an empty batch.
NextRows Batches(std::vector<json> rows) {
  auto shared = std::make_shared<std::vector<json>>(std::move(rows));
  auto at = std::make_shared<std::size_t>(0);
  return [shared, at]() -> Result<std::vector<json>> {
    std::vector<json> batch;
    while (*at < shared->size() && batch.size() < 2) batch.push_back((*shared)[(*at)++]);
    return batch;
  };
}

TEST(ReportExportTest, CellsFlattenNestedValues) {
  const json row = SampleRows()[0];
  const auto headers = ServersSheet().headers;
  EXPECT_EQ(Cell(row, headers[0]), "web-1");
  EXPECT_EQ(Cell(row, headers[1]), 4);
  EXPECT_EQ(Cell(row, headers[2]), "Linux");
  EXPECT_EQ(Cell(row, headers[3]), "team=core; pci");
  EXPECT_EQ(Cell(row, headers[4]), true);
  EXPECT_TRUE(Cell(SampleRows()[1], headers[2]).is_null()) << "a path through null";
  EXPECT_TRUE(Cell(SampleRows()[2], headers[3]).is_null()) << "a missing key";
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\r\nlines"), "\"two\r\nlines\"");
  EXPECT_EQ(GroupName("app_", "Web API (v2)"), "app_web_api_v2");
  EXPECT_EQ(GroupName("env_", "Production"), "env_production");
}

TEST(ReportExportTest, RowsMadeFromValueTextsAreTheParsedRows) {
  const std::vector<RowColumn> columns = {
      {"servers.hostname", {{"servers.hostname", "servers.hostname", {}}}},
      {"servers.cpu", {{"servers.cpu", "servers.cpu", {}}}},
      {"servers.os",
       {{"servers.os.base", "servers.os", {"base"}}, {"servers.os.dist", "servers.os", {"dist"}}}},
      {"servers.tags", {{"servers.tags", "servers.tags", {}}}},
  };
  std::vector<Header> headers;
  for (const auto& column : columns) {
    headers.insert(headers.end(), column.headers.begin(), column.headers.end());
  }
  // Each case: the texts of hostname, cpu, os and tags, as SQLite or PostgreSQL write them.
  const std::vector<std::vector<std::string_view>> cases = {
      {R"("web-1")", "4", R"({"base":"Linux","dist":"Debian"})",
       R"([{"key":"team","value":"core"},{"key":"pci"}])"},
      {R"("db, \"primary\"")", "-7", R"({"base": "Linux", "dist": "Debian"})", R"(["a", "b"])"},
      {R"("two\nlines")", "2.5", "null", "[]"},
      {R"("café \u00e9")", "0", "{}", "{}"},
      {R"("")", "1e21", R"({"base":{"x":1}})", "true"},
      {"", "-0", "", ""},
      {"null", "12345678901234567890", R"("not an object")", "false"},
      {"not json", "1.0", R"({"dist":"a,b"})", R"([1, 2.5, null])"},
      {R"("tab	and \\ backslash")", "007", R"({"base":"\"q\""})", R"([{"name":"x","id":1}])"},
      {R"("x")", "1", R"( { "base" : 12 , "dist" : false, "version": null } )", "null"},
      {R"("y")", "2", R"({"base":"a","base":"b","dist":-3})", R"([])"},
  };
  for (const auto& values : cases) {
    json row = json::object();
    json list = json::array();
    for (std::size_t c = 0; c < columns.size(); ++c) {
      json value = values[c].empty() ? json() : json::parse(values[c], nullptr, false);
      if (value.is_discarded()) value = nullptr;
      row[columns[c].key] = value;
      list.push_back(value);
    }
    std::string data, csv;
    AppendRow(columns, values, data, csv);
    std::string shown;
    for (auto value : values) shown += std::string(value) + " | ";
    EXPECT_EQ(csv, CsvLine(row, headers)) << shown;
    const json parsed = json::parse(data, nullptr, false);
    EXPECT_EQ(parsed, list) << shown << "\n" << data;
  }
}

TEST(ReportExportTest, CsvParsesBackToTheSameCells) {
  testing::TempDir dir;
  const std::string path = dir.str() + "/out.csv";
  ASSERT_TRUE(WriteExport(Format::kCsv, ServersSheet(), Batches(SampleRows()), path));
  const auto records = ParseCsv(Read(path));
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0], (std::vector<std::string>{"hostname", "cpu", "os.base", "tags", "active"}));
  EXPECT_EQ(records[1],
            (std::vector<std::string>{"web-1", "4", "Linux", "team=core; pci", "true"}));
  EXPECT_EQ(records[2][0], "db, \"primary\"\nsecond line");
  EXPECT_EQ(records[2][1], "2.5");
  EXPECT_EQ(records[2][4], "false");
  EXPECT_EQ(records[3], (std::vector<std::string>{"café-ü", "", "", "", ""}));
}

TEST(ReportExportTest, JsonIsTheRowsAsTheyAre) {
  testing::TempDir dir;
  const std::string path = dir.str() + "/out.json";
  ASSERT_TRUE(WriteExport(Format::kJson, ServersSheet(), Batches(SampleRows()), path));
  const json parsed = json::parse(Read(path));
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_EQ(parsed[0], SampleRows()[0]);
  const std::string empty = dir.str() + "/empty.json";
  ASSERT_TRUE(WriteExport(Format::kJson, ServersSheet(), Batches({}), empty));
  EXPECT_EQ(json::parse(Read(empty)), json::array());
}

TEST(ReportExportTest, XlsxHasTypedCellsAHeaderAndAnAutofilter) {
  testing::TempDir dir;
  const std::string path = dir.str() + "/out.xlsx";
  ASSERT_TRUE(WriteExport(Format::kXlsx, ServersSheet(), Batches(SampleRows()), path));
  EXPECT_EQ(Read(path).substr(0, 2), "PK") << "a zip file";
  const std::string listing = Output("unzip -l " + path);
  EXPECT_NE(listing.find("xl/worksheets/sheet1.xml"), std::string::npos) << listing;
  const std::string sheet = Output("unzip -p " + path + " xl/worksheets/sheet1.xml");
  EXPECT_NE(sheet.find("<autoFilter ref=\"A1:E4\"/>"), std::string::npos) << sheet;
  EXPECT_NE(sheet.find("<c r=\"B2\"><v>4</v></c>"), std::string::npos) << sheet;
  EXPECT_NE(sheet.find("<c r=\"B3\"><v>2.5</v></c>"), std::string::npos) << sheet;
  EXPECT_NE(sheet.find("<c r=\"E2\" t=\"b\"><v>1</v></c>"), std::string::npos) << sheet;
  EXPECT_NE(sheet.find("hostname"), std::string::npos) << "header row";
  EXPECT_NE(sheet.find("team=core; pci"), std::string::npos) << sheet;
  EXPECT_NE(sheet.find("café-ü"), std::string::npos) << sheet;
  EXPECT_EQ(sheet.find("<c r=\"B4\""), std::string::npos) << "a null cell is left empty";
}

TEST(ReportExportTest, PdfIsALandscapeTableOverPagesWithWrappedCells) {
  testing::TempDir dir;
  const std::string path = dir.str() + "/out.pdf";
  std::vector<json> rows;
  for (int i = 0; i < 300; ++i) {
    rows.push_back({{"hostname", "host-" + std::to_string(i)},
                    {"cpu", i},
                    {"os", {{"base", "Linux"}}},
                    {"tags",
                     {{{"key", "note"},
                       {"value",
                        "a long value that has to wrap over several lines of "
                        "its narrow column, word after word, until it fits"}}}}});
  }
  ASSERT_TRUE(WriteExport(Format::kPdf, ServersSheet(), Batches(rows), path));
  EXPECT_EQ(Read(path).substr(0, 5), "%PDF-");
  const std::string info = Output("pdfinfo " + path);
  EXPECT_NE(info.find("842 x 595 pts"), std::string::npos) << info;
  const auto pages_at = info.find("Pages:");
  ASSERT_NE(pages_at, std::string::npos) << info;
  EXPECT_GT(std::stoi(info.substr(pages_at + 6)), 3) << info;
  const std::string text = Output("pdftotext " + path + " -");
  EXPECT_NE(text.find("Servers of ACME"), std::string::npos);
  EXPECT_NE(text.find("Filters: environment eq Production"), std::string::npos);
  EXPECT_NE(text.find("Generated at 2026-11-24T10:00:00Z"), std::string::npos);
  EXPECT_NE(text.find("host-0"), std::string::npos);
  EXPECT_NE(text.find("host-299"), std::string::npos) << "every row is there";
  EXPECT_NE(text.find("until it fits"), std::string::npos) << "wrapped text is all there";
}

TEST(ReportExportTest, PdfHoldsEveryRowOfALargeReport) {
  testing::TempDir dir;
  const std::string path = dir.str() + "/large.pdf";
  constexpr int kRows = 6000;
  std::vector<json> rows;
  for (int i = 0; i < kRows; ++i) {
    rows.push_back({{"hostname", fmt::format("host-{:05}", i)},
                    {"cpu", i % 64},
                    {"os", {{"base", i % 2 ? "Linux" : "Windows"}}},
                    {"tags", {{{"key", "team"}, {"value", fmt::format("team-{}", i % 7)}}}}});
  }
  ASSERT_TRUE(WriteExport(Format::kPdf, ServersSheet(), Batches(rows), path));
  const std::string text = Output("pdftotext -layout " + path + " -");
  EXPECT_NE(text.find("Servers of ACME"), std::string::npos);
  EXPECT_NE(text.find("host-00000"), std::string::npos) << "the first row";
  EXPECT_NE(text.find("host-05000"), std::string::npos) << "past the old limit of 5,000 rows";
  EXPECT_NE(text.find("host-05999"), std::string::npos) << "the last row";
  EXPECT_EQ(text.find("first 5000"), std::string::npos) << "no note of rows left out";
  // pdftotext ends each page with a form feed; every page repeats the header row.
  const auto pages = std::count(text.begin(), text.end(), '\f');
  std::size_t headers = 0;
  for (auto at = text.find("os.base"); at != std::string::npos; at = text.find("os.base", at + 1)) {
    ++headers;
  }
  EXPECT_GE(pages, kRows / 60) << "rows of one line each: 30 to 60 a page";
  EXPECT_LE(pages, kRows / 30);
  EXPECT_EQ(headers, static_cast<std::size_t>(pages)) << "the header row on every page";
  const std::string info = Output("pdfinfo " + path);
  const auto pages_at = info.find("Pages:");
  ASSERT_NE(pages_at, std::string::npos) << info;
  EXPECT_EQ(std::stoi(info.substr(pages_at + 6)), pages) << info;
}

TEST(ReportExportTest, InventoryIsReadByAnsible) {
  testing::TempDir dir;
  const std::string path = dir.str() + "/inventory.ini";
  Sheet sheet{
      .title = "pivot", .server_prefix = "servers.", .application_key = "applications.name"};
  const std::vector<json> rows = {
      {{"applications.name", "Billing API"},
       {"servers.hostname", "web-1"},
       {"servers.ipv4_private", "10.0.0.1"},
       {"servers.environment", "Production"},
       {"servers.auth", {{{"type", "PKI"}, {"username", "deploy"}}}},
       {"servers.metas", {{"ansible_port", 2222}}}},
      {{"applications.name", "Shop"},
       {"servers.hostname", "web-1"},
       {"servers.ipv4_private", "10.0.0.1"},
       {"servers.environment", "Production"}},
      {{"applications.name", "Shop"},
       {"servers.hostname", "db-1"},
       {"servers.ipv4_public", "203.0.113.9"},
       {"servers.environment", "Staging"}},
      {{"applications.name", "Empty"}, {"servers.hostname", nullptr}},
  };
  ASSERT_TRUE(WriteExport(Format::kInventory, sheet, Batches(rows), path));
  const std::string listed = Output("ANSIBLE_LOCAL_TEMP=" + dir.str() + " HOME=" + dir.str() +
                                    " ansible-inventory --list -i " + path + " 2>/dev/null");
  auto inventory = json::parse(listed, nullptr, false);
  ASSERT_FALSE(inventory.is_discarded()) << listed << "\n" << Read(path);
  const json& vars = inventory["_meta"]["hostvars"];
  EXPECT_EQ(vars["web-1"]["ansible_host"], "10.0.0.1");
  EXPECT_EQ(vars["web-1"]["ansible_user"], "deploy");
  EXPECT_EQ(vars["web-1"]["ansible_port"], 2222);
  EXPECT_EQ(vars["db-1"]["ansible_host"], "203.0.113.9");
  EXPECT_EQ(vars["db-1"]["ansible_port"], 22);
  EXPECT_EQ(inventory["app_billing_api"]["hosts"], json({"web-1"}));
  EXPECT_EQ(inventory["app_shop"]["hosts"], json({"db-1", "web-1"}));
  EXPECT_EQ(inventory["env_production"]["hosts"], json({"web-1"}));
  EXPECT_EQ(inventory["env_staging"]["hosts"], json({"db-1"}));
  EXPECT_EQ(inventory.find("app_empty"), inventory.end()) << "a path without a server";
}

TEST(ReportExportTest, UnknownFormatsNameTheParameter) {
  auto format = ParseFormat("docx");
  ASSERT_FALSE(format);
  EXPECT_EQ(format.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(format.error().fields.at(0).field, "format");
  EXPECT_TRUE(ParseFormat("inventory"));
}

}  // namespace
}  // namespace maestro::reports
