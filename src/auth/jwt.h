// JSON Web Tokens, HS256 only (HMAC-SHA-256 from libsodium). Verification accepts exactly the
// header this code writes — no "alg" negotiation, so "none" and RS/HS confusion cannot happen —
// and requires an "exp" in the future. Thread-safe (pure functions).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/error.h"

namespace maestro::auth {

// header.payload.signature for the given claims.
std::string SignJwt(const nlohmann::json& claims, std::string_view secret);

// The claims of a valid token. kUnauthorized with a reason (malformed, bad signature, expired,
// not yet valid) otherwise.
Result<nlohmann::json> VerifyJwt(std::string_view token, std::string_view secret, TimePoint now);

// Unpadded base64url, as JWTs use.
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace maestro::auth
