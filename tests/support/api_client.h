// ApiClient: JSON calls to a Maestro server under test, with the helpers every HTTP test needs
// (sign up and sign in, parse the body).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "support/http_client.h"

namespace maestro::testing {

class ApiClient {
 public:
  explicit ApiClient(std::uint16_t port) : port_(port) {}

  // A request with an optional bearer token and JSON body (null = no body).
  HttpReply Call(const std::string& method, const std::string& target,
                 const std::string& token = {}, const nlohmann::json& body = nullptr,
                 std::vector<std::pair<std::string, std::string>> headers = {}) const;

  // The reply's body as JSON (discarded value when it is not JSON).
  static nlohmann::json Body(const HttpReply& reply);

  struct User {
    std::string id;
    std::string token;
  };
  // Registers name@example.com (password "password1") and signs in. Records a test failure
  // when either step fails.
  User SignUp(const std::string& name) const;

  // Polls GET /api/jobs/<id> until the job has ended (succeeded, failed or cancelled) and returns
  // it; records a test failure and returns the last answer after `timeout_ms`.
  nlohmann::json AwaitJob(const std::string& token, const std::string& id,
                          int timeout_ms = 30000) const;

 private:
  std::uint16_t port_;
};

}  // namespace maestro::testing
