// Accounts, teams and the access rule, as services over a real database (SQLite and PostgreSQL).
// Mail is captured by a recording Mailer here; delivery through SMTP is tested against maildev
// in the notify module and end to end in the browser tests.
#include "auth/accounts.h"

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "auth/jwt.h"
#include "auth/roles.h"
#include "auth/teams.h"
#include "blobs/local_blob_store.h"
#include "common/ids.h"
#include "support/test_database.h"

namespace maestro::auth {
namespace {

using nlohmann::json;
using store::Backend;

class RecordingMailer final : public notify::Mailer {
 public:
  Status Send(const notify::Mail& mail) override {
    std::lock_guard lock(mutex_);
    mails_.push_back(mail);
    return {};
  }
  std::vector<notify::Mail> mails() {
    std::lock_guard lock(mutex_);
    return mails_;
  }

 private:
  std::mutex mutex_;
  std::vector<notify::Mail> mails_;
};

const std::string kSecret(48, 'j');
const std::string kPng("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x02\0\0\0", 29);

class AccountsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { ASSERT_NE(database_.store(), nullptr); }

  Accounts MakeAccounts(bool registration_open = true) {
    return Accounts(*database_.store(), clock_, mailer_, blobs_,
                    {.jwt_secret = kSecret,
                     .token_ttl = std::chrono::hours(24),
                     .registration_open = registration_open,
                     .public_url = "https://maestro.example",
                     .password_cost = PasswordCost::Minimum()});
  }

  json Register(const std::string& name, const std::string& email,
                const std::string& password = "password1") {
    auto user =
        accounts_.Register({{"name", name}, {"email", email}, {"password", password}}, nullptr);
    EXPECT_TRUE(user) << user.error().message;
    return user ? *user : json();
  }

  Principal SignIn(const std::string& email, const std::string& password = "password1") {
    auto login = accounts_.Login({{"email", email}, {"password", password}}, "10.0.0.1");
    EXPECT_TRUE(login) << login.error().message;
    auto principal = accounts_.Authenticate("Bearer " + (*login)["token"].get<std::string>());
    EXPECT_TRUE(principal) << principal.error().message;
    return *principal;
  }

  testing::TestDatabase database_{GetParam()};
  testing::TempDir uploads_;
  ManualClock clock_{TimePoint{} + std::chrono::seconds(1'800'000'000)};
  RecordingMailer mailer_;
  blobs::LocalBlobStore blobs_{{.dir = uploads_.str()}};
  Accounts accounts_ = MakeAccounts();
};

std::map<std::string, std::string> Problems(const Error& error) {
  std::map<std::string, std::string> out;
  for (const auto& field : error.fields) out[field.field] = field.problem;
  return out;
}

TEST_P(AccountsTest, TheFirstUserIsInstanceAdminAndLaterOnesAreNot) {
  auto first = Register("Alice", "alice@example.com");
  auto second = Register("Bob", "bob@example.com");
  EXPECT_TRUE(first["is_admin"]);
  EXPECT_FALSE(second["is_admin"]);
  EXPECT_FALSE(first.contains("password"));
  EXPECT_FALSE(first.contains("password_hash"));
  EXPECT_TRUE(IsId(first["id"].get<std::string>()));
}

TEST_P(AccountsTest, EmailsAreUniqueWhateverTheirCase) {
  Register("Alice", "alice@example.com");
  auto again = accounts_.Register(
      {{"name", "Alice Two"}, {"email", "ALICE@Example.com"}, {"password", "password1"}}, nullptr);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
}

TEST_P(AccountsTest, RegistrationNamesEveryBadField) {
  auto bad = accounts_.Register({{"name", "Al"},
                                 {"email", "not-an-email"},
                                 {"password", "short"},
                                 {"role", "admin"},
                                 {"city", 42}},
                                nullptr);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kValidationFailed);
  auto problems = Problems(bad.error());
  EXPECT_EQ(problems.size(), 5u) << bad.error().message;
  EXPECT_EQ(problems["name"], "must be at least 3 characters");
  EXPECT_EQ(problems["email"], "is not an e-mail address");
  EXPECT_EQ(problems["password"], "must be at least 8 characters");
  EXPECT_EQ(problems["role"], "is not a field of user");
  EXPECT_EQ(problems["city"], "must be a string");
  auto count = database_.store()->Query("SELECT COUNT(*) AS n FROM users", {});
  EXPECT_EQ(store::AsInt(count->At(0, "n")), 0) << "nothing half-written";
}

TEST_P(AccountsTest, ClosedRegistrationLetsOnlyAdminsCreateUsers) {
  Register("Alice", "alice@example.com");
  const Principal alice = SignIn("alice@example.com");
  Accounts closed = MakeAccounts(/*registration_open=*/false);
  auto anonymous = closed.Register(
      {{"name", "Mallory"}, {"email", "m@example.com"}, {"password", "password1"}}, nullptr);
  ASSERT_FALSE(anonymous);
  EXPECT_EQ(anonymous.error().code, ErrorCode::kForbidden);
  auto by_admin = closed.Register(
      {{"name", "Carol"}, {"email", "carol@example.com"}, {"password", "password1"}}, &alice);
  EXPECT_TRUE(by_admin) << by_admin.error().message;
}

TEST_P(AccountsTest, LoginGivesATokenThatIdentifiesTheUser) {
  auto alice = Register("Alice", "alice@example.com");
  auto login = accounts_.Login({{"email", "Alice@Example.com"}, {"password", "password1"}}, "ip");
  ASSERT_TRUE(login) << login.error().message;
  EXPECT_EQ((*login)["user"]["id"], alice["id"]);
  EXPECT_EQ((*login)["expires_at"], FormatTime(clock_.Now() + std::chrono::hours(24)));
  for (const char* scheme : {"Bearer ", "JWT ", "bearer "}) {
    auto principal = accounts_.Authenticate(scheme + (*login)["token"].get<std::string>());
    ASSERT_TRUE(principal) << scheme << principal.error().message;
    EXPECT_EQ(principal->user_id, alice["id"]);
    EXPECT_TRUE(principal->is_admin);
  }
}

TEST_P(AccountsTest, WrongPasswordAndUnknownEmailGetTheSameAnswer) {
  Register("Alice", "alice@example.com");
  auto wrong = accounts_.Login({{"email", "alice@example.com"}, {"password", "password2"}}, "ip");
  auto unknown =
      accounts_.Login({{"email", "nobody@example.com"}, {"password", "password1"}}, "ip");
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
}

TEST_P(AccountsTest, RepeatedFailuresAreRateLimitedThenForgiven) {
  Register("Alice", "alice@example.com");
  for (int i = 0; i < 10; ++i) {
    auto failed = accounts_.Login(
        {{"email", "alice@example.com"}, {"password", "guess" + std::to_string(i)}}, "ip");
    ASSERT_EQ(failed.error().code, ErrorCode::kUnauthorized) << i;
  }
  auto limited = accounts_.Login({{"email", "alice@example.com"}, {"password", "password1"}}, "ip");
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().code, ErrorCode::kRateLimited) << "even the right password waits";
  EXPECT_GT(limited.error().retry_after_s, 0);
  EXPECT_LE(limited.error().retry_after_s, 60);
  clock_.Advance(std::chrono::seconds(61));
  EXPECT_TRUE(accounts_.Login({{"email", "alice@example.com"}, {"password", "password1"}}, "ip"));
}

TEST_P(AccountsTest, TokensExpire) {
  Register("Alice", "alice@example.com");
  auto login = accounts_.Login({{"email", "alice@example.com"}, {"password", "password1"}}, "ip");
  const std::string header = "Bearer " + (*login)["token"].get<std::string>();
  clock_.Advance(std::chrono::hours(24) + std::chrono::seconds(1));
  auto expired = accounts_.Authenticate(header);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kUnauthorized);
}

TEST_P(AccountsTest, BadAuthorizationHeadersAre401) {
  for (const char* header : {"", "Bearer", "Basic dXNlcjpwdw==", "Bearer ", "Bearer abc.def.ghi",
                             "Bearer mst_0000000000000000000000000000000000000000"}) {
    auto result = accounts_.Authenticate(header);
    ASSERT_FALSE(result) << header;
    EXPECT_EQ(result.error().code, ErrorCode::kUnauthorized) << header;
  }
}

TEST_P(AccountsTest, ATokenOfADeletedUserStopsWorking) {
  Register("Alice", "alice@example.com");
  Register("Bob", "bob@example.com");
  auto login = accounts_.Login({{"email", "bob@example.com"}, {"password", "password1"}}, "ip");
  const std::string header = "Bearer " + (*login)["token"].get<std::string>();
  auto bob = accounts_.Authenticate(header);
  ASSERT_TRUE(accounts_.DeleteMe(*bob));
  EXPECT_FALSE(accounts_.Authenticate(header));
}

TEST_P(AccountsTest, ApiTokensAreShownOnceAndWorkUntilRevoked) {
  Register("Alice", "alice@example.com");
  const Principal alice = SignIn("alice@example.com");
  auto created = accounts_.CreateToken(alice, {{"name", "ci"}, {"expires_in_days", 30}});
  ASSERT_TRUE(created) << created.error().message;
  const std::string token = (*created)["token"];
  EXPECT_TRUE(token.starts_with("mst_"));
  EXPECT_EQ((*created)["prefix"], token.substr(0, 12));

  auto principal = accounts_.Authenticate("Bearer " + token);
  ASSERT_TRUE(principal) << principal.error().message;
  EXPECT_EQ(principal->user_id, alice.user_id);
  EXPECT_EQ(principal->via, Principal::Via::kApiToken);

  auto listed = accounts_.ListTokens(alice);
  ASSERT_EQ((*listed)["items"].size(), 1u);
  const auto& item = (*listed)["items"][0];
  EXPECT_FALSE(item.contains("token")) << "shown once, at creation";
  EXPECT_EQ(item["last_used_at"], FormatTime(clock_.Now()));
  auto stored = database_.store()->Query("SELECT hash FROM api_tokens", {});
  EXPECT_NE(store::AsString(stored->At(0, "hash")), token) << "stored hashed";

  ASSERT_TRUE(accounts_.RevokeToken(alice, (*created)["id"]));
  EXPECT_FALSE(accounts_.Authenticate("Bearer " + token));
  EXPECT_EQ(accounts_.RevokeToken(alice, (*created)["id"]).error().code, ErrorCode::kNotFound);
}

TEST_P(AccountsTest, ApiTokensExpire) {
  Register("Alice", "alice@example.com");
  const Principal alice = SignIn("alice@example.com");
  auto created = accounts_.CreateToken(alice, {{"name", "short"}, {"expires_in_days", 1}});
  clock_.Advance(std::chrono::hours(25));
  EXPECT_FALSE(accounts_.Authenticate("Bearer " + (*created)["token"].get<std::string>()));
}

TEST_P(AccountsTest, OthersCannotRevokeMyTokens) {
  Register("Alice", "alice@example.com");
  Register("Bob", "bob@example.com");
  auto created = accounts_.CreateToken(SignIn("alice@example.com"), {{"name", "mine"}});
  auto revoked = accounts_.RevokeToken(SignIn("bob@example.com"), (*created)["id"]);
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error().code, ErrorCode::kNotFound);
}

TEST_P(AccountsTest, ProfileChangesAreValidatedAndReadOnlyFieldsRefused) {
  Register("Alice", "alice@example.com");
  const Principal alice = SignIn("alice@example.com");
  auto updated = accounts_.UpdateMe(alice, {{"fullname", "Alice Liddell"}, {"city", "Oxford"}});
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ((*updated)["fullname"], "Alice Liddell");
  EXPECT_EQ((*updated)["city"], "Oxford");
  auto cleared = accounts_.UpdateMe(alice, {{"city", nullptr}});
  EXPECT_TRUE((*cleared)["city"].is_null());
  EXPECT_EQ((*cleared)["fullname"], "Alice Liddell") << "merge patch keeps what is not sent";

  auto forged = accounts_.UpdateMe(alice, {{"is_admin", false}, {"password", "x"}});
  ASSERT_FALSE(forged);
  auto problems = Problems(forged.error());
  EXPECT_EQ(problems["is_admin"], "is read-only");
  EXPECT_EQ(problems["password"], "is changed with PUT /api/me/password");
}

TEST_P(AccountsTest, ChangingThePasswordNeedsTheCurrentOne) {
  Register("Alice", "alice@example.com");
  const Principal alice = SignIn("alice@example.com");
  auto wrong = accounts_.ChangePassword(
      alice, {{"current_password", "nope"}, {"new_password", "password2"}});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kForbidden);
  ASSERT_TRUE(accounts_.ChangePassword(
      alice, {{"current_password", "password1"}, {"new_password", "password2"}}));
  EXPECT_FALSE(accounts_.Login({{"email", "alice@example.com"}, {"password", "password1"}}, "ip"));
  EXPECT_TRUE(accounts_.Login({{"email", "alice@example.com"}, {"password", "password2"}}, "ip"));
}

std::string TokenFromMail(const notify::Mail& mail) {
  const auto at = mail.text.find("token=");
  EXPECT_NE(at, std::string::npos) << mail.text;
  const auto end = mail.text.find_first_of("\n ", at);
  return mail.text.substr(at + 6, end - at - 6);
}

TEST_P(AccountsTest, PasswordResetIsSingleUseAndEndsEarlierSessions) {
  Register("Alice", "alice@example.com");
  auto login = accounts_.Login({{"email", "alice@example.com"}, {"password", "password1"}}, "ip");
  const std::string old_session = "Bearer " + (*login)["token"].get<std::string>();

  ASSERT_TRUE(accounts_.Forgot({{"email", "ALICE@example.com"}}, "ip"));
  auto mails = mailer_.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].to, "alice@example.com");
  EXPECT_NE(mails[0].text.find("https://maestro.example/reset-password?token="), std::string::npos);
  const std::string token = TokenFromMail(mails[0]);

  clock_.Advance(std::chrono::seconds(5));
  ASSERT_TRUE(accounts_.Reset({{"token", token}, {"password", "new-password"}}));
  auto again = accounts_.Reset({{"token", token}, {"password", "other-password"}});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kBadRequest);

  EXPECT_FALSE(accounts_.Authenticate(old_session)) << "sessions before the reset end";
  EXPECT_TRUE(
      accounts_.Login({{"email", "alice@example.com"}, {"password", "new-password"}}, "ip"));
}

TEST_P(AccountsTest, ResetLinksExpireAfterAnHour) {
  Register("Alice", "alice@example.com");
  ASSERT_TRUE(accounts_.Forgot({{"email", "alice@example.com"}}, "ip"));
  const std::string token = TokenFromMail(mailer_.mails().at(0));
  clock_.Advance(std::chrono::minutes(61));
  EXPECT_FALSE(accounts_.Reset({{"token", token}, {"password", "new-password"}}));
  EXPECT_FALSE(accounts_.Reset({{"token", "made-up"}, {"password", "new-password"}}));
}

TEST_P(AccountsTest, ForgotAnswersTheSameForUnknownAddressesAndMailsNothing) {
  EXPECT_TRUE(accounts_.Forgot({{"email", "nobody@example.com"}}, "ip"));
  EXPECT_TRUE(mailer_.mails().empty());
}

TEST_P(AccountsTest, ForgotSendsLinksOnlyToThisServersPages) {
  Register("Alice", "alice@example.com");
  auto foreign = accounts_.Forgot(
      {{"email", "alice@example.com"}, {"reset_url", "https://evil.example/reset"}}, "ip");
  ASSERT_FALSE(foreign);
  EXPECT_EQ(Problems(foreign.error())["reset_url"], "must be a page of https://maestro.example");
  ASSERT_TRUE(accounts_.Forgot(
      {{"email", "alice@example.com"}, {"reset_url", "https://maestro.example/ui/reset"}}, "ip"));
  EXPECT_NE(mailer_.mails().at(0).text.find("https://maestro.example/ui/reset?token="),
            std::string::npos);
}

TEST_P(AccountsTest, ForgotIsRateLimitedPerAddress) {
  Register("Alice", "alice@example.com");
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(accounts_.Forgot({{"email", "alice@example.com"}}, "ip" + std::to_string(i)));
  auto limited = accounts_.Forgot({{"email", "alice@example.com"}}, "another-ip");
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(mailer_.mails().size(), 3u);
}

TEST_P(AccountsTest, DirectoryFindsByNameOrEmailAndTreatsWildcardsAsText) {
  Register("Alice Smith", "alice@example.com");
  Register("Bob Jones", "bob@corp.example");
  const Principal alice = SignIn("alice@example.com");
  auto by_name = accounts_.Directory(alice, "smi");
  ASSERT_EQ((*by_name)["items"].size(), 1u);
  EXPECT_EQ((*by_name)["items"][0]["name"], "Alice Smith");
  EXPECT_EQ((*by_name)["items"][0].size(), 4u) << "id, name, email, avatar only";
  EXPECT_EQ((*accounts_.Directory(alice, "CORP"))["items"].size(), 1u);
  EXPECT_EQ((*accounts_.Directory(alice, "%"))["items"].size(), 0u);
  EXPECT_EQ((*accounts_.Directory(alice, ""))["items"].size(), 2u);
}

TEST_P(AccountsTest, AvatarsMustBeImagesAndAreServedBack) {
  Register("Alice", "alice@example.com");
  const Principal alice = SignIn("alice@example.com");
  auto text = accounts_.SetAvatar(alice, "<svg onload=alert(1)>");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, ErrorCode::kValidationFailed);
  auto big = accounts_.SetAvatar(alice, kPng + std::string(2 * 1024 * 1024, '\0'));
  EXPECT_EQ(big.error().code, ErrorCode::kPayloadTooLarge);

  auto set = accounts_.SetAvatar(alice, kPng);
  ASSERT_TRUE(set) << set.error().message;
  const std::string url = (*set)["avatar"];
  ASSERT_TRUE(url.starts_with("/api/avatars/")) << url;
  EXPECT_TRUE(url.ends_with(".png"));
  auto blob = accounts_.Avatar(url.substr(13));
  ASSERT_TRUE(blob) << blob.error().message;
  EXPECT_EQ(blob->bytes, kPng);
  EXPECT_EQ((*accounts_.Me(alice))["avatar"], url);
  for (const char* bad : {"../secrets.json", "x/../../y.png", "", "A.PNG"}) {
    EXPECT_FALSE(accounts_.Avatar(bad)) << bad;
  }
}

TEST_P(AccountsTest, TheLastInstanceAdminCannotLeave) {
  Register("Alice", "alice@example.com");
  Register("Bob", "bob@example.com");
  auto refused = accounts_.DeleteMe(SignIn("alice@example.com"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
}

// ---- Teams

class TeamsTest : public AccountsTest {
 protected:
  Teams teams_{*database_.store(), clock_, blobs_};
};

TEST_P(TeamsTest, TheCreatorIsAdminAndOnlyMembersSeeTheTeam) {
  Register("Alice", "alice@example.com");
  Register("Bob", "bob@example.com");
  Register("Carol", "carol@example.com");
  const Principal alice = SignIn("alice@example.com");
  const Principal bob = SignIn("bob@example.com");
  const Principal carol = SignIn("carol@example.com");
  auto team = teams_.Create(bob, {{"name", "Platform"}, {"url", "https://platform.example"}});
  ASSERT_TRUE(team) << team.error().message;
  EXPECT_EQ((*team)["my_role"], "admin");
  ASSERT_EQ((*team)["members"].size(), 1u);
  EXPECT_EQ((*team)["members"][0]["user"]["id"], bob.user_id);
  const std::string id = (*team)["id"];

  EXPECT_EQ(teams_.Get(carol, id).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(teams_.Get(alice, id)) << "instance admins may read every team";
  EXPECT_EQ((*teams_.List(carol, 1, 20))["total"], 0);
  EXPECT_EQ((*teams_.List(bob, 1, 20))["total"], 1);
}

TEST_P(TeamsTest, OnlyTeamAdminsChangeTheTeam) {
  Register("Alice", "alice@example.com");
  Register("Bob", "bob@example.com");
  const Principal alice = SignIn("alice@example.com");
  const Principal bob = SignIn("bob@example.com");
  const std::string id = (*teams_.Create(alice, {{"name", "Platform"}}))["id"];
  ASSERT_TRUE(teams_.AddMember(alice, id, {{"user", bob.user_id}, {"role", "write"}}));
  auto denied = teams_.Update(bob, id, {{"name", "Mine now"}});
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(teams_.Delete(bob, id).error().code, ErrorCode::kForbidden);
  auto renamed = teams_.Update(alice, id, {{"name", "Platform Ops"}, {"email", "ops@example.com"}});
  ASSERT_TRUE(renamed) << renamed.error().message;
  EXPECT_EQ((*renamed)["name"], "Platform Ops");
  EXPECT_EQ((*teams_.Get(bob, id))["my_role"], "write");
}

TEST_P(TeamsTest, ATeamKeepsAnAdmin) {
  Register("Alice", "alice@example.com");
  Register("Bob", "bob@example.com");
  const Principal alice = SignIn("alice@example.com");
  const Principal bob = SignIn("bob@example.com");
  const std::string id = (*teams_.Create(alice, {{"name", "Platform"}}))["id"];
  ASSERT_TRUE(teams_.AddMember(alice, id, {{"user", bob.user_id}, {"role", "read"}}));
  EXPECT_EQ(teams_.UpdateMember(alice, id, alice.user_id, {{"role", "write"}}).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(teams_.RemoveMember(alice, id, alice.user_id).error().code, ErrorCode::kConflict);
  EXPECT_TRUE(teams_.RemoveMember(bob, id, bob.user_id)) << "any member may leave";
  ASSERT_TRUE(teams_.AddMember(alice, id, {{"user", bob.user_id}, {"role", "admin"}}));
  EXPECT_TRUE(teams_.UpdateMember(alice, id, alice.user_id, {{"role", "read"}}))
      << "with another admin, stepping down is fine";
}

TEST_P(TeamsTest, MembersMustBeUsersAndJoinOnce) {
  Register("Alice", "alice@example.com");
  Register("Bob", "bob@example.com");
  const Principal alice = SignIn("alice@example.com");
  const Principal bob = SignIn("bob@example.com");
  const std::string id = (*teams_.Create(alice, {{"name", "Platform"}}))["id"];
  auto ghost =
      teams_.AddMember(alice, id, {{"user", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, {"role", "read"}});
  EXPECT_EQ(ghost.error().code, ErrorCode::kValidationFailed);
  auto bad_role = teams_.AddMember(alice, id, {{"user", bob.user_id}, {"role", "owner"}});
  EXPECT_EQ(Problems(bad_role.error())["role"], "must be read, write or admin");
  ASSERT_TRUE(teams_.AddMember(alice, id, {{"user", bob.user_id}, {"role", "read"}}));
  EXPECT_EQ(teams_.AddMember(alice, id, {{"user", bob.user_id}, {"role", "read"}}).error().code,
            ErrorCode::kConflict);
}

TEST_P(TeamsTest, ListsArePaged) {
  Register("Alice", "alice@example.com");
  const Principal alice = SignIn("alice@example.com");
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(teams_.Create(alice, {{"name", "Team " + std::to_string(i)}}));
  auto page = teams_.List(alice, 2, 2);
  EXPECT_EQ((*page)["total"], 5);
  ASSERT_EQ((*page)["items"].size(), 2u);
  EXPECT_EQ((*page)["items"][0]["name"], "Team 2");
}

// ---- The access rule in SQL agrees with the rule in C++, for every combination.

TEST_P(TeamsTest, AccessConditionInSqlMatchesEffectiveRole) {
  store::Store& db = *database_.store();
  Register("Alice", "alice@example.com");
  const Principal alice = SignIn("alice@example.com");
  const std::string team_a = (*teams_.Create(alice, {{"name", "Team A"}}))["id"];
  const std::string team_b = (*teams_.Create(alice, {{"name", "Team B"}}))["id"];
  const Role roles[] = {Role::kNone, Role::kRead, Role::kWrite, Role::kAdmin};
  int checked = 0;
  for (Role membership_a : {Role::kRead, Role::kAdmin}) {
    ASSERT_TRUE(db.Exec("UPDATE team_members SET role = ? WHERE team_id = ?",
                        {static_cast<std::int64_t>(membership_a), team_a}));
    for (Role direct : roles) {
      for (Role on_a : roles) {
        for (Role on_b : roles) {
          const std::string record = NewId();
          ASSERT_TRUE(
              db.Exec("INSERT INTO records (id, kind, owner_type, owner_id, created_at, "
                      "updated_at) VALUES (?, 'servers', 'user', 'x', 'now', 'now')",
                      {record}));
          auto grant = [&](const char* type, const std::string& who, Role role) {
            if (role == Role::kNone) return;
            ASSERT_TRUE(
                db.Exec("INSERT INTO acl (record_id, principal_type, principal_id, role) "
                        "VALUES (?, ?, ?, ?)",
                        {record, type, who, static_cast<std::int64_t>(role)}));
          };
          grant("user", alice.user_id, direct);
          grant("team", team_a, on_a);
          grant("team", team_b, on_b);
          const TeamGrant teams[] = {{on_a, membership_a}, {on_b, Role::kAdmin}};
          const Role expected = EffectiveRole(direct, teams);
          const auto expression = RoleExpression("r.id", alice.user_id);
          store::Params params = expression.params;
          params.push_back(record);
          auto effective = db.Query(
              "SELECT " + expression.sql + " AS role FROM records r WHERE r.id = ?", params);
          ASSERT_TRUE(effective) << effective.error().message;
          EXPECT_EQ(store::AsInt(effective->At(0, "role")), static_cast<int>(expected));
          for (Role need : {Role::kRead, Role::kWrite, Role::kAdmin}) {
            const auto condition = AccessCondition("r.id", alice.user_id, need);
            store::Params p = condition.params;
            p.push_back(record);
            auto rows = db.Query(
                "SELECT COUNT(*) AS n FROM records r WHERE " + condition.sql + " AND r.id = ?", p);
            ASSERT_TRUE(rows) << rows.error().message;
            EXPECT_EQ(store::AsInt(rows->At(0, "n")), expected >= need ? 1 : 0)
                << "direct " << RoleName(direct) << ", team A " << RoleName(on_a) << " (member "
                << RoleName(membership_a) << "), team B " << RoleName(on_b) << ", need "
                << RoleName(need);
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 2 * 4 * 4 * 4 * 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountsTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return testing::BackendName(info.param); });
INSTANTIATE_TEST_SUITE_P(Backends, TeamsTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace maestro::auth

namespace maestro::auth {
namespace {

TEST_P(AccountsTest, ALoginInTheSecondOfAResetStillWorks) {
  Register("Alice", "alice@example.com");
  ASSERT_TRUE(accounts_.Forgot({{"email", "alice@example.com"}}, "ip"));
  const std::string token = TokenFromMail(mailer_.mails().at(0));
  ASSERT_TRUE(accounts_.Reset({{"token", token}, {"password", "new-password"}}));
  // The clock has not moved: same second as the reset.
  auto login =
      accounts_.Login({{"email", "alice@example.com"}, {"password", "new-password"}}, "ip");
  ASSERT_TRUE(login);
  auto principal = accounts_.Authenticate("Bearer " + (*login)["token"].get<std::string>());
  EXPECT_TRUE(principal) << principal.error().message;
}

TEST_P(AccountsTest, ResetMailsEscapeTheNameInHtml) {
  Register("<b>Eve</b>", "eve@example.com");
  ASSERT_TRUE(accounts_.Forgot({{"email", "eve@example.com"}}, "ip"));
  const auto mail = mailer_.mails().at(0);
  EXPECT_EQ(mail.html.find("<b>Eve"), std::string::npos) << mail.html;
  EXPECT_NE(mail.html.find("&lt;b&gt;Eve"), std::string::npos);
}

}  // namespace
}  // namespace maestro::auth
