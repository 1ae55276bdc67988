#include "blobs/s3_blob_store.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <mutex>

#include "common/http_call.h"

namespace maestro::blobs {
namespace {

std::string Sha256Hex(std::string_view bytes) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
}

using Reply = HttpReply;

// One signed request. `method` is PUT, GET or DELETE; `body` and `content_type` are sent for PUT.
Result<Reply> Perform(const S3BlobSettings& settings, const std::string& url,
                      std::string_view method, std::string_view key, std::string_view body,
                      std::string_view content_type) {
  HttpCall call{.method = std::string(method),
                .url = url,
                // x-amz-content-sha256 is mandatory for S3 and is what SigV4 signs as the payload
                // hash. No 100-continue round trip for large bodies.
                .headers = {"x-amz-content-sha256: " + Sha256Hex(body), "Expect:"},
                .body = std::string(body),
                .timeout = settings.timeout,
                .aws_sigv4 = fmt::format("aws:amz:{}:s3", settings.region),
                .username = settings.access_key,
                .password = settings.secret_key,
                .max_reply = 64ull * 1024 * 1024};
  if (!content_type.empty()) call.headers.push_back("Content-Type: " + std::string(content_type));
  auto reply = maestro::Perform(call);
  if (!reply) {
    return Fail(ErrorCode::kUnavailable,
                fmt::format("S3 {} of '{}' in bucket '{}' failed: {}", method, key, settings.bucket,
                            reply.error().message));
  }
  return reply;
}

bool IsSuccess(long status) { return status >= 200 && status < 300; }

tl::unexpected<Error> InvalidKey(std::string_view key) {
  return Fail(ErrorCode::kBadRequest, fmt::format("invalid blob key '{}'", key));
}

// The <Code> of an S3 error document ("AccessDenied"), for the error message.
std::string ErrorCodeOf(std::string_view body) {
  const auto start = body.find("<Code>");
  const auto end = body.find("</Code>");
  if (start == std::string_view::npos || end == std::string_view::npos || end < start) return {};
  return std::string(body.substr(start + 6, std::min<std::size_t>(end - start - 6, 64)));
}

tl::unexpected<Error> StatusError(const S3BlobSettings& settings, std::string_view method,
                                  std::string_view key, const Reply& reply) {
  const std::string code = ErrorCodeOf(reply.body);
  return Fail(ErrorCode::kUnavailable,
              fmt::format("S3 {} of '{}' in bucket '{}' answered HTTP {}{}", method, key,
                          settings.bucket, reply.status, code.empty() ? "" : " " + code));
}

}  // namespace

S3BlobStore::S3BlobStore(S3BlobSettings settings) : settings_(std::move(settings)) {}

std::string S3BlobStore::UrlOf(std::string_view key) const {
  // Keys are [a-z0-9._-/] only (IsValidKey), so they need no percent-encoding in a URL.
  if (settings_.endpoint.empty()) {
    return fmt::format("https://{}.s3.{}.amazonaws.com/{}", settings_.bucket, settings_.region,
                       key);
  }
  std::string_view endpoint = settings_.endpoint;
  while (endpoint.ends_with('/')) endpoint.remove_suffix(1);
  return fmt::format("{}/{}/{}", endpoint, settings_.bucket, key);
}

std::string S3BlobStore::Describe() const {
  return fmt::format("s3://{}@{}", settings_.bucket,
                     settings_.endpoint.empty() ? settings_.region : settings_.endpoint);
}

Status S3BlobStore::Put(std::string_view key, std::string_view bytes,
                        std::string_view content_type) {
  if (!IsValidKey(key)) return InvalidKey(key);
  if (!IsValidContentType(content_type)) {
    return Fail(ErrorCode::kBadRequest, fmt::format("invalid content type for blob '{}'", key));
  }
  auto reply = Perform(settings_, UrlOf(key), "PUT", key, bytes, content_type);
  if (!reply) return Fail(reply.error());
  if (!IsSuccess(reply->status)) return StatusError(settings_, "PUT", key, *reply);
  return {};
}

Result<Blob> S3BlobStore::Get(std::string_view key) {
  if (!IsValidKey(key)) return InvalidKey(key);
  auto reply = Perform(settings_, UrlOf(key), "GET", key, {}, {});
  if (!reply) return Fail(reply.error());
  if (reply->status == 404 && ErrorCodeOf(reply->body) != "NoSuchBucket") {
    return Fail(ErrorCode::kNotFound,
                fmt::format("no blob '{}' in bucket '{}'", key, settings_.bucket));
  }
  if (!IsSuccess(reply->status)) return StatusError(settings_, "GET", key, *reply);
  return Blob{std::move(reply->body), reply->content_type.empty() ? "application/octet-stream"
                                                                  : std::move(reply->content_type)};
}

Status S3BlobStore::Delete(std::string_view key) {
  if (!IsValidKey(key)) return InvalidKey(key);
  auto reply = Perform(settings_, UrlOf(key), "DELETE", key, {}, {});
  if (!reply) return Fail(reply.error());
  // Some S3-compatible stores answer 404 rather than 204 for a missing object; a missing bucket
  // is a configuration error all the same.
  if (reply->status == 404 && ErrorCodeOf(reply->body) != "NoSuchBucket") return {};
  if (!IsSuccess(reply->status)) return StatusError(settings_, "DELETE", key, *reply);
  return {};
}

}  // namespace maestro::blobs
