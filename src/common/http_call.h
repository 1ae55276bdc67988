// HttpCall: one outgoing HTTP request through libcurl — webhooks, S3, and later the providers'
// APIs. Blocking; thread-safe (a handle per call).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace maestro {

struct HttpCall {
  std::string method = "GET";        // any method; a body is sent whatever the method
  std::string url;                   // http:// or https:// only
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::chrono::milliseconds timeout{30000};
  // AWS Signature V4 by libcurl ("aws:amz:<region>:<service>"), signed with username (access key)
  // and password (secret key). Empty: unsigned.
  std::string aws_sigv4;
  std::string username;
  std::string password;
  std::size_t max_reply = 16 * 1024 * 1024;  // a longer reply body is an error
};

struct HttpReply {
  long status = 0;
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case, in order

  // The first header of that name, or "" when absent.
  std::string Header(std::string_view lower_name) const;
};

// kUnavailable (naming the method and URL) when no answer came: connection refused, timeout,
// TLS failure, reply too large. Any HTTP status is an answer.
Result<HttpReply> Perform(const HttpCall& call);

}  // namespace maestro
