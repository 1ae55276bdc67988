#include "support/capture_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace maestro::testing {
namespace {

constexpr int kWaitMs = 30000;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Receives into `buffer` until `done` says the request is complete, the peer closes or 30 s pass.
template <class Done>
bool ReceiveUntil(int fd, std::string& buffer, Done done) {
  char chunk[65536];
  while (!done()) {
    pollfd item{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&item, 1, kWaitMs) <= 0) return false;
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  return true;
}

void SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

std::string CapturedRequest::Header(const std::string& lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

namespace {

// A socket listening on 127.0.0.1 on a port the kernel picks (set in `port`).
int ListenOnLoopback(int backlog, std::uint16_t& port, const char* who) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(fd, backlog) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error(std::string(who) + ": cannot listen on 127.0.0.1");
  }
  port = ntohs(address.sin_port);
  return fd;
}

std::string Reply(int status, const std::string& body,
                  const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string reply = "HTTP/1.1 " + std::to_string(status) + " Canned\r\n";
  for (const auto& [name, value] : headers) reply += name + ": " + value + "\r\n";
  reply += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  return reply + body;
}

}  // namespace

CaptureServer::CaptureServer(int status, std::string body,
                             std::vector<std::pair<std::string, std::string>> headers) {
  replies_.push_back(Reply(status, body, headers));
  Listen();
}

CaptureServer::CaptureServer(std::vector<int> statuses, std::string body) {
  for (int status : statuses) replies_.push_back(Reply(status, body, {}));
  Listen();
}

void CaptureServer::Listen() {
  listen_fd_ = ListenOnLoopback(8, port_, "CaptureServer");
  thread_ = std::thread([this] { Serve(); });
}

CaptureServer::~CaptureServer() {
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
}

std::string CaptureServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::optional<CapturedRequest> CaptureServer::Wait() {
  if (thread_.joinable()) thread_.join();
  if (captured_.empty()) return std::nullopt;
  return captured_.front();
}

std::vector<CapturedRequest> CaptureServer::WaitAll() {
  if (thread_.joinable()) thread_.join();
  return captured_;
}

void CaptureServer::Serve() {
  for (const auto& reply : replies_) {
    if (!ServeOne(reply)) return;
  }
}

bool CaptureServer::ServeOne(const std::string& reply) {
  pollfd item{.fd = listen_fd_, .events = POLLIN, .revents = 0};
  if (::poll(&item, 1, kWaitMs) <= 0) return false;
  const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return false;
  auto request = ReadRequest(fd);
  if (!request) {
    ::close(fd);
    return false;
  }
  captured_.push_back(std::move(*request));
  SendAll(fd, reply);
  ::shutdown(fd, SHUT_WR);
  ::close(fd);
  return true;
}

std::optional<CapturedRequest> ReadRequest(int fd) {
  std::string raw;
  std::size_t header_end = std::string::npos;
  if (!ReceiveUntil(fd, raw, [&] { return (header_end = raw.find("\r\n\r\n")) != raw.npos; })) {
    return std::nullopt;
  }
  CapturedRequest request;
  std::string_view head(raw.data(), header_end);
  const auto first_line_end = head.find("\r\n");
  const std::string_view first_line = head.substr(0, first_line_end);
  const auto space = first_line.find(' ');
  const auto second_space = first_line.find(' ', space + 1);
  if (space == std::string_view::npos || second_space == std::string_view::npos) {
    return std::nullopt;
  }
  request.method = std::string(first_line.substr(0, space));
  request.target = std::string(first_line.substr(space + 1, second_space - space - 1));
  std::size_t line_start = first_line_end;
  while (line_start != std::string_view::npos && line_start < head.size()) {
    const auto line_end = head.find("\r\n", line_start + 2);
    const std::string_view line =
        head.substr(line_start + 2, line_end == std::string_view::npos ? std::string_view::npos
                                                                       : line_end - line_start - 2);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
        value.remove_suffix(1);
      }
      request.headers.emplace_back(Lower(line.substr(0, colon)), std::string(value));
    }
    line_start = line_end;
  }
  if (Lower(request.Header("expect")) == "100-continue") {
    SendAll(fd, "HTTP/1.1 100 Continue\r\n\r\n");
  }
  const std::size_t body_length = static_cast<std::size_t>(
      std::strtoull(request.Header("content-length").c_str(), nullptr, 10));
  const std::size_t body_start = header_end + 4;
  if (!ReceiveUntil(fd, raw, [&] { return raw.size() >= body_start + body_length; })) {
    return std::nullopt;
  }
  request.body = raw.substr(body_start, body_length);
  return request;
}

ReplayServer::ReplayServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ListenOnLoopback(64, port_, "ReplayServer");
  thread_ = std::thread([this] { Serve(); });
}

ReplayServer::~ReplayServer() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
}

std::string ReplayServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<CapturedRequest> ReplayServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void ReplayServer::Serve() {
  while (!stopping_) {
    pollfd item{.fd = listen_fd_, .events = POLLIN, .revents = 0};
    if (::poll(&item, 1, 100) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    auto request = ReadRequest(fd);
    if (request) {
      ReplayReply reply = handler_(*request);
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(std::move(*request));
      }
      std::vector<std::pair<std::string, std::string>> headers = reply.headers;
      headers.emplace_back("Content-Type", reply.content_type);
      SendAll(fd, Reply(reply.status, reply.body, headers));
      ::shutdown(fd, SHUT_WR);
    }
    ::close(fd);
  }
}

}  // namespace maestro::testing
