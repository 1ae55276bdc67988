// Values bound to and read from SQL statements, the same on every backend.
// Booleans read back from SQLite are integers; use AsBool() rather than std::get<bool>.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace maestro::store {

using Value = std::variant<std::nullptr_t, bool, std::int64_t, double, std::string>;
using Params = std::vector<Value>;

// Inline: called for every value of large results.
inline bool IsNull(const Value& value) { return std::holds_alternative<std::nullptr_t>(value); }
// Conversions that accept the representations both backends produce; a null gives the fallback.
std::int64_t AsInt(const Value& value, std::int64_t fallback = 0);
double AsDouble(const Value& value, double fallback = 0);
bool AsBool(const Value& value, bool fallback = false);
std::string AsString(const Value& value, std::string_view fallback = {});

// The result of a query: column names and rows of values.
struct Rows {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;

  std::size_t size() const { return rows.size(); }
  bool empty() const { return rows.empty(); }
  // Index of a column by name; REQUIRES: the column exists.
  std::size_t Column(std::string_view name) const;
  const Value& At(std::size_t row, std::string_view column) const {
    return rows.at(row).at(Column(column));
  }
};

}  // namespace maestro::store
