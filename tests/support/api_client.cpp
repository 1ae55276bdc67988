#include "support/api_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace maestro::testing {

HttpReply ApiClient::Call(const std::string& method, const std::string& target,
                          const std::string& token, const nlohmann::json& body,
                          std::vector<std::pair<std::string, std::string>> headers) const {
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  std::string text;
  if (!body.is_null()) {
    headers.emplace_back("Content-Type", "application/json");
    text = body.dump();
  }
  return HttpRequest(port_, method, target, text, headers);
}

nlohmann::json ApiClient::Body(const HttpReply& reply) {
  return nlohmann::json::parse(reply.body, nullptr, false);
}

ApiClient::User ApiClient::SignUp(const std::string& name) const {
  const std::string email = name + "@example.com";
  auto registered =
      Call("POST", "/api/users", {}, {{"name", name}, {"email", email}, {"password", "password1"}});
  EXPECT_EQ(registered.status, 201) << registered.body;
  auto login = Call("POST", "/api/auth/login", {}, {{"email", email}, {"password", "password1"}});
  EXPECT_EQ(login.status, 200) << login.body;
  const auto body = Body(login);
  return {Body(registered).value("id", ""), body.is_object() ? body.value("token", "") : ""};
}

nlohmann::json ApiClient::AwaitJob(const std::string& token, const std::string& id,
                                   int timeout_ms) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  nlohmann::json job;
  while (std::chrono::steady_clock::now() < deadline) {
    job = Body(Call("GET", "/api/jobs/" + id, token));
    const std::string status = job.value("status", "");
    if (status == "succeeded" || status == "failed" || status == "cancelled") return job;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "job " << id << " did not end in " << timeout_ms << " ms: " << job.dump();
  return job;
}

}  // namespace maestro::testing
