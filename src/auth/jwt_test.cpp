#include "auth/jwt.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace maestro::auth {
namespace {

using nlohmann::json;

const std::string kSecret(40, 'k');
const TimePoint kNow = TimePoint{} + std::chrono::seconds(1'800'000'000);

std::int64_t At(std::chrono::seconds offset) {
  return std::chrono::duration_cast<std::chrono::seconds>((kNow + offset).time_since_epoch())
      .count();
}

TEST(JwtTest, RoundTripsClaims) {
  const std::string token = SignJwt({{"sub", "u1"}, {"exp", At(std::chrono::hours(1))}}, kSecret);
  auto claims = VerifyJwt(token, kSecret, kNow);
  ASSERT_TRUE(claims) << claims.error().message;
  EXPECT_EQ((*claims)["sub"], "u1");
}

TEST(JwtTest, RejectsExpiredAndNotYetValidTokens) {
  auto expired = VerifyJwt(SignJwt({{"sub", "u1"}, {"exp", At(-std::chrono::seconds(1))}}, kSecret),
                           kSecret, kNow);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kUnauthorized);
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
  EXPECT_FALSE(VerifyJwt(SignJwt({{"sub", "u1"}, {"exp", At(std::chrono::seconds(0))}}, kSecret),
                         kSecret, kNow));
  EXPECT_FALSE(VerifyJwt(
      SignJwt(
          {{"sub", "u1"}, {"exp", At(std::chrono::hours(2))}, {"nbf", At(std::chrono::hours(1))}},
          kSecret),
      kSecret, kNow));
}

TEST(JwtTest, RequiresAnExpiry) {
  EXPECT_FALSE(VerifyJwt(SignJwt({{"sub", "u1"}}, kSecret), kSecret, kNow));
  EXPECT_FALSE(VerifyJwt(SignJwt({{"sub", "u1"}, {"exp", "tomorrow"}}, kSecret), kSecret, kNow));
}

TEST(JwtTest, RejectsAnotherSecret) {
  const std::string token = SignJwt({{"sub", "u1"}, {"exp", At(std::chrono::hours(1))}}, kSecret);
  auto result = VerifyJwt(token, std::string(40, 'x'), kNow);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("signature"), std::string::npos);
}

TEST(JwtTest, RejectsAlgorithmConfusion) {
  const std::string payload =
      Base64UrlEncode(json{{"sub", "admin"}, {"exp", At(std::chrono::hours(1))}}.dump());
  // alg "none" with an empty signature.
  const std::string none = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".";
  EXPECT_FALSE(VerifyJwt(none, kSecret, kNow));
  // A valid HMAC but a header naming another algorithm.
  const std::string other = SignJwt({{"sub", "x"}, {"exp", At(std::chrono::hours(1))}}, kSecret);
  const std::string rs =
      Base64UrlEncode(R"({"alg":"RS256","typ":"JWT"})") + other.substr(other.find('.'));
  EXPECT_FALSE(VerifyJwt(rs, kSecret, kNow));
}

TEST(JwtTest, RejectsTamperedPayloadAndMalformedTokens) {
  const std::string token = SignJwt({{"sub", "u1"}, {"exp", At(std::chrono::hours(1))}}, kSecret);
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  const std::string forged =
      token.substr(0, first + 1) +
      Base64UrlEncode(json{{"sub", "admin"}, {"exp", At(std::chrono::hours(1))}}.dump()) +
      token.substr(second);
  EXPECT_FALSE(VerifyJwt(forged, kSecret, kNow));
  for (const char* bad : {"", "abc", "a.b", "a.b.c.d", "..", "!!.??.**"}) {
    EXPECT_FALSE(VerifyJwt(bad, kSecret, kNow)) << bad;
  }
}

TEST(Base64UrlTest, RoundTripsBinary) {
  const std::string bytes("\x00\xff\xfe?>/+", 7);
  EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes);
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_FALSE(Base64UrlDecode("a+b/"));
}

}  // namespace
}  // namespace maestro::auth
