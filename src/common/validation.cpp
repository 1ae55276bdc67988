#include "common/validation.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

namespace maestro {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::int64_t> ParseWholeNumber(std::string_view text, std::int64_t min,
                                             std::int64_t max) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

std::string EscapeLike(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string TextProblem(std::string_view text, TextRule rule) {
  std::size_t characters = 0;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      if (!(rule.multiline && (c == '\n' || c == '\t' || c == '\r'))) {
        return "must not contain control characters";
      }
    }
    characters += (c & 0xC0) != 0x80;
  }
  if (characters < rule.min) {
    return rule.min == 1 ? "must not be empty"
                         : fmt::format("must be at least {} characters", rule.min);
  }
  if (characters > rule.max) return fmt::format("must be at most {} characters", rule.max);
  return {};
}

bool IsEmailAddress(std::string_view text) {
  if (text.size() < 3 || text.size() > 254) return false;
  const auto at = text.find('@');
  if (at == 0 || at == std::string_view::npos || text.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view domain = text.substr(at + 1);
  const auto dot = domain.find('.');
  if (dot == 0 || dot == std::string_view::npos || domain.back() == '.') return false;
  for (unsigned char c : text) {
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',' || c == ';') return false;
  }
  return true;
}

FieldCheck::FieldCheck(const nlohmann::json& body) : body_(body) {
  if (!body_.is_object()) problems_.push_back({"", "the body must be a JSON object"});
}

bool FieldCheck::Has(const std::string& name) const {
  return body_.is_object() && body_.contains(name) && !body_[name].is_null();
}

std::optional<std::string> FieldCheck::Text(const std::string& name, TextRule rule) {
  seen_.insert(name);
  if (!Has(name)) return std::nullopt;
  const auto& value = body_[name];
  if (!value.is_string()) {
    Problem(name, "must be a string");
    return std::nullopt;
  }
  std::string text = value.get<std::string>();
  if (auto problem = TextProblem(text, rule); !problem.empty()) {
    Problem(name, std::move(problem));
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> FieldCheck::RequiredText(const std::string& name, TextRule rule) {
  if (!Has(name)) {
    seen_.insert(name);
    Problem(name, "is required");
    return std::nullopt;
  }
  return Text(name, rule);
}

std::optional<std::int64_t> FieldCheck::Integer(const std::string& name, std::int64_t min,
                                                std::int64_t max) {
  seen_.insert(name);
  if (!Has(name)) return std::nullopt;
  const auto& value = body_[name];
  if (!value.is_number_integer()) {
    Problem(name, "must be a whole number");
    return std::nullopt;
  }
  const auto number = value.get<std::int64_t>();
  if (number < min || number > max) {
    Problem(name, fmt::format("must be from {} to {}", min, max));
    return std::nullopt;
  }
  return number;
}

std::optional<bool> FieldCheck::Boolean(const std::string& name) {
  seen_.insert(name);
  if (!Has(name)) return std::nullopt;
  if (!body_[name].is_boolean()) {
    Problem(name, "must be true or false");
    return std::nullopt;
  }
  return body_[name].get<bool>();
}

void FieldCheck::Problem(const std::string& field, std::string problem) {
  problems_.push_back({field, std::move(problem)});
}

Status FieldCheck::Finish(std::string_view what) {
  if (body_.is_object()) {
    for (const auto& [key, value] : body_.items()) {
      if (!seen_.contains(key))
        problems_.push_back({key, "is not a field of " + std::string(what)});
    }
  }
  if (problems_.empty()) return {};
  std::string message = fmt::format("the {} has {} problem{}:", what, problems_.size(),
                                    problems_.size() == 1 ? "" : "s");
  for (const auto& p : problems_) {
    message += fmt::format(" {} {};", p.field.empty() ? "body" : p.field, p.problem);
  }
  message.pop_back();
  return Fail(ErrorCode::kValidationFailed, std::move(message), std::move(problems_));
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace maestro
