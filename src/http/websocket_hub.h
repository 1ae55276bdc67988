// WebSocketHub: the live connections of GET /ws and what they are sent (API.md, Real time).
//
// A connection authenticates with ?token=<jwt or API token> at the upgrade (a bad token is refused
// with 401 before upgrading) or with a first message {"token": "..."} (a bad one closes the
// connection with code 4401). Until then it receives nothing. Deliver() sends a message to every
// authenticated connection of the users named in its audience. {"type":"ping"} is answered
// {"type":"pong"}.
//
// Independent of the socket library: the server gives each connection its send and close
// functions. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "auth/principal.h"
#include "common/error.h"
#include "common/metrics.h"
#include "notify/events.h"

namespace maestro::http {

class WebSocketHub {
 public:
  using Authenticator = std::function<Result<auth::Principal>(std::string_view authorization)>;
  using Send = std::function<void(const std::string& text)>;
  using Close = std::function<void(std::uint16_t code, const std::string& reason)>;

  WebSocketHub(Authenticator authenticate, MetricsRegistry* metrics);

  // The caller of a token (no "Bearer "), for the upgrade.
  Result<auth::Principal> Authenticate(std::string_view token) const;
  // A connection opened, authenticated already or not.
  void Open(std::uint64_t id, std::optional<auth::Principal> principal, Send send, Close close);
  void Message(std::uint64_t id, std::string_view text);
  void Closed(std::uint64_t id);
  // Sends to every connection of the delivery's users.
  void Deliver(const notify::Delivery& delivery);
  // Closes every connection (shutdown).
  void CloseAll();
  std::size_t size() const;

 private:
  struct Connection {
    std::optional<auth::Principal> principal;
    Send send;
    Close close;
  };
  void Authenticated(std::uint64_t id, const std::string& user_id);

  const Authenticator authenticate_;
  MetricsRegistry* metrics_;
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, Connection> connections_;
  std::unordered_map<std::string, std::unordered_set<std::uint64_t>> by_user_;
};

}  // namespace maestro::http
