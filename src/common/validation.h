// FieldCheck: reads the fields of a JSON request body against simple rules and collects every
// problem, so one answer names them all (422 with details). Unknown fields are problems too:
// typos are caught, not dropped. Not thread-safe; one per request.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace maestro {

struct TextRule {
  std::size_t min = 0;  // characters (UTF-8 code points)
  std::size_t max = 255;
  bool multiline = false;  // allows tab and newline; other control characters are never allowed
};

class FieldCheck {
 public:
  // REQUIRES: body outlives the FieldCheck.
  explicit FieldCheck(const nlohmann::json& body);

  // The field's text, or nullopt when absent, null, or wrong (then a problem is recorded).
  std::optional<std::string> Text(const std::string& name, TextRule rule = {});
  // Like Text() but a missing field is a problem ("is required").
  std::optional<std::string> RequiredText(const std::string& name, TextRule rule = {});
  std::optional<std::int64_t> Integer(const std::string& name, std::int64_t min, std::int64_t max);
  std::optional<bool> Boolean(const std::string& name);
  // Records a problem found by the caller.
  void Problem(const std::string& field, std::string problem);
  // Marks a field as known without reading it.
  void Allow(const std::string& name) { seen_.insert(name); }
  bool Has(const std::string& name) const;

  // OK when no problem was found; else kValidationFailed with every problem, unknown fields
  // included. `what` names the body in the message ("user", "team").
  Status Finish(std::string_view what);

 private:
  const nlohmann::json& body_;
  std::set<std::string> seen_;
  std::vector<FieldError> problems_;
};

// Problems of a text value under a rule, or empty when it fits.
std::string TextProblem(std::string_view text, TextRule rule);
// A plausible e-mail address: one '@', a dot in the domain, no spaces, at most 254 bytes.
bool IsEmailAddress(std::string_view text);
// ASCII lower case (e-mail keys, identifiers).
std::string Lower(std::string_view text);
// A whole number from min to max written exactly as `text` (no spaces, no extra characters);
// nullopt otherwise.
std::optional<std::int64_t> ParseWholeNumber(std::string_view text, std::int64_t min,
                                             std::int64_t max);
// `text` for a SQL LIKE pattern with ESCAPE '\': %, _ and \ match only themselves.
std::string EscapeLike(std::string_view text);
// `text` for HTML text or a quoted attribute value: &, <, >, " and ' as character references.
std::string HtmlEscape(std::string_view text);

}  // namespace maestro
