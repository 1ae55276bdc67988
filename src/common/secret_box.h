// SecretBox: authenticated encryption of small secrets kept at rest (connection credentials), with
// libsodium's crypto_secretbox (XSalsa20-Poly1305) under the 32-byte MAESTRO_SECRET_KEY. Each seal
// has a random nonce, so sealing the same text twice gives different results. Thread-safe.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "common/error.h"

namespace maestro {

class SecretBox {
 public:
  // kBadRequest unless `key_hex` is 64 hex digits.
  static Result<SecretBox> FromHex(std::string_view key_hex);

  // "v1." followed by base64 (URL-safe, no padding) of nonce, tag and cipher text.
  std::string Seal(std::string_view plaintext) const;
  // kInternal when the text was not sealed with this key or was changed: it names the likely
  // cause (another MAESTRO_SECRET_KEY) without revealing anything of the secret.
  Result<std::string> Open(std::string_view sealed) const;

 private:
  SecretBox() = default;
  std::array<unsigned char, 32> key_{};
};

}  // namespace maestro
