#include "inventory/validate.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "common/ids.h"
#include "common/validation.h"

namespace maestro::inventory {
namespace {

using nlohmann::json;

// Free JSON fields are stored, diffed and rendered by recursive code: keep them shallow.
constexpr int kMaxJsonDepth = 20;

bool TooDeep(const json& value, int budget) {
  if (!value.is_structured()) return false;
  if (budget == 0) return true;
  for (const auto& item : value) {
    if (TooDeep(item, budget - 1)) return true;
  }
  return false;
}

std::string Join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

void CheckValue(const FieldSpec& field, FieldType type, const json& value, const std::string& path,
                std::vector<FieldError>& problems);

void CheckObject(const std::vector<FieldSpec>& fields, bool open, const json& value,
                 const std::string& path, std::string_view owner,
                 std::vector<FieldError>& problems) {
  if (!value.is_object()) {
    problems.push_back({path, "must be an object"});
    return;
  }
  for (const auto& [key, item] : value.items()) {
    const FieldSpec* field = nullptr;
    for (const auto& candidate : fields) {
      if (candidate.name == key) field = &candidate;
    }
    if (field == nullptr) {
      if (open && (item.is_string() || item.is_number() || item.is_boolean())) continue;
      problems.push_back({Join(path, key), fmt::format("is not a field of {}", owner)});
      continue;
    }
    CheckValue(*field, field->type, item, Join(path, key), problems);
  }
  for (const auto& field : fields) {
    if (field.required && !value.contains(field.name)) {
      problems.push_back({Join(path, field.name), "is required"});
    }
  }
}

void CheckValue(const FieldSpec& field, FieldType type, const json& value, const std::string& path,
                std::vector<FieldError>& problems) {
  auto problem = [&](std::string text) { problems.push_back({path, std::move(text)}); };
  switch (type) {
    case FieldType::kString:
    case FieldType::kText: {
      if (!value.is_string()) return problem("must be a string");
      auto text = TextProblem(value.get<std::string>(), {.min = field.required ? 1u : 0u,
                                                         .max = field.max,
                                                         .multiline = type == FieldType::kText});
      if (!text.empty()) problem(std::move(text));
      return;
    }
    case FieldType::kInt:
      if (!value.is_number_integer()) problem("must be a whole number");
      return;
    case FieldType::kNumber:
      if (!value.is_number()) problem("must be a number");
      return;
    case FieldType::kBool:
      if (!value.is_boolean()) problem("must be true or false");
      return;
    case FieldType::kTime:
      if (!value.is_string() || !IsRfc3339(value.get<std::string>())) {
        problem("must be an RFC 3339 time such as 2026-01-31T12:00:00Z");
      }
      return;
    case FieldType::kIp:
      if (!value.is_string() || !IsIpAddress(value.get<std::string>())) {
        problem("must be an IPv4 or IPv6 address");
      }
      return;
    case FieldType::kEnum: {
      if (!value.is_string() || std::find(field.values.begin(), field.values.end(),
                                          value.get<std::string>()) == field.values.end()) {
        std::string allowed;
        for (const auto& v : field.values) allowed += (allowed.empty() ? "" : ", ") + v;
        problem("must be one of " + allowed);
      }
      return;
    }
    case FieldType::kObject:
      CheckObject(field.fields, field.open, value, path, field.name, problems);
      return;
    case FieldType::kList: {
      if (!value.is_array()) return problem("must be a list");
      if (value.size() > field.max)
        return problem(fmt::format("must have at most {} items", field.max));
      for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string item_path = fmt::format("{}.{}", path, i);
        if (field.item == FieldType::kObject) {
          CheckObject(field.fields, false, value[i], item_path, field.name, problems);
        } else {
          // `max` of a list counts its items; each text item may have the usual length.
          FieldSpec item = field;
          item.max = 255;
          CheckValue(item, field.item, value[i], item_path, problems);
        }
      }
      return;
    }
    case FieldType::kRef:
      if (!value.is_string() || !IsId(value.get<std::string>())) {
        problem(fmt::format("must be the id of a record of {}", field.ref_kind));
      }
      return;
    case FieldType::kJson:
      if (!value.is_object()) return problem("must be a JSON object");
      if (TooDeep(value, kMaxJsonDepth)) {
        problem(fmt::format("nests more than {} levels deep", kMaxJsonDepth));
      }
      return;
  }
}

}  // namespace

bool IsIpAddress(std::string_view text) {
  if (text.empty() || text.size() > 45) return false;
  const std::string copy(text);
  unsigned char buffer[16];
  return inet_pton(AF_INET, copy.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, copy.c_str(), buffer) == 1;
}

bool IsRfc3339(std::string_view text) {
  static const std::regex kPattern(
      R"(^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$)");
  return text.size() <= 40 && std::regex_match(text.begin(), text.end(), kPattern);
}

void DropNulls(json& doc) {
  if (!doc.is_object()) return;
  for (auto it = doc.begin(); it != doc.end();) {
    if (it->is_null()) {
      it = doc.erase(it);
    } else {
      DropNulls(*it);
      ++it;
    }
  }
}

Status ValidateDocument(const EntitySpec& spec, const json& doc) {
  std::vector<FieldError> problems;
  CheckObject(spec.fields, false, doc, "", spec.kind, problems);
  if (problems.empty()) return {};
  std::string message = fmt::format("the {} record has {} problem{}:", spec.kind, problems.size(),
                                    problems.size() == 1 ? "" : "s");
  for (const auto& p : problems) message += fmt::format(" {} {};", p.field, p.problem);
  message.pop_back();
  return Fail(ErrorCode::kValidationFailed, std::move(message), std::move(problems));
}

}  // namespace maestro::inventory
