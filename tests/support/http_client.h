// A minimal blocking HTTP/1.1 client for tests (one request per connection, loopback only).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace maestro::testing {

struct HttpReply {
  int status = 0;  // 0 when the connection failed or closed without an answer
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string Header(const std::string& lower_name) const;
};

HttpReply HttpRequest(std::uint16_t port, const std::string& method, const std::string& target,
                      const std::string& body = {},
                      const std::vector<std::pair<std::string, std::string>>& headers = {});

// As curl sends a large body: the head with "Expect: 100-continue", then the body once the server
// answers "100 Continue", or after `wait` without an answer. `interim` is what the server sent
// before the body (empty when it did not answer in time).
struct ContinuedReply {
  std::string interim;
  HttpReply reply;
};
ContinuedReply HttpRequestExpectingContinue(
    std::uint16_t port, const std::string& method, const std::string& target,
    const std::string& body, std::chrono::milliseconds wait,
    const std::vector<std::pair<std::string, std::string>>& headers = {});

// A port that was free a moment ago (for starting the binary, which binds it itself).
std::uint16_t FreePort();

}  // namespace maestro::testing
