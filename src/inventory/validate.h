// Validation of record documents against their kind: types, required fields, enums, lengths,
// nested objects and lists, and unknown fields — every problem, with its dotted path.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"
#include "inventory/registry.h"

namespace maestro::inventory {

// `doc` holds the kind's own fields only (common fields removed). Null values must already have
// been dropped (merge-patch semantics). kValidationFailed listing every problem.
Status ValidateDocument(const EntitySpec& spec, const nlohmann::json& doc);

// Removes members whose value is null, recursively through objects (RFC 7396 leaves none).
void DropNulls(nlohmann::json& doc);

bool IsIpAddress(std::string_view text);
// RFC 3339 date-time ("2026-11-24T02:16:32Z", fractions and offsets allowed).
bool IsRfc3339(std::string_view text);

}  // namespace maestro::inventory
