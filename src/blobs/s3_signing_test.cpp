// S3BlobStore's requests as a server sees them, checked against a one-shot local listener:
// s3rver accepts any signature, so the SigV4 signature is recomputed here, independently.
#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <chrono>
#include <regex>

#include "blobs/s3_blob_store.h"
#include "support/capture_server.h"
#include "support/http_client.h"

namespace maestro::blobs {
namespace {

using namespace std::string_literals;

constexpr char kAccessKey[] = "AKIDEXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kRegion[] = "eu-west-3";
constexpr char kBucket[] = "maestro-test";

S3BlobSettings SettingsFor(std::string endpoint) {
  return S3BlobSettings{.endpoint = std::move(endpoint),
                        .region = kRegion,
                        .bucket = kBucket,
                        .access_key = kAccessKey,
                        .secret_key = kSecret,
                        .timeout = std::chrono::seconds(10)};
}

std::string Hex(std::string_view raw) {
  std::string hex(raw.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  hex.pop_back();
  return hex;
}

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(data.data()),
                     data.size());
  return Hex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  crypto_auth_hmacsha256_state state;
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
  return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
}

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find(separator, start)) != std::string::npos; start = end + 1) {
    parts.push_back(text.substr(start, end - start));
  }
  parts.push_back(text.substr(start));
  return parts;
}

// Recomputes the AWS Signature V4 of a received S3 request from the documented algorithm, with
// x-amz-content-sha256 as the payload hash (as S3 does), and compares it with the one sent.
// Returns "" when it matches, else what differs.
std::string CheckSignature(const testing::CapturedRequest& request, const std::string& secret) {
  static const std::regex kShape(
      "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/s3/aws4_request, "
      "SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");
  std::smatch match;
  const std::string authorization = request.Header("authorization");
  if (!std::regex_match(authorization, match, kShape)) return "bad shape: " + authorization;
  const std::string date = match[2], region = match[3], signed_headers = match[4];
  const std::string amz_date = request.Header("x-amz-date");
  if (amz_date.substr(0, 8) != date) return "x-amz-date '" + amz_date + "' is not of " + date;

  std::string canonical_headers;
  for (const auto& name : Split(signed_headers, ';')) {
    canonical_headers += name + ":" + request.Header(name) + "\n";
  }
  const auto question = request.target.find('?');
  const std::string canonical_request =
      request.method + "\n" + request.target.substr(0, question) + "\n" +
      (question == std::string::npos ? "" : request.target.substr(question + 1)) + "\n" +
      canonical_headers + "\n" + signed_headers + "\n" + request.Header("x-amz-content-sha256");
  const std::string scope = date + "/" + region + "/s3/aws4_request";
  const std::string string_to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + Sha256Hex(canonical_request);
  const std::string signing_key = HmacSha256(
      HmacSha256(HmacSha256(HmacSha256("AWS4" + secret, date), region), "s3"), "aws4_request");
  const std::string expected = Hex(HmacSha256(signing_key, string_to_sign));
  if (expected != match[5]) return "signature " + match[5].str() + ", expected " + expected;
  return {};
}

TEST(S3SigningTest, SignsAPutWithThePayloadHashItSends) {
  testing::CaptureServer server(200);
  S3BlobStore store(SettingsFor(server.url()));
  const std::string body = "\x89PNG\r\n\x1a\n\0\xff binary\r\n"s;
  ASSERT_TRUE(store.Put("avatars/01j9.png", body, "image/png"));
  auto request = server.Wait();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->method, "PUT");
  EXPECT_EQ(request->target, "/maestro-test/avatars/01j9.png");
  EXPECT_EQ(request->body, body);
  EXPECT_EQ(request->Header("content-type"), "image/png");
  EXPECT_EQ(request->Header("x-amz-content-sha256"), Sha256Hex(body));

  const std::string authorization = request->Header("authorization");
  EXPECT_TRUE(std::regex_match(
      authorization,
      std::regex("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\\d{8}/eu-west-3/s3/aws4_request, "
                 "SignedHeaders=([a-z0-9-]+;)*x-amz-content-sha256(;[a-z0-9-]+)*, "
                 "Signature=[0-9a-f]{64}")))
      << authorization;
  EXPECT_EQ(authorization.find(kSecret), std::string::npos);
  EXPECT_EQ(CheckSignature(*request, kSecret), "");
  EXPECT_NE(CheckSignature(*request, "another secret"), "") << "the check can fail";
}

TEST(S3SigningTest, SignsAGetWithTheEmptyPayloadHashAndReturnsTheStoredType) {
  testing::CaptureServer server(200, "stored bytes", {{"Content-Type", "image/webp"}});
  S3BlobStore store(SettingsFor(server.url() + "/"));  // a trailing slash changes nothing
  auto blob = store.Get("a/b.webp");
  ASSERT_TRUE(blob) << blob.error().message;
  EXPECT_EQ(blob->bytes, "stored bytes");
  EXPECT_EQ(blob->content_type, "image/webp");
  auto request = server.Wait();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->method, "GET");
  EXPECT_EQ(request->target, "/maestro-test/a/b.webp");
  EXPECT_EQ(request->Header("x-amz-content-sha256"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(CheckSignature(*request, kSecret), "");
}

TEST(S3SigningTest, SignsADelete) {
  testing::CaptureServer server(204);
  S3BlobStore store(SettingsFor(server.url()));
  ASSERT_TRUE(store.Delete("a/b.webp"));
  auto request = server.Wait();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->method, "DELETE");
  EXPECT_EQ(request->target, "/maestro-test/a/b.webp");
  EXPECT_EQ(CheckSignature(*request, kSecret), "");
}

TEST(S3SigningTest, ARefusalIsUnavailableNamingBucketAndKeyButNotTheSecret) {
  testing::CaptureServer server(
      403, "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code></Error>");
  S3BlobStore store(SettingsFor(server.url()));
  auto put = store.Put("avatars/x.png", "x", "image/png");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, ErrorCode::kUnavailable);
  const std::string& message = put.error().message;
  EXPECT_NE(message.find("maestro-test"), std::string::npos) << message;
  EXPECT_NE(message.find("avatars/x.png"), std::string::npos) << message;
  EXPECT_NE(message.find("403"), std::string::npos) << message;
  EXPECT_NE(message.find("SignatureDoesNotMatch"), std::string::npos) << message;
  EXPECT_EQ(message.find(kSecret), std::string::npos) << message;
}

TEST(S3SigningTest, MissingObjectIsNotFoundButMissingBucketIsUnavailable) {
  {
    testing::CaptureServer server(404, "<Error><Code>NoSuchKey</Code></Error>");
    auto blob = S3BlobStore(SettingsFor(server.url())).Get("gone");
    ASSERT_FALSE(blob);
    EXPECT_EQ(blob.error().code, ErrorCode::kNotFound);
  }
  {
    testing::CaptureServer server(404, "<Error><Code>NoSuchBucket</Code></Error>");
    auto blob = S3BlobStore(SettingsFor(server.url())).Get("gone");
    ASSERT_FALSE(blob);
    EXPECT_EQ(blob.error().code, ErrorCode::kUnavailable);
  }
  {
    testing::CaptureServer server(404, "<Error><Code>NoSuchBucket</Code></Error>");
    auto removed = S3BlobStore(SettingsFor(server.url())).Delete("gone");
    ASSERT_FALSE(removed);
    EXPECT_EQ(removed.error().code, ErrorCode::kUnavailable);
  }
}

TEST(S3SigningTest, AnEndpointNobodyListensOnIsUnavailable) {
  S3BlobStore store(SettingsFor("http://127.0.0.1:" + std::to_string(testing::FreePort())));
  auto put = store.Put("x", "x", "text/plain");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(put.error().message.find("maestro-test"), std::string::npos) << put.error().message;
  EXPECT_EQ(put.error().message.find(kSecret), std::string::npos);
}

TEST(S3SigningTest, RefusesBadKeysWithoutARequest) {
  S3BlobStore store(SettingsFor("http://127.0.0.1:1"));
  for (const char* key : {"../x", "/x", "A", ""}) {
    auto put = store.Put(key, "x", "text/plain");
    ASSERT_FALSE(put) << key;
    EXPECT_EQ(put.error().code, ErrorCode::kBadRequest) << key;
  }
  auto put = store.Put("x", "x", "text/plain\nX: y");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, ErrorCode::kBadRequest);
}

TEST(S3SigningTest, AddressesAwsVirtualHostStyleAndOthersPathStyle) {
  auto aws = SettingsFor("");
  EXPECT_EQ(S3BlobStore(aws).UrlOf("a/b.png"),
            "https://maestro-test.s3.eu-west-3.amazonaws.com/a/b.png");
  EXPECT_EQ(S3BlobStore(aws).Describe(), "s3://maestro-test@eu-west-3");
  EXPECT_EQ(S3BlobStore(SettingsFor("http://minio:9000")).UrlOf("a/b.png"),
            "http://minio:9000/maestro-test/a/b.png");
  EXPECT_EQ(S3BlobStore(SettingsFor("http://minio:9000")).Describe(),
            "s3://maestro-test@http://minio:9000");
}

}  // namespace
}  // namespace maestro::blobs
