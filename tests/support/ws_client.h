// WsClient: a minimal WebSocket client for tests of GET /ws — the upgrade, text messages both
// ways (client frames masked, as RFC 6455 requires), and the server's close code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace maestro::testing {

class WsClient {
 public:
  // Connects to 127.0.0.1:port and asks to upgrade `target` ("/ws?token=…").
  WsClient(std::uint16_t port, const std::string& target);
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // The HTTP status of the upgrade answer: 101 when upgraded.
  int status() const { return status_; }
  bool Send(const std::string& text);
  // The next text message within `timeout_ms`; nullopt on timeout or when the server closed
  // (then close_code() says with what).
  std::optional<std::string> Receive(int timeout_ms = 5000);
  int close_code() const { return close_code_; }

 private:
  bool ReadExactly(std::string& out, std::size_t size, int timeout_ms);

  int fd_ = -1;
  int status_ = 0;
  int close_code_ = 0;
  std::string buffer_;  // bytes received past what was parsed
};

}  // namespace maestro::testing
