// Exports of stored report rows: CSV (RFC 4180), JSON, XLSX (libxlsxwriter), PDF (cairo) and an
// Ansible inventory (INI). Each writer pulls rows in batches and writes a file as it goes, so an
// export of a million rows holds one batch in memory, not the report (XLSX in libxlsxwriter's
// constant-memory mode).
//
// Rows are flat JSON objects (column -> value) whose values may be nested; the tabular formats
// spell nested objects out as dotted headers ("os.base") and join lists with "; ".
//
// Pure functions over their arguments: thread-safe.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace maestro::reports {

enum class Format { kCsv, kJson, kXlsx, kPdf, kInventory };

// csv, json, xlsx, pdf, inventory -> Format; anything else -> kBadRequest naming `format`.
Result<Format> ParseFormat(std::string_view text);
std::string_view ContentType(Format format);
std::string_view Extension(Format format);

// Where a header's value is in a row: the row's key and a path inside its value.
struct Header {
  std::string name;               // "servers.os.base"
  std::string key;                // "servers.os"
  std::vector<std::string> path;  // {"base"}
};

struct Sheet {
  std::string title;
  std::vector<std::string> notes;  // lines under the title: filters, generation time, rows
  std::vector<Header> headers;
  // Ansible inventory: the prefix of server columns in rows ("" for a servers report,
  // "servers." for a pivot), and the row key of application names ("applications.name" in a
  // pivot, "applications" for a servers report with that column), "" when there is none.
  std::string server_prefix;
  std::string application_key;
};

// The next batch of rows; an empty batch ends the export.
using NextRows = std::function<Result<std::vector<nlohmann::json>>()>;

// Writes the rows to the file at `path` (created or truncated). kInternal when the file cannot
// be written; errors of `next` are passed on.
Status WriteExport(Format format, const Sheet& sheet, const NextRows& next,
                   const std::string& path);

// Takes the next of the rows' CSV lines (as generation stored them, without line end).
using TakeLine = std::function<Status(std::string_view line)>;
// Hands every line, in order, to `take`; passes on its errors.
using EachLine = std::function<Status(const TakeLine& take)>;
// A CSV export of lines made by CsvLine: the header line, then the lines, CRLF after each,
// written through a large buffer.
Status WriteCsvLines(const Sheet& sheet, const EachLine& lines, const std::string& path);
// One row as a CSV line (RFC 4180 fields, no line end).
std::string CsvLine(const nlohmann::json& row, const std::vector<Header>& headers);

// A column of stored rows with the export headers it gives (their `key` is the column's key).
struct RowColumn {
  std::string key;
  std::vector<Header> headers;
};
// Appends a stored row made straight from the JSON text of each column's value as the database
// gives it ("" for none, like null): to `data` the row as a JSON list of its values in column
// order, to `csv` its CSV line (what CsvLine gives for the row as an object). Only lists, objects
// that are not flat and strings with escapes are parsed; a value that does not parse counts as
// null. REQUIRES: values.size() == columns.size().
void AppendRow(const std::vector<RowColumn>& columns, const std::vector<std::string_view>& values,
               std::string& data, std::string& csv);

// The scalar (string, number, bool or null) a header shows for a row: lists are joined with
// "; " (objects in them by their name, or key=value for tags), other objects as JSON text.
nlohmann::json Cell(const nlohmann::json& row, const Header& header);

// One item of a list as text: itself (text), its name, key=value (tags), or its scalar values
// joined by spaces (other objects).
std::string ItemText(const nlohmann::json& item);

// RFC 4180 field: quoted when it holds a comma, quote, CR or LF (quotes doubled).
std::string CsvField(std::string_view text);

// A valid Ansible group name from any text ("Web API" -> "web_api").
std::string GroupName(std::string_view prefix, std::string_view text);

// The most data rows of an XLSX sheet.
constexpr std::size_t kXlsxMaxRows = 1048575;

}  // namespace maestro::reports
