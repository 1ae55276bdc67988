#include "store/value.h"

#include <charconv>
#include <stdexcept>

namespace maestro::store {

std::int64_t AsInt(const Value& value, std::int64_t fallback) {
  if (auto* i = std::get_if<std::int64_t>(&value)) return *i;
  if (auto* b = std::get_if<bool>(&value)) return *b ? 1 : 0;
  if (auto* d = std::get_if<double>(&value)) return static_cast<std::int64_t>(*d);
  if (auto* s = std::get_if<std::string>(&value)) {
    std::int64_t out = fallback;
    std::from_chars(s->data(), s->data() + s->size(), out);
    return out;
  }
  return fallback;
}

double AsDouble(const Value& value, double fallback) {
  if (auto* d = std::get_if<double>(&value)) return *d;
  if (auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  if (auto* s = std::get_if<std::string>(&value)) {
    double out = fallback;
    std::from_chars(s->data(), s->data() + s->size(), out);
    return out;
  }
  return fallback;
}

bool AsBool(const Value& value, bool fallback) {
  if (auto* b = std::get_if<bool>(&value)) return *b;
  if (auto* i = std::get_if<std::int64_t>(&value)) return *i != 0;
  if (auto* s = std::get_if<std::string>(&value)) return *s == "t" || *s == "true" || *s == "1";
  return fallback;
}

std::string AsString(const Value& value, std::string_view fallback) {
  if (auto* s = std::get_if<std::string>(&value)) return *s;
  if (auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&value)) return std::to_string(*d);
  if (auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  return std::string(fallback);
}

std::size_t Rows::Column(std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  throw std::out_of_range("no column " + std::string(name));  // programmer error
}

}  // namespace maestro::store
