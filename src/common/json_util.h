// JSON parsing with errors as values; the one place third-party JSON exceptions are turned into
// Error. Headers elsewhere include <nlohmann/json_fwd.hpp> only.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "common/error.h"

namespace maestro {

// Parses text as one JSON value. Malformed text -> kBadRequest naming the byte offset.
Result<nlohmann::json> ParseJson(std::string_view text);

// The value as the API writes it: compact, invalid UTF-8 replaced (it cannot throw).
std::string DumpJson(const nlohmann::json& value);

}  // namespace maestro
