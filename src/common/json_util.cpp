#include "common/json_util.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace maestro {

Result<nlohmann::json> ParseJson(std::string_view text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return Fail(ErrorCode::kBadRequest, fmt::format("malformed JSON at byte {}: {}", e.byte, [&] {
                  // nlohmann's message repeats the position; keep the part after the last ": ".
                  std::string_view what = e.what();
                  auto pos = what.rfind(": ");
                  return std::string(pos == std::string_view::npos ? what : what.substr(pos + 2));
                }()));
  }
}

std::string DumpJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace maestro
