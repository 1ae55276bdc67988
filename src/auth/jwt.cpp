#include "auth/jwt.h"

#include <sodium.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "common/json_util.h"

namespace maestro::auth {
namespace {

// Exactly what SignJwt writes; compared byte for byte.
constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

std::string Mac(std::string_view signing_input, std::string_view secret) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(
      &state, reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
}

tl::unexpected<Error> Unauthorized(std::string_view why) {
  return Fail(ErrorCode::kUnauthorized, "invalid token: " + std::string(why));
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  const std::size_t size =
      sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  std::string out(size, '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.pop_back();  // the terminating NUL
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

std::string SignJwt(const nlohmann::json& claims, std::string_view secret) {
  const std::string input = Base64UrlEncode(kHeader) + "." + Base64UrlEncode(claims.dump());
  return input + "." + Base64UrlEncode(Mac(input, secret));
}

Result<nlohmann::json> VerifyJwt(std::string_view token, std::string_view secret, TimePoint now) {
  if (token.size() > 8192) return Unauthorized("too long");
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return Unauthorized("malformed");
  }
  auto header = Base64UrlDecode(token.substr(0, first));
  if (!header || *header != kHeader) return Unauthorized("unsupported header");
  auto signature = Base64UrlDecode(token.substr(second + 1));
  const std::string expected = Mac(token.substr(0, second), secret);
  if (!signature || signature->size() != expected.size() ||
      crypto_verify_32(reinterpret_cast<const unsigned char*>(signature->data()),
                       reinterpret_cast<const unsigned char*>(expected.data())) != 0) {
    return Unauthorized("bad signature");
  }
  auto payload = Base64UrlDecode(token.substr(first + 1, second - first - 1));
  if (!payload) return Unauthorized("malformed payload");
  auto claims = ParseJson(*payload);
  if (!claims || !claims->is_object()) return Unauthorized("malformed payload");
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  auto exp = claims->find("exp");
  if (exp == claims->end() || !exp->is_number_integer()) return Unauthorized("no expiry");
  if (exp->get<std::int64_t>() <= seconds) return Unauthorized("expired");
  if (auto nbf = claims->find("nbf"); nbf != claims->end()) {
    if (!nbf->is_number_integer() || nbf->get<std::int64_t>() > seconds) {
      return Unauthorized("not yet valid");
    }
  }
  return std::move(*claims);
}

}  // namespace maestro::auth
