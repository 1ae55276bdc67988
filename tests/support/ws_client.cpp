#include "support/ws_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <random>

namespace maestro::testing {
namespace {

bool SendAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

WsClient::WsClient(std::uint16_t port, const std::string& target) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return;
  const std::string request = "GET " + target +
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: "
                              "Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              "Sec-WebSocket-Version: 13\r\n\r\n";
  if (!SendAll(fd_, request)) return;
  // The answer's head; a refusal's body is left unread.
  std::string head;
  while (head.find("\r\n\r\n") == std::string::npos) {
    std::string more;
    if (!ReadExactly(more, 1, 5000)) return;
    head += more;
  }
  if (head.size() > 12) status_ = std::atoi(head.c_str() + 9);
}

WsClient::~WsClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool WsClient::ReadExactly(std::string& out, std::size_t size, int timeout_ms) {
  while (buffer_.size() < size) {
    pollfd item{.fd = fd_, .events = POLLIN, .revents = 0};
    if (::poll(&item, 1, timeout_ms) <= 0) return false;
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
  out = buffer_.substr(0, size);
  buffer_.erase(0, size);
  return true;
}

bool WsClient::Send(const std::string& text) {
  std::string frame;
  frame += static_cast<char>(0x81);  // FIN, text
  if (text.size() < 126) {
    frame += static_cast<char>(0x80 | text.size());
  } else {
    frame += static_cast<char>(0x80 | 126);
    frame += static_cast<char>((text.size() >> 8) & 0xff);
    frame += static_cast<char>(text.size() & 0xff);
  }
  std::random_device random;
  char mask[4];
  for (auto& byte : mask) byte = static_cast<char>(random() & 0xff);
  frame.append(mask, 4);
  for (std::size_t i = 0; i < text.size(); ++i) frame += static_cast<char>(text[i] ^ mask[i % 4]);
  return SendAll(fd_, frame);
}

std::optional<std::string> WsClient::Receive(int timeout_ms) {
  while (true) {
    std::string head;
    if (!ReadExactly(head, 2, timeout_ms)) return std::nullopt;
    const int opcode = static_cast<unsigned char>(head[0]) & 0x0f;
    std::uint64_t length = static_cast<unsigned char>(head[1]) & 0x7f;
    std::string extended;
    if (length == 126) {
      if (!ReadExactly(extended, 2, timeout_ms)) return std::nullopt;
      length =
          (static_cast<unsigned char>(extended[0]) << 8) | static_cast<unsigned char>(extended[1]);
    } else if (length == 127) {
      if (!ReadExactly(extended, 8, timeout_ms)) return std::nullopt;
      length = 0;
      for (char c : extended) length = (length << 8) | static_cast<unsigned char>(c);
    }
    std::string payload;
    if (!ReadExactly(payload, static_cast<std::size_t>(length), timeout_ms)) return std::nullopt;
    if (opcode == 0x8) {  // close: a 2-byte code, then the reason
      close_code_ = payload.size() >= 2 ? (static_cast<unsigned char>(payload[0]) << 8) |
                                              static_cast<unsigned char>(payload[1])
                                        : 1005;
      return std::nullopt;
    }
    if (opcode == 0x1) return payload;
    // ping, pong, binary: not what tests wait for
  }
}

}  // namespace maestro::testing
