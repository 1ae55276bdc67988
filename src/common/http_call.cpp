#include "common/http_call.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "common/curl.h"

namespace maestro {
namespace {

struct Sink {
  std::string* body;
  std::size_t limit;
  bool overflow = false;
};

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  if (sink->body->size() + size * count > sink->limit) {
    sink->overflow = true;
    return 0;  // stops the transfer
  }
  sink->body->append(data, size * count);
  return size * count;
}

// Keeps each response header (name in lower case), and the Content-Type apart.
size_t KeepHeader(char* data, size_t size, size_t count, void* user) {
  auto* reply = static_cast<HttpReply*>(user);
  std::string_view line(data, size * count);
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;  // status line or the blank end
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  line.remove_prefix(colon + 1);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ')) {
    line.remove_suffix(1);
  }
  if (name == "content-type") reply->content_type = std::string(line);
  reply->headers.emplace_back(std::move(name), std::string(line));
  return size * count;
}

}  // namespace

Result<HttpReply> Perform(const HttpCall& call) {
  EnsureCurl();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  CURL* handle = curl.get();
  curl_slist* raw_headers = nullptr;
  for (const auto& header : call.headers) {
    curl_slist* next = curl_slist_append(raw_headers, header.c_str());
    if (next == nullptr) {
      curl_slist_free_all(raw_headers);
      return Fail(ErrorCode::kInternal, "curl_slist_append failed");
    }
    raw_headers = next;
  }
  std::unique_ptr<curl_slist, CurlDeleter> headers(raw_headers);
  HttpReply reply;
  Sink sink{.body = &reply.body, .limit = call.max_reply};
  const long timeout_ms = static_cast<long>(call.timeout.count());
  curl_easy_setopt(handle, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 10000L));
  if (!call.aws_sigv4.empty()) {
    curl_easy_setopt(handle, CURLOPT_AWS_SIGV4, call.aws_sigv4.c_str());
    curl_easy_setopt(handle, CURLOPT_USERNAME, call.username.c_str());
    curl_easy_setopt(handle, CURLOPT_PASSWORD, call.password.c_str());
  }
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, KeepHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &reply);
  if (call.method == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else if (call.method != "GET" || !call.body.empty()) {
    // The body goes as "post fields" under the method: curl then knows the payload up front
    // (Content-Length, and the same bytes a signature's payload hash covers).
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, call.method.c_str());
    if ((call.method != "GET" && call.method != "DELETE") || !call.body.empty()) {
      curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(call.body.size()));
      curl_easy_setopt(handle, CURLOPT_POSTFIELDS, call.body.empty() ? "" : call.body.data());
    }
  }
  const CURLcode code = curl_easy_perform(handle);
  if (sink.overflow) {
    return Fail(ErrorCode::kUnavailable, fmt::format("{} {}: the reply is over {} bytes",
                                                     call.method, call.url, call.max_reply));
  }
  if (code != CURLE_OK) {
    return Fail(ErrorCode::kUnavailable,
                fmt::format("{} {} failed: {}", call.method, call.url, curl_easy_strerror(code)));
  }
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

std::string HttpReply::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

}  // namespace maestro
