#include "blobs/s3_blob_store.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <mutex>

namespace maestro::blobs {
namespace {

// curl_global_init is not guaranteed thread-safe on every build of libcurl: run it once, before
// the first handle, however many threads get here together. It is reference-counted, so other
// modules calling it too is harmless.
void EnsureCurl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using HeaderList = std::unique_ptr<curl_slist, CurlDeleter>;

std::string Sha256Hex(std::string_view bytes) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
}

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Keeps the Content-Type response header.
size_t KeepContentType(char* data, size_t size, size_t count, void* user) {
  std::string_view line(data, size * count);
  constexpr std::string_view kName = "content-type:";
  if (line.size() > kName.size() &&
      std::equal(kName.begin(), kName.end(), line.begin(),
                 [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); })) {
    line.remove_prefix(kName.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ')) {
      line.remove_suffix(1);
    }
    *static_cast<std::string*>(user) = std::string(line);
  }
  return size * count;
}

struct Reply {
  long status = 0;
  std::string body;
  std::string content_type;
};

// One signed request. `method` is PUT, GET or DELETE; `body` and `content_type` are sent for PUT.
Result<Reply> Perform(const S3BlobSettings& settings, const std::string& url,
                      std::string_view method, std::string_view key, std::string_view body,
                      std::string_view content_type) {
  EnsureCurl();
  CurlHandle curl(curl_easy_init());
  if (!curl) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  CURL* handle = curl.get();
  Reply reply;
  const std::string signing = fmt::format("aws:amz:{}:s3", settings.region);
  // x-amz-content-sha256 is mandatory for S3 and is what SigV4 signs as the payload hash.
  std::string headers_text[] = {
      "x-amz-content-sha256: " + Sha256Hex(body),
      content_type.empty() ? std::string() : "Content-Type: " + std::string(content_type),
      "Expect:",  // no 100-continue round trip for large bodies
  };
  curl_slist* raw_headers = nullptr;
  for (const auto& header : headers_text) {
    if (header.empty()) continue;
    curl_slist* next = curl_slist_append(raw_headers, header.c_str());
    if (next == nullptr) {
      curl_slist_free_all(raw_headers);
      return Fail(ErrorCode::kInternal, "curl_slist_append failed");
    }
    raw_headers = next;
  }
  HeaderList headers(raw_headers);
  const std::string method_text(method);
  const long timeout_ms = static_cast<long>(settings.timeout.count());

  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 10000L));
  curl_easy_setopt(handle, CURLOPT_AWS_SIGV4, signing.c_str());
  curl_easy_setopt(handle, CURLOPT_USERNAME, settings.access_key.c_str());
  curl_easy_setopt(handle, CURLOPT_PASSWORD, settings.secret_key.c_str());
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, KeepContentType);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &reply.content_type);
  if (method == "PUT") {
    // The body goes as "post fields" under a custom method: curl then knows the payload up
    // front (Content-Length, and the same bytes the signature's payload hash covers).
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
  } else if (method == "DELETE") {
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, "DELETE");
  }
  const CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    return Fail(ErrorCode::kUnavailable,
                fmt::format("S3 {} of '{}' in bucket '{}' failed: {}", method_text, key,
                            settings.bucket, curl_easy_strerror(code)));
  }
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply.status);
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
