// Share tokens (forged, tampered, expired, foreign ones are all "not found") and the public page.
#include "analytics/share.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "auth/jwt.h"

namespace maestro::analytics {
namespace {

const std::string kSecret(40, 'p');
const TimePoint kNow = TimePoint{} + std::chrono::seconds(1'800'000'000);
const std::string kGraph = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

TEST(ShareTokenTest, CarriesTheGraphAndItsEpoch) {
  const std::string token = SignShareToken({.graph_id = kGraph, .epoch = 7}, kSecret, kNow);
  auto claims = VerifyShareToken(token, kSecret, kNow + std::chrono::hours(24 * 365));
  ASSERT_TRUE(claims) << claims.error().message;
  EXPECT_EQ(claims->graph_id, kGraph);
  EXPECT_EQ(claims->epoch, 7);
}

TEST(ShareTokenTest, AnythingElseIsNotFound) {
  const std::string token = SignShareToken({.graph_id = kGraph, .epoch = 1}, kSecret, kNow);
  auto payload_of = [](std::int64_t epoch) {
    return auth::Base64UrlEncode(
        nlohmann::json(
            {{"aud", "graph-share"}, {"graph", kGraph}, {"epoch", epoch}, {"exp", 1'900'000'000}})
            .dump());
  };
  const auto first = token.find('.'), second = token.rfind('.');
  struct Case {
    std::string token;
    std::string why;
    TimePoint at = kNow;
  };
  const std::vector<Case> cases = {
      {SignShareToken({.graph_id = kGraph, .epoch = 1}, std::string(40, 'x'), kNow),
       "signed with another secret"},
      {token.substr(0, first + 1) + payload_of(2) + token.substr(second), "payload changed"},
      {token, "expired", kNow + kShareLife + std::chrono::seconds(1)},
      {auth::SignJwt({{"sub", kGraph}, {"exp", 1'900'000'000}}, kSecret),
       "another kind of token signed with the same secret"},
      {auth::SignJwt(
           {{"aud", "graph-share"}, {"graph", "../etc"}, {"epoch", 1}, {"exp", 1'900'000'000}},
           kSecret),
       "a graph that is not an id"},
      {"not-a-token", "malformed"},
      {"", "empty"},
      {token + ".svg", "a file name, not a token"},
  };
  for (const auto& c : cases) {
    auto claims = VerifyShareToken(c.token, kSecret, c.at);
    ASSERT_FALSE(claims) << c.why;
    EXPECT_EQ(claims.error().code, ErrorCode::kNotFound) << c.why;
  }
}

TEST(PublicPageTest, EmbedsTheSvgWithAnEscapedTitleAndAScriptThePolicyAllows) {
  const std::string svg =
      "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><g/></svg>";
  const std::string page = PublicPage("A <b>&\"shop\"</b>", svg, "TOKEN.svg");
  EXPECT_NE(page.find("<title>A &lt;b&gt;&amp;&quot;shop&quot;&lt;/b&gt; — Maestro</title>"),
            std::string::npos)
      << page;
  EXPECT_EQ(page.find("<?xml"), std::string::npos) << "inline SVG has no XML declaration";
  EXPECT_NE(page.find("<div id=\"view\"><svg xmlns"), std::string::npos);
  EXPECT_NE(page.find("<a href=\"TOKEN.svg\">SVG</a>"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos) << "nothing is fetched";
  // The policy lets exactly the page's script run: its hash.
  const auto open = page.find("<script>") + 8;
  const std::string script = page.substr(open, page.find("</script>") - open);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(script.data()), script.size());
  char hash[sodium_base64_ENCODED_LEN(sizeof digest, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(hash, sizeof hash, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
  EXPECT_NE(PublicPagePolicy().find(std::string("script-src 'sha256-") + hash + "'"),
            std::string::npos)
      << PublicPagePolicy();
  EXPECT_NE(PublicPagePolicy().find("default-src 'none'"), std::string::npos);
}

}  // namespace
}  // namespace maestro::analytics
