#include "reports/exports.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fmt/format.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <set>

namespace maestro::reports {
namespace {

using nlohmann::json;

// A FILE* closed on every path out.
struct FileCloser {
  void operator()(std::FILE* file) const {
    if (file != nullptr) std::fclose(file);
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

tl::unexpected<Error> WriteFailed(const std::string& path) {
  return Fail(ErrorCode::kInternal, fmt::format("cannot write the export file {}", path));
}

}  // namespace

std::string ItemText(const json& item) {
  if (item.is_string()) return item.get<std::string>();
  if (item.is_object()) {
    if (item.contains("name") && item["name"].is_string()) return item["name"];
    if (item.contains("key") && item["key"].is_string()) {
      const json value = item.value("value", json());
      if (value.is_null() || (value.is_string() && value.get<std::string>().empty())) {
        return item["key"];
      }
      return item["key"].get<std::string>() + "=" +
             (value.is_string() ? value.get<std::string>() : value.dump());
    }
    // Other objects (auth entries, storage): their scalar values, in key order.
    std::string text;
    for (const auto& [key, value] : item.items()) {
      if (value.is_object() || value.is_array() || value.is_null()) continue;
      const std::string part = value.is_string() ? value.get<std::string>() : value.dump();
      if (part.empty()) continue;
      text += (text.empty() ? "" : " ") + part;
    }
    return text;
  }
  return item.dump();
}

namespace {

std::string CellText(const json& cell) {
  if (cell.is_null()) return "";
  if (cell.is_string()) return cell.get<std::string>();
  return cell.dump();
}

// ---- CSV and JSON

Status WriteCsv(const Sheet& sheet, const NextRows& next, std::FILE* out) {
  std::string text;
  for (std::size_t i = 0; i < sheet.headers.size(); ++i) {
    text += (i ? "," : "") + CsvField(sheet.headers[i].name);
  }
  text += "\r\n";
  for (;;) {
    auto rows = next();
    if (!rows) return Fail(rows.error());
    if (rows->empty()) break;
    for (const auto& row : *rows) text += CsvLine(row, sheet.headers) + "\r\n";
    if (std::fwrite(text.data(), 1, text.size(), out) != text.size()) {
      return Fail(ErrorCode::kInternal, "cannot write the export");
    }
    text.clear();
  }
  if (!text.empty() && std::fwrite(text.data(), 1, text.size(), out) != text.size()) {
    return Fail(ErrorCode::kInternal, "cannot write the export");
  }
  return {};
}

Status WriteJson(const NextRows& next, std::FILE* out) {
  std::string text = "[";
  bool first = true;
  for (;;) {
    auto rows = next();
    if (!rows) return Fail(rows.error());
    if (rows->empty()) break;
    for (const auto& row : *rows) {
      text += first ? "\n" : ",\n";
      text += row.dump(-1, ' ', false, json::error_handler_t::replace);
      first = false;
    }
    if (std::fwrite(text.data(), 1, text.size(), out) != text.size()) {
      return Fail(ErrorCode::kInternal, "cannot write the export");
    }
    text.clear();
  }
  text += "\n]\n";
  if (std::fwrite(text.data(), 1, text.size(), out) != text.size()) {
    return Fail(ErrorCode::kInternal, "cannot write the export");
  }
  return {};
}

// ---- XLSX

Status WriteXlsx(const Sheet& sheet, const NextRows& next, const std::string& path) {
  lxw_workbook_options options = {.constant_memory = LXW_TRUE, .tmpdir = nullptr};
  lxw_workbook* book = workbook_new_opt(path.c_str(), &options);
  if (book == nullptr) return WriteFailed(path);
  lxw_doc_properties properties = {};
  // libxlsxwriter takes char* but only reads it.
  std::string title = sheet.title;
  std::string comments = "Maestro report";
  properties.title = title.data();
  properties.comments = comments.data();
  workbook_set_properties(book, &properties);
  lxw_worksheet* page = workbook_add_worksheet(book, "Report");
  lxw_format* bold = workbook_add_format(book);
  format_set_bold(bold);
  const auto columns = static_cast<lxw_col_t>(sheet.headers.size());
  for (lxw_col_t c = 0; c < columns; ++c) {
    const double width = std::clamp<double>(sheet.headers[c].name.size() + 4, 10, 40);
    worksheet_set_column(page, c, c, width, nullptr);
  }
  for (lxw_col_t c = 0; c < columns; ++c) {
    worksheet_write_string(page, 0, c, sheet.headers[c].name.c_str(), bold);
  }
  lxw_row_t row_number = 0;
  bool more = true;
  while (more) {
    auto rows = next();
    if (!rows) {
      workbook_close(book);
      return Fail(rows.error());
    }
    if (rows->empty()) break;
    for (const auto& row : *rows) {
      if (row_number >= kXlsxMaxRows) {
        more = false;
        break;
      }
      ++row_number;
      for (lxw_col_t c = 0; c < columns; ++c) {
        const json cell = Cell(row, sheet.headers[c]);
        if (cell.is_null()) continue;
        if (cell.is_number()) {
          worksheet_write_number(page, row_number, c, cell.get<double>(), nullptr);
        } else if (cell.is_boolean()) {
          worksheet_write_boolean(page, row_number, c, cell.get<bool>() ? 1 : 0, nullptr);
        } else {
          const std::string text = CellText(cell);
          // Excel keeps at most 32767 characters in a cell.
          worksheet_write_string(page, row_number, c, text.substr(0, 32767).c_str(), nullptr);
        }
      }
    }
  }
  if (columns > 0) worksheet_autofilter(page, 0, 0, row_number, columns - 1);
  worksheet_freeze_panes(page, 1, 0);
  if (workbook_close(book) != LXW_NO_ERROR) return WriteFailed(path);
  return {};
}

// ---- PDF
//
// Pages are written as the rows come: cairo's PDF surface writes each page's content when the page
// is shown, so the writer holds one batch of rows and one page, whatever the report's size. Text
// widths come from a cache of each character's advance in each font used (cairo's toy text API
// places glyphs one after the other without kerning, so a line's width is the sum of its
// characters' advances); measuring through cairo_text_extents for every candidate line of every
// wrapped cell was most of a large export's time.

constexpr double kPageWidth = 842;  // A4 landscape, points
constexpr double kPageHeight = 595;
constexpr double kMargin = 28;

// The length in bytes of the UTF-8 character that starts with `lead`.
std::size_t CharLength(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

class PdfWriter {
 public:
  PdfWriter(const Sheet& sheet, const std::string& path)
      : sheet_(sheet),
        surface_(cairo_pdf_surface_create(path.c_str(), kPageWidth, kPageHeight)),
        cr_(cairo_create(surface_)) {
    cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_TITLE, sheet.title.c_str());
    cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATOR, "Maestro");
  }
  ~PdfWriter() {
    cairo_destroy(cr_);
    cairo_surface_destroy(surface_);
  }
  PdfWriter(const PdfWriter&) = delete;
  PdfWriter& operator=(const PdfWriter&) = delete;

  Status Write(const NextRows& next) {
    if (cairo_surface_status(surface_) != CAIRO_STATUS_SUCCESS) {
      return Fail(ErrorCode::kInternal, "cannot create the PDF file");
    }
    bool first_batch = true;
    for (;;) {
      auto rows = next();
      if (!rows) return Fail(rows.error());
      if (rows->empty()) break;
      if (first_batch) {
        Layout(*rows);
        StartPage(true);
        first_batch = false;
      }
      for (const auto& row : *rows) Row(row);
      if (cairo_surface_status(surface_) != CAIRO_STATUS_SUCCESS) {
        return Fail(ErrorCode::kInternal, "cannot write the PDF file");
      }
    }
    if (first_batch) {
      Layout({});
      StartPage(true);
      Line("This report has no rows.", 9, false);
    }
    Footer();
    cairo_show_page(cr_);
    cairo_surface_finish(surface_);
    if (cairo_surface_status(surface_) != CAIRO_STATUS_SUCCESS) {
      return Fail(ErrorCode::kInternal, "cannot write the PDF file");
    }
    return {};
  }

 private:
  // Column widths from the headers and the first batch of rows: each column's natural width,
  // capped, then scaled to the page; smaller type when there are many columns.
  void Layout(const std::vector<json>& sample) {
    const std::size_t n = std::max<std::size_t>(1, sheet_.headers.size());
    font_size_ = n > 16 ? 5.5 : n > 10 ? 6.5 : 7.5;
    SetFont(font_size_, false);
    std::vector<double> natural(sheet_.headers.size(), 0);
    for (std::size_t c = 0; c < sheet_.headers.size(); ++c) {
      natural[c] = TextWidth(sheet_.headers[c].name);
      std::size_t looked = 0;
      for (const auto& row : sample) {
        if (++looked > 200) break;
        natural[c] = std::max(natural[c], TextWidth(CellText(Cell(row, sheet_.headers[c]))));
      }
      natural[c] = std::clamp(natural[c] + 2 * kPad, 24.0, 220.0);
    }
    const double available = kPageWidth - 2 * kMargin;
    double total = 0;
    for (double w : natural) total += w;
    widths_ = natural;
    if (total > 0) {
      for (double& w : widths_) w *= available / total;
    }
  }

  void SetFont(double size, bool bold) {
    if (size == font_.first && bold == font_.second) return;
    font_ = {size, bold};
    cairo_select_font_face(cr_, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr_, size);
    advances_ = &widths_by_font_[font_];
  }

  // The width of `text` in the current font.
  double TextWidth(std::string_view text) {
    double width = 0;
    for (std::size_t i = 0; i < text.size();) {
      const std::size_t length =
          std::min(CharLength(static_cast<unsigned char>(text[i])), text.size() - i);
      width += Advance(text.substr(i, length));
      i += length;
    }
    return width;
  }

  double Advance(std::string_view character) {
    const auto lead = static_cast<unsigned char>(character.front());
    if (lead < 0x80 && advances_->ascii[lead] >= 0) return advances_->ascii[lead];
    if (lead >= 0x80) {
      auto found = advances_->other.find(character);
      if (found != advances_->other.end()) return found->second;
    }
    const std::string text(character);
    cairo_text_extents_t extents;
    cairo_text_extents(cr_, text.c_str(), &extents);
    if (lead < 0x80) {
      advances_->ascii[lead] = extents.x_advance;
    } else {
      advances_->other.emplace(text, extents.x_advance);
    }
    return extents.x_advance;
  }

  // Greedy wrapping at spaces and line breaks; a word wider than the line is broken between
  // characters.
  std::vector<std::string> Wrap(std::string_view text, double width) {
    std::vector<std::string> lines;
    std::string line;
    double line_width = 0;
    const double space = Advance(" ");
    auto end_line = [&] {
      lines.push_back(std::move(line));
      line.clear();
      line_width = 0;
    };
    auto push_word = [&](std::string_view word) {
      const double word_width = TextWidth(word);
      if (line.empty() && word_width <= width) {
        line = word;
        line_width = word_width;
        return;
      }
      if (!line.empty() && line_width + space + word_width <= width) {
        line += ' ';
        line += word;
        line_width += space + word_width;
        return;
      }
      if (!line.empty()) end_line();
      if (word_width <= width) {
        line = word;
        line_width = word_width;
        return;
      }
      for (std::size_t i = 0; i < word.size();) {
        const std::size_t length =
            std::min(CharLength(static_cast<unsigned char>(word[i])), word.size() - i);
        const std::string_view character = word.substr(i, length);
        const double advance = Advance(character);
        if (!line.empty() && line_width + advance > width) end_line();
        line += character;
        line_width += advance;
        i += length;
      }
    };
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find_first_of(" \n", start);
      if (end == std::string_view::npos) end = text.size();
      if (end > start) push_word(text.substr(start, end - start));
      if (end < text.size() && text[end] == '\n' && !line.empty()) end_line();
      start = end + 1;
    }
    if (!line.empty() || lines.empty()) lines.push_back(std::move(line));
    return lines;
  }

  void Line(const std::string& text, double size, bool bold) {
    SetFont(size, bold);
    for (const auto& line : Wrap(text, kPageWidth - 2 * kMargin)) {
      y_ += size * 1.35;
      cairo_move_to(cr_, kMargin, y_);
      cairo_show_text(cr_, line.c_str());
    }
  }

  void StartPage(bool first) {
    ++page_;
    y_ = kMargin;
    if (first) {
      Line(sheet_.title, 16, true);
      for (const auto& note : sheet_.notes) Line(note, 8.5, false);
      y_ += 8;
    }
    HeaderRow();
  }

  void Footer() {
    SetFont(7, false);
    cairo_set_source_rgb(cr_, 0.4, 0.4, 0.4);
    cairo_move_to(cr_, kMargin, kPageHeight - kMargin / 2);
    cairo_show_text(cr_, fmt::format("{} — page {}", sheet_.title, page_).c_str());
    cairo_set_source_rgb(cr_, 0, 0, 0);
  }

  void NewPage() {
    Footer();
    cairo_show_page(cr_);
    StartPage(false);
  }

  // One table row of wrapped cells; `shade` fills the header.
  void Cells(const std::vector<std::string>& texts, bool bold, bool shade) {
    SetFont(font_size_, bold);
    std::vector<std::vector<std::string>> lines;
    lines.reserve(texts.size());
    std::size_t height_lines = 1;
    for (std::size_t c = 0; c < texts.size(); ++c) {
      lines.push_back(Wrap(texts[c], widths_[c] - 2 * kPad));
      height_lines = std::max(height_lines, lines.back().size());
    }
    const double line_height = font_size_ * 1.3;
    const double max_lines = std::floor((kPageHeight - 3 * kMargin) / line_height) - 2;
    height_lines = std::min<std::size_t>(height_lines, static_cast<std::size_t>(max_lines));
    const double height = static_cast<double>(height_lines) * line_height + 2 * kPad;
    if (!shade && y_ + height > kPageHeight - kMargin) {
      NewPage();
      SetFont(font_size_, bold);
    }
    double x = kMargin;
    if (shade) {
      cairo_set_source_rgb(cr_, 0.88, 0.9, 0.94);
      cairo_rectangle(cr_, kMargin, y_, kPageWidth - 2 * kMargin, height);
      cairo_fill(cr_);
      cairo_set_source_rgb(cr_, 0, 0, 0);
    }
    for (std::size_t c = 0; c < texts.size(); ++c) {
      for (std::size_t l = 0; l < lines[c].size() && l < height_lines; ++l) {
        if (lines[c][l].empty()) continue;
        cairo_move_to(cr_, x + kPad, y_ + kPad + (static_cast<double>(l) + 0.8) * line_height);
        cairo_show_text(cr_, lines[c][l].c_str());
      }
      x += widths_[c];
    }
    y_ += height;
    cairo_set_source_rgb(cr_, 0.75, 0.75, 0.75);
    cairo_set_line_width(cr_, 0.4);
    cairo_move_to(cr_, kMargin, y_);
    cairo_line_to(cr_, kPageWidth - kMargin, y_);
    cairo_stroke(cr_);
    cairo_set_source_rgb(cr_, 0, 0, 0);
  }

  void HeaderRow() {
    std::vector<std::string> names;
    names.reserve(sheet_.headers.size());
    for (const auto& header : sheet_.headers) names.push_back(header.name);
    Cells(names, true, true);
  }

  void Row(const json& row) {
    std::vector<std::string> texts;
    texts.reserve(sheet_.headers.size());
    for (const auto& header : sheet_.headers) texts.push_back(CellText(Cell(row, header)));
    Cells(texts, false, false);
  }

  static constexpr double kPad = 2.5;
  const Sheet& sheet_;
  cairo_surface_t* surface_;
  cairo_t* cr_;
  std::vector<double> widths_;
  double font_size_ = 7.5;
  double y_ = kMargin;
  int page_ = 0;
  // Character advances of one font: ASCII by code (negative until measured), others by text.
  struct Advances {
    Advances() { ascii.fill(-1); }
    std::array<double, 128> ascii;
    std::map<std::string, double, std::less<>> other;
  };
  // By font (size, bold); `advances_` points at the current font's.
  std::map<std::pair<double, bool>, Advances> widths_by_font_;
  std::pair<double, bool> font_{0, false};
  Advances* advances_ = nullptr;
};

// ---- Ansible inventory

std::string IniValue(const std::string& text) {
  if (text.find_first_of(" \t\"'=#;") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string HostName(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += std::isspace(static_cast<unsigned char>(c)) || c == '[' || c == ']' || c == '#' ||
                   c == ';' || c == '='
               ? '_'
               : c;
  }
  return out;
}

std::string TextAt(const json& row, const std::string& key) {
  auto found = row.find(key);
  if (found == row.end() || !found->is_string()) return "";
  return found->get<std::string>();
}

Status WriteInventory(const Sheet& sheet, const NextRows& next, std::FILE* out) {
  const std::string& p = sheet.server_prefix;
  std::set<std::string> hosts;
  std::map<std::string, std::set<std::string>> groups;
  std::string text = "# Ansible inventory written by Maestro: " + sheet.title + "\n[all]\n";
  for (;;) {
    auto rows = next();
    if (!rows) return Fail(rows.error());
    if (rows->empty()) break;
    for (const auto& row : *rows) {
      const std::string host = HostName(TextAt(row, p + "hostname"));
      if (host.empty()) continue;  // a path without a server (an empty pivot level)
      if (hosts.insert(host).second) {
        std::string address = TextAt(row, p + "ipv4_private");
        if (address.empty()) address = TextAt(row, p + "ipv4_public");
        if (address.empty()) address = TextAt(row, p + "dns_private");
        if (address.empty()) address = TextAt(row, p + "dns_public");
        if (address.empty()) address = TextAt(row, p + "hostname");
        text += host + " ansible_host=" + IniValue(address);
        std::string user;
        if (auto auth = row.find(p + "auth"); auth != row.end() && auth->is_array()) {
          for (const auto& entry : *auth) {
            if (entry.is_object() && entry.contains("username") && entry["username"].is_string() &&
                !entry["username"].get<std::string>().empty()) {
              user = entry["username"];
              break;
            }
          }
        }
        if (!user.empty()) text += " ansible_user=" + IniValue(user);
        std::int64_t port = 22;
        if (auto metas = row.find(p + "metas"); metas != row.end() && metas->is_object()) {
          const json value = metas->value("ansible_port", json());
          if (value.is_number_integer() && value.get<std::int64_t>() > 0 &&
              value.get<std::int64_t>() < 65536) {
            port = value.get<std::int64_t>();
          }
        }
        text += fmt::format(" ansible_port={}\n", port);
      }
      const std::string environment = TextAt(row, p + "environment");
      if (!environment.empty()) groups[GroupName("env_", environment)].insert(host);
      if (!sheet.application_key.empty()) {
        auto apps = row.find(sheet.application_key);
        if (apps != row.end() && apps->is_string() && !apps->get<std::string>().empty()) {
          groups[GroupName("app_", apps->get<std::string>())].insert(host);
        } else if (apps != row.end() && apps->is_array()) {
          for (const auto& app : *apps) {
            const std::string name = ItemText(app);
            if (!name.empty()) groups[GroupName("app_", name)].insert(host);
          }
        }
      }
    }
    if (std::fwrite(text.data(), 1, text.size(), out) != text.size()) {
      return Fail(ErrorCode::kInternal, "cannot write the export");
    }
    text.clear();
  }
  for (const auto& [group, members] : groups) {
    text += "\n[" + group + "]\n";
    for (const auto& host : members) text += host + "\n";
  }
  if (std::fwrite(text.data(), 1, text.size(), out) != text.size()) {
    return Fail(ErrorCode::kInternal, "cannot write the export");
  }
  return {};
}

}  // namespace

Result<Format> ParseFormat(std::string_view text) {
  if (text == "csv") return Format::kCsv;
  if (text == "json") return Format::kJson;
  if (text == "xlsx") return Format::kXlsx;
  if (text == "pdf") return Format::kPdf;
  if (text == "inventory") return Format::kInventory;
  return Fail(ErrorCode::kBadRequest,
              fmt::format("format '{}' is not known: use csv, json, xlsx, pdf or inventory", text),
              {{"format", "must be csv, json, xlsx, pdf or inventory"}});
}

std::string_view ContentType(Format format) {
  switch (format) {
    case Format::kCsv:
      return "text/csv; charset=utf-8";
    case Format::kJson:
      return "application/json; charset=utf-8";
    case Format::kXlsx:
      return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case Format::kPdf:
      return "application/pdf";
    case Format::kInventory:
      return "text/plain; charset=utf-8";
  }
  return "application/octet-stream";
}

std::string_view Extension(Format format) {
  switch (format) {
    case Format::kCsv:
      return "csv";
    case Format::kJson:
      return "json";
    case Format::kXlsx:
      return "xlsx";
    case Format::kPdf:
      return "pdf";
    case Format::kInventory:
      return "ini";
  }
  return "bin";
}

namespace {

// What Cell shows for `value` at `path` inside it.
json CellAt(const json* value, const std::vector<std::string>& path) {
  for (const auto& part : path) {
    if (!value->is_object()) return nullptr;
    auto inner = value->find(part);
    if (inner == value->end()) return nullptr;
    value = &*inner;
  }
  if (value->is_array()) {
    std::string joined;
    for (const auto& item : *value) {
      if (!joined.empty()) joined += "; ";
      joined += ItemText(item);
    }
    return joined;
  }
  if (value->is_object()) return value->dump();
  return *value;
}

// The CSV text of a JSON value's text when it needs no parsing: null, true, false, an integer as
// JSON writes it, or a string without escapes. False when it needs parsing.
bool PlainCellText(std::string_view value, std::string_view& out) {
  out = {};
  if (value.empty() || value == "null") return true;
  if (value == "true" || value == "false") {
    out = value;
    return true;
  }
  if (value.front() == '"') {
    if (value.size() < 2 || value.back() != '"' || value.find('\\') != std::string_view::npos) {
      return false;
    }
    out = value.substr(1, value.size() - 2);
    return true;
  }
  // An integer: nlohmann writes what it reads, for up to 18 digits without a leading zero ("-0"
  // reads as 0).
  const std::string_view digits = value.front() == '-' ? value.substr(1) : value;
  if (digits.empty() || digits.size() > 18) return false;
  if (digits.front() == '0' && (digits.size() > 1 || digits.size() != value.size())) return false;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
  }
  out = value;
  return true;
}

// The members of a JSON object whose values are all scalars that need no parsing (PlainCellText),
// as the texts of their keys and values, with any spacing around them (PostgreSQL writes
// `{"a": 1, "b": "x"}`). False for anything else: nested values, escapes, odd text.
bool FlatMembers(std::string_view text,
                 std::vector<std::pair<std::string_view, std::string_view>>& members) {
  members.clear();
  std::size_t at = 0;
  auto skip_space = [&] {
    while (at < text.size() &&
           (text[at] == ' ' || text[at] == '\n' || text[at] == '\t' || text[at] == '\r')) {
      ++at;
    }
  };
  skip_space();
  if (at == text.size() || text[at] != '{') return false;
  ++at;
  skip_space();
  if (at < text.size() && text[at] == '}') return true;
  for (;;) {
    if (at == text.size() || text[at] != '"') return false;
    const std::size_t key_end = text.find('"', at + 1);
    if (key_end == std::string_view::npos) return false;
    const std::string_view key = text.substr(at + 1, key_end - at - 1);
    if (key.find('\\') != std::string_view::npos) return false;
    at = key_end + 1;
    skip_space();
    if (at == text.size() || text[at] != ':') return false;
    ++at;
    skip_space();
    if (at == text.size()) return false;
    std::size_t value_end = at;
    if (text[at] == '"') {
      value_end = text.find('"', at + 1);
      if (value_end == std::string_view::npos) return false;
      ++value_end;
    } else {
      while (value_end < text.size() && text[value_end] != ',' && text[value_end] != '}' &&
             text[value_end] != ' ') {
        ++value_end;
      }
    }
    const std::string_view value = text.substr(at, value_end - at);
    std::string_view plain;
    if (!PlainCellText(value, plain)) return false;
    members.emplace_back(key, value);
    at = value_end;
    skip_space();
    if (at == text.size()) return false;
    if (text[at] == '}') return true;
    if (text[at] != ',') return false;
    ++at;
    skip_space();
  }
}

void AppendCsvField(std::string_view text, std::string& out) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

json Cell(const json& row, const Header& header) {
  auto found = row.find(header.key);
  if (found == row.end()) return nullptr;
  return CellAt(&*found, header.path);
}

void AppendRow(const std::vector<RowColumn>& columns, const std::vector<std::string_view>& values,
               std::string& data, std::string& csv) {
  data += '[';
  bool first_header = true;
  std::vector<std::pair<std::string_view, std::string_view>> members;
  auto flat_object = [&](const RowColumn& column, std::string_view value) {
    // Headers one step into an object of scalars: their cells straight from the object's text.
    for (const auto& header : column.headers) {
      if (header.path.size() != 1) return false;
    }
    return FlatMembers(value, members);
  };
  for (std::size_t c = 0; c < columns.size(); ++c) {
    const RowColumn& column = columns[c];
    std::string_view value = values[c];
    std::string_view plain;
    const bool simple = column.headers.size() == 1 && column.headers.front().path.empty();
    if (simple && PlainCellText(value, plain)) {
      if (!first_header) csv += ',';
      first_header = false;
      AppendCsvField(plain, csv);
    } else if (!simple && !value.empty() && value.front() != 'n' && flat_object(column, value)) {
      for (const auto& header : column.headers) {
        if (!first_header) csv += ',';
        first_header = false;
        plain = {};
        for (const auto& [key, member] : members) {
          if (key == header.path.front()) PlainCellText(member, plain);  // the last one wins
        }
        AppendCsvField(plain, csv);
      }
    } else {
      json parsed;
      if (!value.empty()) {
        parsed = json::parse(value, nullptr, /*allow_exceptions=*/false);
        if (parsed.is_discarded()) {
          parsed = nullptr;
          value = {};
        }
      }
      for (const auto& header : column.headers) {
        if (!first_header) csv += ',';
        first_header = false;
        AppendCsvField(CellText(CellAt(&parsed, header.path)), csv);
      }
    }
    if (c > 0) data += ',';
    data += value.empty() ? std::string_view("null") : value;
  }
  data += ']';
}

std::string CsvLine(const json& row, const std::vector<Header>& headers) {
  std::string line;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (i) line += ',';
    line += CsvField(CellText(Cell(row, headers[i])));
  }
  return line;
}

Status WriteCsvLines(const Sheet& sheet, const EachLine& lines, const std::string& path) {
  constexpr std::size_t kBuffer = 1 << 20;
  File out(std::fopen(path.c_str(), "wb"));
  if (!out) return WriteFailed(path);
  std::string text;
  text.reserve(kBuffer + 64 * 1024);
  for (std::size_t i = 0; i < sheet.headers.size(); ++i) {
    text += (i ? "," : "") + CsvField(sheet.headers[i].name);
  }
  text += "\r\n";
  auto flush = [&]() -> Status {
    if (std::fwrite(text.data(), 1, text.size(), out.get()) != text.size()) {
      return WriteFailed(path);
    }
    text.clear();
    return {};
  };
  auto taken = lines([&](std::string_view line) -> Status {
    text += line;
    text += "\r\n";
    return text.size() >= kBuffer ? flush() : Status{};
  });
  if (!taken) return taken;
  if (auto flushed = flush(); !flushed) return flushed;
  if (std::fflush(out.get()) != 0) return WriteFailed(path);
  return {};
}

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string GroupName(std::string_view prefix, std::string_view text) {
  std::string out(prefix);
  bool underscore = !out.empty() && out.back() == '_';
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      out += static_cast<char>(std::tolower(u));
      underscore = false;
    } else if (!underscore) {
      out += '_';
      underscore = true;
    }
  }
  while (out.size() > prefix.size() && out.back() == '_') out.pop_back();
  return out;
}

Status WriteExport(Format format, const Sheet& sheet, const NextRows& next,
                   const std::string& path) {
  if (format == Format::kXlsx) return WriteXlsx(sheet, next, path);
  if (format == Format::kPdf) {
    PdfWriter writer(sheet, path);
    return writer.Write(next);
  }
  File out(std::fopen(path.c_str(), "wb"));
  if (!out) return WriteFailed(path);
  Status written;
  switch (format) {
    case Format::kCsv:
      written = WriteCsv(sheet, next, out.get());
      break;
    case Format::kJson:
      written = WriteJson(next, out.get());
      break;
    default:
      written = WriteInventory(sheet, next, out.get());
      break;
  }
  if (!written) return written;
  if (std::fflush(out.get()) != 0) return WriteFailed(path);
  return {};
}

}  // namespace maestro::reports

#if defined(__SANITIZE_ADDRESS__)
// Fontconfig (under cairo's text) keeps its font configuration for the life of the process and
// never frees it; LeakSanitizer would report it at every exit of a process that wrote a PDF. Weak,
// as analytics/drawing.cpp says the same for Graphviz's text: one of them is kept.
extern "C" __attribute__((weak)) const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n";
}
#endif
