#include "auth/accounts.h"

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "auth/jwt.h"
#include "blobs/image_type.h"
#include "common/ids.h"
#include "common/validation.h"

namespace maestro::auth {
namespace {

using nlohmann::json;
using store::AsBool;
using store::AsInt;
using store::AsString;
using store::IsNull;

constexpr std::string_view kApiTokenPrefix = "mst_";
constexpr std::size_t kMaxAvatarBytes = 2 * 1024 * 1024;
// Any fixed number: serialises "is this the first user?" on PostgreSQL.
constexpr std::int64_t kRegistrationLockKey = 0x75736572;  // "user"

constexpr const char* kProfileFields[] = {"fullname", "company", "job", "phone", "country", "city"};

const char kUserColumns[] =
    "id, email, name, is_admin, profile, avatar, created_at, updated_at FROM users";

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::int64_t UnixSeconds(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

json UserJson(const store::Rows& rows, std::size_t row) {
  json user = {
      {"id", AsString(rows.At(row, "id"))},
      {"name", AsString(rows.At(row, "name"))},
      {"email", AsString(rows.At(row, "email"))},
      {"is_admin", AsBool(rows.At(row, "is_admin"))},
      {"avatar", AvatarUrl(rows.At(row, "avatar"))},
      {"created_at", AsString(rows.At(row, "created_at"))},
      {"updated_at", AsString(rows.At(row, "updated_at"))},
  };
  const json profile = json::parse(AsString(rows.At(row, "profile"), "{}"), nullptr, false);
  for (const char* field : kProfileFields) {
    user[field] = profile.is_object() && profile.contains(field) ? profile[field] : json(nullptr);
  }
  return user;
}

tl::unexpected<Error> RateLimited(std::chrono::seconds wait, std::string_view what) {
  Error error{ErrorCode::kRateLimited,
              fmt::format("too many {}; try again in {} s", what, wait.count())};
  error.retry_after_s = static_cast<int>(wait.count());
  return tl::unexpected<Error>(std::move(error));
}

tl::unexpected<Error> NoSuchUser() {
  return Fail(ErrorCode::kUnauthorized, "the account of this token no longer exists");
}

// Reads the profile fields of a body into `profile` (null removes a field).
void ReadProfile(FieldCheck& check, const json& body, json& profile) {
  for (const char* field : kProfileFields) {
    if (body.is_object() && body.contains(field) && body[field].is_null()) {
      check.Allow(field);
      profile.erase(field);
    } else if (auto value = check.Text(field, {.max = 120})) {
      profile[field] = *value;
    }
  }
}

}  // namespace

json AvatarUrl(const store::Value& name) {
  if (IsNull(name) || AsString(name).empty()) return nullptr;
  return "/api/avatars/" + AsString(name);
}

Result<std::string> StoreAvatar(blobs::BlobStore& blobs, std::string_view bytes) {
  if (bytes.size() > kMaxAvatarBytes) {
    return Fail(ErrorCode::kPayloadTooLarge, "the image is larger than 2 MiB",
                {{"file", "must be at most 2 MiB"}});
  }
  const auto type = blobs::DetectImage(bytes);
  if (!type) {
    return Fail(ErrorCode::kValidationFailed, "the file is not a PNG, JPEG, GIF or WebP image",
                {{"file", "must be a PNG, JPEG, GIF or WebP image"}});
  }
  const std::string name = Lower(NewId()) + "." + std::string(type->extension);
  if (auto stored = blobs.Put("avatars/" + name, bytes, type->mime); !stored) {
    return Fail(stored.error());
  }
  return name;
}

Accounts::Accounts(store::Store& store, const Clock& clock, notify::Mailer& mailer,
                   blobs::BlobStore& blobs, AccountSettings settings)
    : store_(store),
      clock_(clock),
      mailer_(mailer),
      blobs_(blobs),
      settings_(std::move(settings)),
      hasher_(settings_.password_cost),
      login_pair_(clock, 10, std::chrono::minutes(1)),
      login_ip_(clock, 50, std::chrono::minutes(1)),
      login_email_(clock, 20, std::chrono::minutes(1)),
      forgot_ip_(clock, 10, std::chrono::minutes(15)),
      forgot_email_(clock, 3, std::chrono::minutes(15)) {}

std::string Accounts::Now() const { return FormatTime(clock_.Now()); }

Result<json> Accounts::UserById(store::Session* session, const std::string& id) {
  const std::string sql = std::string("SELECT ") + kUserColumns + " WHERE id = ?";
  auto rows = session ? session->Query(sql, {id}) : store_.Query(sql, {id});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(ErrorCode::kNotFound, "no such user");
  return UserJson(*rows, 0);
}

Result<json> Accounts::Register(const json& body, const Principal* caller) {
  if (!settings_.registration_open && (caller == nullptr || !caller->is_admin)) {
    return Fail(ErrorCode::kForbidden,
                "registration is closed on this server: ask an administrator for an account");
  }
  FieldCheck check(body);
  auto name = check.RequiredText("name", {.min = 3, .max = 60});
  auto email = check.RequiredText("email", {.min = 3, .max = 254});
  auto password = check.RequiredText("password", {.min = 0, .max = 4096});
  if (email && !IsEmailAddress(*email)) check.Problem("email", "is not an e-mail address");
  if (password) {
    if (auto rules = CheckPasswordRules(*password, "password"); !rules) {
      check.Problem("password", rules.error().fields.at(0).problem);
    }
  }
  json profile = json::object();
  ReadProfile(check, body, profile);
  auto is_admin = caller && caller->is_admin ? check.Boolean("is_admin") : std::nullopt;
  if (auto ok = check.Finish("user"); !ok) return Fail(ok.error());

  auto hash = hasher_.Hash(*password);
  if (!hash) return Fail(hash.error());
  const std::string id = NewId();
  const std::string now = Now();
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    if (auto locked = store::LockTransaction(session, kRegistrationLockKey); !locked) return locked;
    auto count = session.Query("SELECT COUNT(*) AS n FROM users", {});
    if (!count) return Fail(count.error());
    const bool first = AsInt(count->At(0, "n")) == 0;
    auto inserted = session.Exec(
        "INSERT INTO users (id, email, email_key, name, password_hash, is_admin, profile, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, " +
            std::string(store::JsonParam(session.dialect())) + ", ?, ?)",
        {id, *email, Lower(*email), *name, *hash, first || is_admin.value_or(false), profile.dump(),
         now, now});
    if (!inserted) {
      if (inserted.error().code == ErrorCode::kConflict) {
        return Fail(ErrorCode::kConflict, "an account with this e-mail already exists",
                    {{"email", "is already used"}});
      }
      return Fail(inserted.error());
    }
    return {};
  });
  if (!done) return Fail(done.error());
  spdlog::info("user {} registered", id);
  return UserById(nullptr, id);
}

Result<json> Accounts::Login(const json& body, std::string_view remote) {
  FieldCheck check(body);
  auto email = check.RequiredText("email", {.min = 1, .max = 254});
  auto password = check.RequiredText("password", {.min = 1, .max = 4096});
  if (auto ok = check.Finish("login"); !ok) return Fail(ok.error());

  const std::string email_key = Lower(*email);
  const std::string ip(remote);
  const std::string pair = ip + "|" + email_key;
  for (RateLimiter* limiter : {&login_pair_, &login_ip_, &login_email_}) {
    const std::string& key = limiter == &login_pair_ ? pair
                             : limiter == &login_ip_ ? ip
                                                     : email_key;
    if (auto wait = limiter->Check(key)) return RateLimited(*wait, "failed sign-ins");
  }

  auto rows = store_.Query(
      std::string("SELECT password_hash, sessions_after, ") + kUserColumns + " WHERE email_key = ?",
      {email_key});
  if (!rows) return Fail(rows.error());
  bool valid = false;
  if (rows->empty()) {
    hasher_.VerifyNothing(*password);
  } else {
    valid = hasher_.Verify(AsString(rows->At(0, "password_hash")), *password);
  }
  if (!valid) {
    login_pair_.Hit(pair);
    login_ip_.Hit(ip);
    login_email_.Hit(email_key);
    return Fail(ErrorCode::kUnauthorized, "wrong e-mail or password");
  }
  login_pair_.Reset(pair);

  const TimePoint now = clock_.Now();
  const TimePoint expires = now + settings_.token_ttl;
  json user = UserJson(*rows, 0);
  // A login in the same second as a password reset must outlive the reset's cut-off.
  const std::int64_t issued = std::max(UnixSeconds(now), AsInt(rows->At(0, "sessions_after")));
  const std::string token = SignJwt(
      {{"sub", user["id"]}, {"iat", issued}, {"exp", UnixSeconds(expires)}}, settings_.jwt_secret);
  return json{{"token", token}, {"expires_at", FormatTime(expires)}, {"user", std::move(user)}};
}

Result<Principal> Accounts::Authenticate(std::string_view authorization) {
  const auto space = authorization.find(' ');
  if (space == std::string_view::npos) {
    return Fail(ErrorCode::kUnauthorized, "send 'Authorization: Bearer <token>'");
  }
  const std::string scheme = Lower(authorization.substr(0, space));
  std::string_view token = authorization.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if ((scheme != "bearer" && scheme != "jwt") || token.empty()) {
    return Fail(ErrorCode::kUnauthorized, "send 'Authorization: Bearer <token>'");
  }
  if (token.starts_with(kApiTokenPrefix)) return AuthenticateApiToken(std::string(token));
  return AuthenticateJwt(std::string(token));
}

Result<Principal> Accounts::AuthenticateJwt(const std::string& token) {
  auto claims = VerifyJwt(token, settings_.jwt_secret, clock_.Now());
  if (!claims) return Fail(claims.error());
  auto sub = claims->find("sub");
  auto iat = claims->find("iat");
  if (sub == claims->end() || !sub->is_string() || iat == claims->end() ||
      !iat->is_number_integer()) {
    return Fail(ErrorCode::kUnauthorized, "invalid token: missing claims");
  }
  auto rows = store_.Query("SELECT name, is_admin, sessions_after FROM users WHERE id = ?",
                           {sub->get<std::string>()});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return NoSuchUser();
  if (iat->get<std::int64_t>() < AsInt(rows->At(0, "sessions_after"))) {
    return Fail(ErrorCode::kUnauthorized, "this session ended when the password was reset");
  }
  return Principal{.user_id = sub->get<std::string>(),
                   .name = AsString(rows->At(0, "name")),
                   .is_admin = AsBool(rows->At(0, "is_admin")),
                   .via = Principal::Via::kLogin};
}

Result<Principal> Accounts::PrincipalOf(const std::string& user_id) {
  auto rows = store_.Query("SELECT name, is_admin FROM users WHERE id = ?", {user_id});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(ErrorCode::kNotFound, fmt::format("no user {}", user_id));
  return Principal{.user_id = user_id,
                   .name = AsString(rows->At(0, "name")),
                   .is_admin = AsBool(rows->At(0, "is_admin")),
                   .via = Principal::Via::kLogin};
}

Result<Principal> Accounts::AuthenticateApiToken(const std::string& token) {
  const std::string hash = Sha256Hex(token);
  // Read before the token: a change committed after it moves the mark past what was read.
  const std::optional<std::string> mark = store_.ChangeMark();
  std::optional<KnownToken> known;
  if (mark) {
    std::lock_guard lock(known_mutex_);
    if (auto it = known_tokens_.find(hash); it != known_tokens_.end() && it->second.mark == *mark) {
      known = it->second;
    }
  }
  if (!known) {
    auto rows = store_.Query(
        "SELECT t.id, t.user_id, t.expires_at, t.last_used_at, u.name, u.is_admin FROM api_tokens "
        "t JOIN users u ON u.id = t.user_id WHERE t.hash = ?",
        {hash});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(ErrorCode::kUnauthorized, "unknown or revoked API token");
    const auto& expires = rows->At(0, "expires_at");
    known = KnownToken{.mark = mark.value_or(""),
                       .principal = {.user_id = AsString(rows->At(0, "user_id")),
                                     .name = AsString(rows->At(0, "name")),
                                     .is_admin = AsBool(rows->At(0, "is_admin")),
                                     .via = Principal::Via::kApiToken},
                       .id = AsString(rows->At(0, "id")),
                       .expires_at = IsNull(expires) ? "" : AsString(expires),
                       .last_used_at = AsString(rows->At(0, "last_used_at"))};
    if (mark) {
      std::lock_guard lock(known_mutex_);
      if (known_tokens_.size() >= 10000) known_tokens_.clear();
      known_tokens_[hash] = *known;
    }
  }
  const std::string now = Now();
  if (!known->expires_at.empty() && known->expires_at <= now) {
    return Fail(ErrorCode::kUnauthorized, "this API token has expired");
  }
  // Record use at most once a minute: a busy script must not turn every read into a write. Of
  // requests that arrive together, or on several nodes, the first writes; the others find it
  // written and change nothing (a change would make this node read again what it keeps). Either
  // way the token is known to be used now, and is not written again for a minute.
  const std::string a_minute_ago = FormatTime(clock_.Now() - std::chrono::minutes(1));
  if (known->last_used_at.empty() || known->last_used_at < a_minute_ago) {
    auto touched = store_.Exec(
        "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR "
        "last_used_at < ?)",
        {now, known->id, a_minute_ago});
    if (!touched) {
      spdlog::warn("could not record the use of an API token: {}", touched.error().message);
    } else if (mark) {
      std::lock_guard lock(known_mutex_);
      if (auto it = known_tokens_.find(hash); it != known_tokens_.end()) {
        it->second.last_used_at = now;
      }
    }
  }
  return known->principal;
}

Result<json> Accounts::Me(const Principal& caller) {
  auto user = UserById(nullptr, caller.user_id);
  if (!user && user.error().code == ErrorCode::kNotFound) return NoSuchUser();
  return user;
}

Result<json> Accounts::UpdateMe(const Principal& caller, const json& patch) {
  FieldCheck check(patch);
  auto name = check.Text("name", {.min = 3, .max = 60});
  auto email = check.Text("email", {.min = 3, .max = 254});
  if (email && !IsEmailAddress(*email)) check.Problem("email", "is not an e-mail address");
  if (check.Has("password")) {
    check.Allow("password");
    check.Problem("password", "is changed with PUT /api/me/password");
  }
  for (const char* read_only : {"id", "is_admin", "avatar", "created_at", "updated_at"}) {
    if (check.Has(read_only)) {
      check.Allow(read_only);
      check.Problem(read_only, "is read-only");
    }
  }
  auto current = UserById(nullptr, caller.user_id);
  if (!current) return current.error().code == ErrorCode::kNotFound ? NoSuchUser() : current;
  json profile = json::object();
  for (const char* field : kProfileFields) {
    if (!(*current)[field].is_null()) profile[field] = (*current)[field];
  }
  ReadProfile(check, patch, profile);
  if (auto ok = check.Finish("user"); !ok) return Fail(ok.error());

  // A read-only field sent back unchanged is fine: clients often send the whole object.
  const std::string new_email = email.value_or((*current)["email"].get<std::string>());
  auto updated = store_.Exec("UPDATE users SET name = ?, email = ?, email_key = ?, profile = " +
                                 std::string(store::JsonParam(store_.dialect())) +
                                 ", updated_at = ? WHERE id = ?",
                             {name.value_or((*current)["name"].get<std::string>()), new_email,
                              Lower(new_email), profile.dump(), Now(), caller.user_id});
  if (!updated) {
    if (updated.error().code == ErrorCode::kConflict) {
      return Fail(ErrorCode::kConflict, "an account with this e-mail already exists",
                  {{"email", "is already used"}});
    }
    return Fail(updated.error());
  }
  return UserById(nullptr, caller.user_id);
}

Status Accounts::DeleteMe(const Principal& caller) {
  return store_.Transaction([&](store::Session& session) -> Status {
    if (auto locked = store::LockTransaction(session, kRegistrationLockKey); !locked) return locked;
    if (caller.is_admin) {
      auto admins = session.Query(
          "SELECT COUNT(*) AS admins, (SELECT COUNT(*) FROM users) AS users FROM users WHERE "
          "is_admin = ?",
          {true});
      if (!admins) return Fail(admins.error());
      if (AsInt(admins->At(0, "admins")) == 1 && AsInt(admins->At(0, "users")) > 1) {
        return Fail(ErrorCode::kConflict,
                    "you are the last instance administrator: make someone else an administrator "
                    "first");
      }
    }
    // A team must keep an admin while it has other members.
    auto orphaned = session.Query(
        "SELECT t.name FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id = ? "
        "AND m.role = 3 AND NOT EXISTS (SELECT 1 FROM team_members o WHERE o.team_id = m.team_id "
        "AND o.user_id <> m.user_id AND o.role = 3) AND EXISTS (SELECT 1 FROM team_members o "
        "WHERE o.team_id = m.team_id AND o.user_id <> m.user_id)",
        {caller.user_id});
    if (!orphaned) return Fail(orphaned.error());
    if (!orphaned->empty()) {
      return Fail(ErrorCode::kConflict,
                  fmt::format("you are the last admin of team '{}': make another member admin "
                              "first",
                              AsString(orphaned->At(0, "name"))));
    }
    // Teams left without members go with their last member.
    if (auto gone = session.Exec(
            "DELETE FROM teams WHERE id IN (SELECT team_id FROM team_members WHERE user_id = ?) "
            "AND NOT EXISTS (SELECT 1 FROM team_members o WHERE o.team_id = teams.id AND "
            "o.user_id <> ?)",
            {caller.user_id, caller.user_id});
        !gone) {
      return Fail(gone.error());
    }
    if (auto acl = session.Exec(
            "DELETE FROM acl WHERE principal_type = 'user' AND principal_id = ?", {caller.user_id});
        !acl) {
      return Fail(acl.error());
    }
    auto deleted = session.Exec("DELETE FROM users WHERE id = ?", {caller.user_id});
    if (!deleted) return Fail(deleted.error());
    if (*deleted == 0) return NoSuchUser();
    return {};
  });
}

Status Accounts::ChangePassword(const Principal& caller, const json& body) {
  FieldCheck check(body);
  auto current = check.RequiredText("current_password", {.max = 4096});
  auto next = check.RequiredText("new_password", {.max = 4096});
  if (next) {
    if (auto rules = CheckPasswordRules(*next, "new_password"); !rules) {
      check.Problem("new_password", rules.error().fields.at(0).problem);
    }
  }
  if (auto ok = check.Finish("password change"); !ok) return ok;
  auto rows = store_.Query("SELECT password_hash FROM users WHERE id = ?", {caller.user_id});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return NoSuchUser();
  if (!hasher_.Verify(AsString(rows->At(0, "password_hash")), *current)) {
    return Fail(ErrorCode::kForbidden, "the current password is wrong",
                {{"current_password", "is wrong"}});
  }
  auto hash = hasher_.Hash(*next);
  if (!hash) return Fail(hash.error());
  auto updated = store_.Exec("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                             {*hash, Now(), caller.user_id});
  if (!updated) return Fail(updated.error());
  return {};
}

Result<json> Accounts::ListTokens(const Principal& caller) {
  auto rows = store_.Query(
      "SELECT id, name, prefix, created_at, expires_at, last_used_at FROM api_tokens WHERE "
      "user_id = ? ORDER BY id DESC",
      {caller.user_id});
  if (!rows) return Fail(rows.error());
  json items = json::array();
  for (std::size_t i = 0; i < rows->size(); ++i) {
    json item;
    for (const char* column :
         {"id", "name", "prefix", "created_at", "expires_at", "last_used_at"}) {
      const auto& value = rows->At(i, column);
      item[column] = IsNull(value) ? json(nullptr) : json(AsString(value));
    }
    items.push_back(std::move(item));
  }
  return json{{"items", std::move(items)}};
}

Result<json> Accounts::CreateToken(const Principal& caller, const json& body) {
  FieldCheck check(body);
  auto name = check.RequiredText("name", {.min = 1, .max = 60});
  auto days = check.Integer("expires_in_days", 1, 3650);
  if (auto ok = check.Finish("API token"); !ok) return Fail(ok.error());
  const std::string token = std::string(kApiTokenPrefix) + RandomHex(20);
  const std::string id = NewId();
  const std::string prefix = token.substr(0, 12);
  json expires = nullptr;
  if (days) expires = FormatTime(clock_.Now() + std::chrono::hours(24 * *days));
  auto inserted = store_.Exec(
      "INSERT INTO api_tokens (id, user_id, name, prefix, hash, created_at, expires_at) VALUES "
      "(?, ?, ?, ?, ?, ?, ?)",
      {id, caller.user_id, *name, prefix, Sha256Hex(token), Now(),
       expires.is_null() ? store::Value(nullptr) : store::Value(expires.get<std::string>())});
  if (!inserted) return Fail(inserted.error());
  return json{
      {"id", id}, {"name", *name}, {"prefix", prefix}, {"token", token}, {"expires_at", expires}};
}

Status Accounts::RevokeToken(const Principal& caller, const std::string& id) {
  auto deleted =
      store_.Exec("DELETE FROM api_tokens WHERE id = ? AND user_id = ?", {id, caller.user_id});
  if (!deleted) return Fail(deleted.error());
  if (*deleted == 0) return Fail(ErrorCode::kNotFound, "no such API token");
  return {};
}

Result<json> Accounts::Directory(const Principal&, std::string_view query) {
  if (query.size() > 100) return Fail(ErrorCode::kBadRequest, "q is longer than 100 characters");
  const std::string pattern = "%" + EscapeLike(Lower(query)) + "%";
  auto rows = store_.Query(
      "SELECT id, name, email, avatar FROM users WHERE LOWER(name) LIKE ? ESCAPE '\\' OR "
      "email_key LIKE ? ESCAPE '\\' ORDER BY name LIMIT 20",
      {pattern, pattern});
  if (!rows) return Fail(rows.error());
  json items = json::array();
  for (std::size_t i = 0; i < rows->size(); ++i) {
    items.push_back({{"id", AsString(rows->At(i, "id"))},
                     {"name", AsString(rows->At(i, "name"))},
                     {"email", AsString(rows->At(i, "email"))},
                     {"avatar", AvatarUrl(rows->At(i, "avatar"))}});
  }
  return json{{"items", std::move(items)}};
}

Status Accounts::Forgot(const json& body, std::string_view remote) {
  FieldCheck check(body);
  auto email = check.RequiredText("email", {.min = 1, .max = 254});
  auto reset_url = check.Text("reset_url", {.min = 1, .max = 2000});
  if (email && !IsEmailAddress(*email)) check.Problem("email", "is not an e-mail address");
  const std::string link_base = reset_url.value_or(settings_.public_url + "/reset-password");
  if (reset_url) {
    // Links go only to this server's UI (or an allowed origin): never to an attacker's page.
    bool allowed = link_base.starts_with(settings_.public_url + "/");
    for (const auto& origin : settings_.allowed_origins) {
      if (origin != "*" && link_base.starts_with(origin + "/")) allowed = true;
    }
    if (!allowed) {
      check.Problem("reset_url", "must be a page of " + settings_.public_url);
    }
  }
  if (auto ok = check.Finish("request"); !ok) return ok;

  const std::string email_key = Lower(*email);
  if (auto wait = forgot_ip_.Hit(std::string(remote))) return RateLimited(*wait, "reset requests");
  if (auto wait = forgot_email_.Hit(email_key)) return RateLimited(*wait, "reset requests");

  auto rows = store_.Query("SELECT id, name, email FROM users WHERE email_key = ?", {email_key});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return {};  // the same answer: nothing tells whether the account exists

  const std::string token = RandomHex(32);
  const TimePoint now = clock_.Now();
  auto stored = store_.Exec(
      "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, "
      "?, ?)",
      {Sha256Hex(token), AsString(rows->At(0, "id")), FormatTime(now),
       FormatTime(now + std::chrono::hours(1))});
  if (!stored) return Fail(stored.error());
  const std::string link =
      link_base + (link_base.find('?') == std::string::npos ? "?" : "&") + "token=" + token;
  const std::string name = AsString(rows->At(0, "name"));
  notify::Mail mail{
      .to = AsString(rows->At(0, "email")),
      .subject = "Reset your Maestro password",
      .text = fmt::format("Hello {},\n\nSomeone asked to reset the password of your Maestro "
                          "account. To choose a new password, open this link within one hour:\n\n"
                          "{}\n\nIf it was not you, ignore this mail: your password stays as it "
                          "is.\n",
                          name, link),
      .html = fmt::format("<p>Hello {},</p><p>Someone asked to reset the password of your Maestro "
                          "account. To choose a new password, open this link within one hour:</p>"
                          "<p><a href=\"{}\">Reset my password</a></p><p>If it was not you, "
                          "ignore this mail: your password stays as it is.</p>",
                          HtmlEscape(name), HtmlEscape(link)),
  };
  // Queued, never awaited: the answer takes the same time whether the account exists or not.
  if (auto sent = mailer_.Send(mail); !sent) {
    spdlog::warn("password-reset mail not queued: {}", sent.error().message);
  }
  return {};
}

Status Accounts::Reset(const json& body) {
  FieldCheck check(body);
  auto token = check.RequiredText("token", {.min = 1, .max = 200});
  auto password = check.RequiredText("password", {.max = 4096});
  if (password) {
    if (auto rules = CheckPasswordRules(*password, "password"); !rules) {
      check.Problem("password", rules.error().fields.at(0).problem);
    }
  }
  if (auto ok = check.Finish("reset"); !ok) return ok;
  auto hash = hasher_.Hash(*password);
  if (!hash) return Fail(hash.error());
  const TimePoint now = clock_.Now();
  return store_.Transaction([&](store::Session& session) -> Status {
    // Marking the token used in the same statement that checks it makes it single-use even
    // under concurrent resets.
    const std::string token_hash = Sha256Hex(*token);
    auto claimed = session.Exec(
        "UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND "
        "expires_at > ?",
        {FormatTime(now), token_hash, FormatTime(now)});
    if (!claimed) return Fail(claimed.error());
    if (*claimed == 0) {
      return Fail(ErrorCode::kBadRequest,
                  "this reset link is invalid, used or expired: ask for a new one");
    }
    auto owner =
        session.Query("SELECT user_id FROM password_resets WHERE token_hash = ?", {token_hash});
    if (!owner) return Fail(owner.error());
    const std::string user_id = AsString(owner->At(0, "user_id"));
    // Every login session issued before now ends (tokens carry their issue time in seconds).
    auto updated = session.Exec(
        "UPDATE users SET password_hash = ?, sessions_after = ?, updated_at = ? WHERE id = ?",
        {*hash, UnixSeconds(now) + 1, FormatTime(now), user_id});
    if (!updated) return Fail(updated.error());
    auto others = session.Exec("DELETE FROM password_resets WHERE user_id = ? AND used_at IS NULL",
                               {user_id});
    if (!others) return Fail(others.error());
    return {};
  });
}

Result<json> Accounts::SetAvatar(const Principal& caller, std::string_view bytes) {
  auto old = store_.Query("SELECT avatar FROM users WHERE id = ?", {caller.user_id});
  if (!old) return Fail(old.error());
  if (old->empty()) return NoSuchUser();
  auto name = StoreAvatar(blobs_, bytes);
  if (!name) return Fail(name.error());
  auto updated = store_.Exec("UPDATE users SET avatar = ?, updated_at = ? WHERE id = ?",
                             {*name, Now(), caller.user_id});
  if (!updated) return Fail(updated.error());
  if (const std::string previous = AsString(old->At(0, "avatar")); !previous.empty()) {
    if (auto removed = blobs_.Delete("avatars/" + previous); !removed) {
      spdlog::warn("old avatar {} not removed: {}", previous, removed.error().message);
    }
  }
  return json{{"avatar", AvatarUrl(*name)}};
}

Result<blobs::Blob> Accounts::Avatar(std::string_view name) {
  const std::string key = "avatars/" + std::string(name);
  if (name.find('/') != std::string_view::npos || !blobs::IsValidKey(key)) {
    return Fail(ErrorCode::kNotFound, "no such avatar");
  }
  return blobs_.Get(key);
}

}  // namespace maestro::auth
