// The identity endpoints as a client sees them: the real Application on a free port, over TCP,
// on SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/api_client.h"
#include "support/process.h"
#include "support/test_server.h"

namespace maestro {
namespace {

using nlohmann::json;
using store::Backend;
using testing::HttpReply;

const std::string kPng("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x02\0\0\0", 29);

class IdentityHttpTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.started()); }

  HttpReply Call(const std::string& method, const std::string& target, const json& body = nullptr,
                 const std::string& token = {}) {
    return testing::ApiClient(server_.port()).Call(method, target, token, body);
  }
  static json Body(const HttpReply& reply) { return testing::ApiClient::Body(reply); }

  // Registers <name>@example.com and signs in; returns the token.
  std::string SignUp(const std::string& name) {
    return testing::ApiClient(server_.port()).SignUp(name).token;
  }

  testing::TestServer server_{GetParam()};
};

TEST_P(IdentityHttpTest, RegisterLoginAndReadMyProfile) {
  const std::string token = SignUp("alice");
  auto me = Call("GET", "/api/me", nullptr, token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(Body(me)["email"], "alice@example.com");
  EXPECT_TRUE(Body(me)["is_admin"]);
  EXPECT_EQ(me.body.find("argon2"), std::string::npos) << "no hash in answers";
}

TEST_P(IdentityHttpTest, ProtectedEndpointsAnswer401WithAReason) {
  auto anonymous = Call("GET", "/api/me");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.Header("www-authenticate"), "Bearer");
  EXPECT_EQ(Body(anonymous)["error"]["code"], "unauthorized");
  auto forged = Call("GET", "/api/me", nullptr, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");
  EXPECT_EQ(forged.status, 401);
}

TEST_P(IdentityHttpTest, ApiTokensWorkWhereverALoginTokenDoes) {
  const std::string login = SignUp("alice");
  auto created = Call("POST", "/api/me/tokens", {{"name", "ci"}}, login);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string token = Body(created)["token"];
  EXPECT_EQ(Call("GET", "/api/me", nullptr, token).status, 200);
  auto listed = Call("GET", "/api/me/tokens", nullptr, token);
  EXPECT_EQ(listed.body.find(token), std::string::npos) << "never shown again";
  const std::string id = Body(created)["id"];
  EXPECT_EQ(Call("DELETE", "/api/me/tokens/" + id, nullptr, login).status, 204);
  EXPECT_EQ(Call("GET", "/api/me", nullptr, token).status, 401);
}

// On PostgreSQL a node keeps the tokens it checked until the change mark moves: another process
// revoking a token, or changing its user, is heard of through the notification.
TEST(IdentityPostgresTest, TokensRevokedOrUsersChangedElsewhereAreHeardOf) {
  testing::TestServer server(Backend::kPostgres);
  ASSERT_TRUE(server.started());
  testing::ApiClient api(server.port());
  const std::string login = api.SignUp("alice").token;
  auto token_named = [&](const std::string& name) {
    auto created = api.Call("POST", "/api/me/tokens", login, {{"name", name}});
    EXPECT_EQ(created.status, 201) << created.body;
    return testing::ApiClient::Body(created)["token"].get<std::string>();
  };
  const std::string kept = token_named("kept"), revoked = token_named("revoked");
  // Only an instance admin gets past the check to hear that there is no such option.
  auto as_admin = [&](const std::string& token) {
    return api.Call("PATCH", "/api/options/nope", token, json::object()).status == 404;
  };
  for (int i = 0; i < 3; ++i) {  // checked, then kept
    ASSERT_EQ(api.Call("GET", "/api/me", revoked, nullptr).status, 200);
    ASSERT_TRUE(as_admin(kept));
  }
  auto psql = [&](const std::string& sql) {
    const auto ran = testing::RunPsql(server.db_uri(), sql);
    EXPECT_EQ(ran.exit_code, 0) << ran.output;
  };
  psql("DELETE FROM api_tokens WHERE name = 'revoked'");
  EXPECT_TRUE(testing::Eventually([&] {
    return api.Call("GET", "/api/me", revoked, nullptr).status == 401;
  })) << "a token revoked by another process still works";
  psql("UPDATE users SET is_admin = false");
  EXPECT_TRUE(testing::Eventually([&] {
    return api.Call("PATCH", "/api/options/nope", kept, json::object()).status == 403;
  })) << "a user changed by another process keeps its old rights";
  EXPECT_EQ(api.Call("GET", "/api/me", kept, nullptr).status, 200);
}

TEST_P(IdentityHttpTest, BadBodiesAreClearErrorsAndWriteNothing) {
  auto malformed = testing::HttpRequest(server_.port(), "POST", "/api/users",
                                        "{\"name\": ", {{"Content-Type", "application/json"}});
  EXPECT_EQ(malformed.status, 400);
  auto form = testing::HttpRequest(server_.port(), "POST", "/api/users", "name=x",
                                   {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(form.status, 415);
  auto wrong_types =
      Call("POST", "/api/users", {{"name", 7}, {"email", true}, {"password", nullptr}});
  EXPECT_EQ(wrong_types.status, 422);
  EXPECT_EQ(Body(wrong_types)["error"]["details"].size(), 3u) << wrong_types.body;
  auto huge = Call("POST", "/api/users", {{"name", std::string(11 * 1024 * 1024, 'x')}});
  EXPECT_EQ(huge.status, 413);
  auto users = server_.store()->Query("SELECT COUNT(*) AS n FROM users", {});
  EXPECT_EQ(store::AsInt(users->At(0, "n")), 0);
}

TEST_P(IdentityHttpTest, DuplicateEmailIs409) {
  SignUp("alice");
  auto again = Call("POST", "/api/users",
                    {{"name", "Other"}, {"email", "ALICE@example.com"}, {"password", "password1"}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(Body(again)["error"]["code"], "conflict");
}

TEST_P(IdentityHttpTest, TooManyFailedLoginsGet429WithRetryAfter) {
  SignUp("alice");
  HttpReply last;
  for (int i = 0; i < 11; ++i) {
    last = Call("POST", "/api/auth/login",
                {{"email", "alice@example.com"}, {"password", "wrong-password"}});
  }
  EXPECT_EQ(last.status, 429);
  const int retry_after = std::atoi(last.Header("retry-after").c_str());
  EXPECT_GT(retry_after, 0);
  EXPECT_LE(retry_after, 60);
}

TEST_P(IdentityHttpTest, AvatarUploadIsServedBackAsAnImage) {
  const std::string token = SignUp("alice");
  const std::string boundary = "----maestro-test-boundary";
  const std::string body =
      "--" + boundary +
      "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"me.png\"\r\n"
      "Content-Type: image/png\r\n\r\n" +
      kPng + "\r\n--" + boundary + "--\r\n";
  auto uploaded =
      testing::HttpRequest(server_.port(), "PUT", "/api/me/avatar", body,
                           {{"Authorization", "Bearer " + token},
                            {"Content-Type", "multipart/form-data; boundary=" + boundary}});
  ASSERT_EQ(uploaded.status, 200) << uploaded.body;
  const std::string url = Body(uploaded)["avatar"];
  auto image = testing::HttpRequest(server_.port(), "GET", url);
  EXPECT_EQ(image.status, 200);
  EXPECT_EQ(image.body, kPng);
  EXPECT_EQ(image.Header("content-type"), "image/png");
  EXPECT_EQ(image.Header("x-content-type-options"), "nosniff");

  auto as_json = Call("PUT", "/api/me/avatar", {{"file", "x"}}, token);
  EXPECT_EQ(as_json.status, 415);
  EXPECT_EQ(testing::HttpRequest(server_.port(), "GET", "/api/avatars/..%2Fsecrets.json").status,
            404);
}

TEST_P(IdentityHttpTest, ForgotAlwaysAnswers202) {
  SignUp("alice");
  EXPECT_EQ(Call("POST", "/api/auth/forgot", {{"email", "alice@example.com"}}).status, 202);
  EXPECT_EQ(Call("POST", "/api/auth/forgot", {{"email", "nobody@example.com"}}).status, 202);
  EXPECT_EQ(Call("POST", "/api/auth/reset", {{"token", "nope"}, {"password", "password2"}}).status,
            400);
}

TEST_P(IdentityHttpTest, TeamsWithMembers) {
  const std::string alice = SignUp("alice");
  const std::string bob = SignUp("bob");
  const std::string bob_id = Body(Call("GET", "/api/me", nullptr, bob))["id"];
  auto team = Call("POST", "/api/teams", {{"name", "Platform"}}, alice);
  ASSERT_EQ(team.status, 201) << team.body;
  const std::string id = Body(team)["id"];
  EXPECT_EQ(Call("GET", "/api/teams/" + id, nullptr, bob).status, 404) << "not a member yet";
  auto added =
      Call("POST", "/api/teams/" + id + "/members", {{"user", bob_id}, {"role", "read"}}, alice);
  EXPECT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(Call("GET", "/api/teams/" + id, nullptr, bob).status, 200);
  EXPECT_EQ(Call("PATCH", "/api/teams/" + id, {{"name", "Mine"}}, bob).status, 403);
  auto list = Call("GET", "/api/teams?limit=501", nullptr, alice);
  EXPECT_EQ(list.status, 400);
  EXPECT_EQ(Body(Call("GET", "/api/teams", nullptr, bob))["total"], 1);
  auto last_admin = Call("DELETE",
                         "/api/teams/" + id + "/members/" +
                             std::string(Body(Call("GET", "/api/me", nullptr, alice))["id"]),
                         nullptr, alice);
  EXPECT_EQ(last_admin.status, 409);
}

TEST_P(IdentityHttpTest, OpenApiMarksProtectedRoutes) {
  auto doc = Body(Call("GET", "/api/openapi.json"));
  EXPECT_TRUE(doc["paths"]["/api/me"]["get"].contains("security"));
  EXPECT_FALSE(doc["paths"]["/api/auth/login"]["post"].contains("security"));
  EXPECT_TRUE(doc["paths"]["/api/me/avatar"]["put"]["requestBody"]["content"].contains(
      "multipart/form-data"));
}

INSTANTIATE_TEST_SUITE_P(Backends, IdentityHttpTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace maestro
