#include "http/websocket_hub.h"

#include <nlohmann/json.hpp>

#include "common/json_util.h"

namespace maestro::http {

namespace {
constexpr std::uint16_t kUnauthorized = 4401;  // application close code: sign in again
}

WebSocketHub::WebSocketHub(Authenticator authenticate, MetricsRegistry* metrics)
    : authenticate_(std::move(authenticate)), metrics_(metrics) {
  if (metrics_ != nullptr) {
    metrics_->Describe("maestro_websocket_connections", MetricType::kGauge,
                       "WebSocket connections open on this node.");
  }
}

Result<auth::Principal> WebSocketHub::Authenticate(std::string_view token) const {
  if (!authenticate_) return Fail(ErrorCode::kUnauthorized, "no authentication on this server");
  return authenticate_("Bearer " + std::string(token));
}

void WebSocketHub::Open(std::uint64_t id, std::optional<auth::Principal> principal, Send send,
                        Close close) {
  std::lock_guard lock(mutex_);
  const std::string user = principal ? principal->user_id : std::string();
  connections_[id] = {std::move(principal), std::move(send), std::move(close)};
  if (!user.empty()) by_user_[user].insert(id);
  if (metrics_ != nullptr) {
    metrics_->Set("maestro_websocket_connections", {}, static_cast<double>(connections_.size()));
  }
}

void WebSocketHub::Message(std::uint64_t id, std::string_view text) {
  auto parsed = ParseJson(text);
  std::lock_guard lock(mutex_);
  auto found = connections_.find(id);
  if (found == connections_.end()) return;
  Connection& connection = found->second;
  if (!parsed || !parsed->is_object()) return;  // not ours to answer
  if (parsed->contains("token") && (*parsed)["token"].is_string()) {
    auto principal = Authenticate((*parsed)["token"].get<std::string>());
    if (!principal) {
      connection.close(kUnauthorized, principal.error().message);
      return;
    }
    if (connection.principal) by_user_[connection.principal->user_id].erase(id);
    connection.principal = std::move(*principal);
    by_user_[connection.principal->user_id].insert(id);
    connection.send(
        nlohmann::json{{"type", "ready"}, {"user", connection.principal->user_id}}.dump());
    return;
  }
  if (parsed->value("type", "") == "ping") connection.send(R"({"type":"pong"})");
}

void WebSocketHub::Closed(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto found = connections_.find(id);
  if (found == connections_.end()) return;
  if (found->second.principal) {
    auto user = by_user_.find(found->second.principal->user_id);
    if (user != by_user_.end()) {
      user->second.erase(id);
      if (user->second.empty()) by_user_.erase(user);
    }
  }
  connections_.erase(found);
  if (metrics_ != nullptr) {
    metrics_->Set("maestro_websocket_connections", {}, static_cast<double>(connections_.size()));
  }
}

void WebSocketHub::Deliver(const notify::Delivery& delivery) {
  std::lock_guard lock(mutex_);
  for (const auto& user : delivery.users) {
    auto ids = by_user_.find(user);
    if (ids == by_user_.end()) continue;
    for (auto id : ids->second) {
      auto connection = connections_.find(id);
      if (connection != connections_.end()) connection->second.send(delivery.message);
    }
  }
}

void WebSocketHub::CloseAll() {
  std::lock_guard lock(mutex_);
  for (auto& [id, connection] : connections_) connection.close(1001, "the server is stopping");
  connections_.clear();
  by_user_.clear();
}

std::size_t WebSocketHub::size() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

}  // namespace maestro::http
