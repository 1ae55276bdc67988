// A minimal blocking HTTP/1.1 client for tests (one request per connection, loopback only).
#pragma once

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

// A port that was free a moment ago (for starting the binary, which binds it itself).
std::uint16_t FreePort();

}  // namespace maestro::testing
