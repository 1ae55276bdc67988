// Accounts: users, login, tokens, password reset and avatars — the identity half of the auth
// module (teams are in teams.h). Takes and returns JSON documents shaped as in API.md; validates
// every body field; never returns or logs a password, hash or token other than the one being
// created. Thread-safe: state is in the Store, rate limiters lock themselves.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/password.h"
#include "auth/principal.h"
#include "auth/rate_limiter.h"
#include "blobs/blob_store.h"
#include "common/clock.h"
#include "common/error.h"
#include "notify/mailer.h"
#include "store/store.h"

namespace maestro::auth {

struct AccountSettings {
  std::string jwt_secret;            // MAESTRO_SECRETJWT
  std::chrono::hours token_ttl{24};  // MAESTRO_TOKEN_TTL_HOURS
  bool registration_open = true;     // MAESTRO_REGISTRATION
  std::string public_url;            // MAESTRO_PUBLIC_URL, for links in mails
  std::vector<std::string>
      allowed_origins;  // MAESTRO_CORS_ORIGINS: other UIs that may ask for mails
  PasswordCost password_cost = PasswordCost::Interactive();
};

class Accounts {
 public:
  Accounts(store::Store& store, const Clock& clock, notify::Mailer& mailer, blobs::BlobStore& blobs,
           AccountSettings settings);

  // POST /api/users. Open registration, or an instance admin when closed. The first user becomes
  // instance admin. 409 for a used e-mail.
  Result<nlohmann::json> Register(const nlohmann::json& body, const Principal* caller);
  // POST /api/auth/login -> {token, expires_at, user}. 401 for a wrong pair, 429 (with
  // retry_after) when the IP or e-mail failed too often.
  Result<nlohmann::json> Login(const nlohmann::json& body, std::string_view remote);
  // The caller of an "Authorization: Bearer|JWT <token>" header (login JWT or mst_ API token).
  Result<Principal> Authenticate(std::string_view authorization);
  // The user as a caller, for work done on their behalf (background jobs). kNotFound when the user
  // is gone.
  Result<Principal> PrincipalOf(const std::string& user_id);

  Result<nlohmann::json> Me(const Principal& caller);
  Result<nlohmann::json> UpdateMe(const Principal& caller, const nlohmann::json& patch);
  Status DeleteMe(const Principal& caller);
  Status ChangePassword(const Principal& caller, const nlohmann::json& body);

  Result<nlohmann::json> ListTokens(const Principal& caller);
  Result<nlohmann::json> CreateToken(const Principal& caller, const nlohmann::json& body);
  Status RevokeToken(const Principal& caller, const std::string& id);

  // GET /api/users?q= : {items: [{id, name, email, avatar}]}, at most 20.
  Result<nlohmann::json> Directory(const Principal& caller, std::string_view query);

  // POST /api/auth/forgot. Answers the same whether or not the account exists.
  Status Forgot(const nlohmann::json& body, std::string_view remote);
  // POST /api/auth/reset. Single use; ends every login session of the user.
  Status Reset(const nlohmann::json& body);

  // PUT /api/me/avatar with the file's bytes -> {avatar: url}.
  Result<nlohmann::json> SetAvatar(const Principal& caller, std::string_view bytes);
  // GET /api/avatars/<name> (user and team avatars).
  Result<blobs::Blob> Avatar(std::string_view name);

 private:
  Result<nlohmann::json> UserById(store::Session* session, const std::string& id);
  Result<Principal> AuthenticateApiToken(const std::string& token);
  Result<Principal> AuthenticateJwt(const std::string& token);
  std::string Now() const;

  store::Store& store_;
  const Clock& clock_;
  notify::Mailer& mailer_;
  blobs::BlobStore& blobs_;
  const AccountSettings settings_;
  const PasswordHasher hasher_;
  RateLimiter login_pair_;   // failures per IP + e-mail
  RateLimiter login_ip_;     // failures per IP
  RateLimiter login_email_;  // failures per e-mail
  RateLimiter forgot_ip_;
  RateLimiter forgot_email_;

  // API tokens checked lately, each under the store's change mark it was read with, when the store
  // keeps one (PostgreSQL: its triggers notify changes to tokens and users too). A token revoked
  // or a user changed moves the mark, and the token is read again.
  struct KnownToken {
    std::string mark;
    Principal principal;
    std::string id, expires_at, last_used_at;
  };
  std::mutex known_mutex_;
  std::unordered_map<std::string, KnownToken> known_tokens_;  // by the token's hash
};

// Stores an uploaded image (PNG, JPEG, GIF or WebP by content, at most 2 MiB) as a new avatar
// blob; returns its name (the part after /api/avatars/). Shared by users and teams.
Result<std::string> StoreAvatar(blobs::BlobStore& blobs, std::string_view bytes);
// "/api/avatars/<name>" or null for no avatar.
nlohmann::json AvatarUrl(const store::Value& name);

}  // namespace maestro::auth
