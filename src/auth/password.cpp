#include "auth/password.h"

#include <fmt/format.h>
#include <sodium.h>

#include "common/ids.h"

namespace maestro::auth {

PasswordCost PasswordCost::Interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordCost PasswordCost::Minimum() {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

Status CheckPasswordRules(std::string_view password, std::string_view field) {
  std::size_t characters = 0;
  for (unsigned char c : password) characters += (c & 0xC0) != 0x80;  // UTF-8 code points
  if (characters < 8) {
    return Fail(ErrorCode::kValidationFailed, "the password is too short",
                {{std::string(field), "must be at least 8 characters"}});
  }
  if (password.size() > 1024) {
    return Fail(ErrorCode::kValidationFailed, "the password is too long",
                {{std::string(field), "must be at most 1024 bytes"}});
  }
  return {};
}

PasswordHasher::PasswordHasher(PasswordCost cost) : cost_(cost) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

Result<std::string> PasswordHasher::Hash(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost_.opslimit, cost_.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Fail(ErrorCode::kInternal, "out of memory while hashing a password");
  }
  return std::string(out);
}

bool PasswordHasher::Verify(std::string_view hash, std::string_view password) const {
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  char stored[crypto_pwhash_STRBYTES] = {};
  hash.copy(stored, hash.size());
  return crypto_pwhash_str_verify(stored, password.data(), password.size()) == 0;
}

void PasswordHasher::VerifyNothing(std::string_view password) const {
  std::call_once(decoy_once_, [this] { decoy_ = Hash(RandomHex(16)).value_or(""); });
  (void)Verify(decoy_, password);
}

}  // namespace maestro::auth
