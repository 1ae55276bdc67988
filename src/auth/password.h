// Password hashing with argon2id (libsodium). Hashes carry their own parameters, so a change of
// cost applies to new hashes and old ones still verify. Thread-safe.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

#include "common/error.h"

namespace maestro::auth {

struct PasswordCost {
  unsigned long long opslimit;
  std::size_t memlimit;
  // libsodium's interactive limits (~0.1 s, 64 MiB): the production default.
  static PasswordCost Interactive();
  // The smallest cost libsodium allows: for tests only, where thousands of hashes are made.
  static PasswordCost Minimum();
};

// Length rules: at least 8 characters, at most 1024 bytes. kValidationFailed naming `field`.
Status CheckPasswordRules(std::string_view password, std::string_view field);

class PasswordHasher {
 public:
  explicit PasswordHasher(PasswordCost cost);
  // An argon2id hash string ("$argon2id$v=19$m=…"). kInternal only when memory runs out.
  Result<std::string> Hash(std::string_view password) const;
  bool Verify(std::string_view hash, std::string_view password) const;
  // Spends the time of one Verify() without a real hash, so that an unknown e-mail takes as long
  // to refuse as a wrong password.
  void VerifyNothing(std::string_view password) const;

 private:
  PasswordCost cost_;
  // A hash of a random password, made on first use (not at start: it takes as long as a login).
  mutable std::once_flag decoy_once_;
  mutable std::string decoy_;
};

}  // namespace maestro::auth
