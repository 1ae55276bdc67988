// The OpenAPI 3 document of the API, generated from the route table (and, later, from the entity
// registry through the same function) — never a hand-kept file.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "http/router.h"

namespace maestro::http {

nlohmann::json OpenApiDocument(const Router& router, std::string_view version);

}  // namespace maestro::http
