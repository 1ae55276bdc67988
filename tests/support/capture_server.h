// CaptureServer: a one-shot HTTP listener for tests of outgoing requests (signatures, headers).
//
// Listens on 127.0.0.1 on a port the kernel picks, accepts one connection per canned reply on a
// background thread (one, or one per status given), reads each request (headers and a
// Content-Length body), answers it, and keeps what it received. Not reusable.
// Thread-safe in the way tests use it: construct, point a client at port(), then Wait().
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace maestro::testing {

struct CapturedRequest {
  std::string method;
  std::string target;                                        // as sent: path and query
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case, in order
  std::string body;
  // The first header of that (lower-case) name, or "" when absent.
  std::string Header(const std::string& lower_name) const;
};

class CaptureServer {
 public:
  // The reply to give: status, body and extra headers (Content-Length and Connection are added).
  explicit CaptureServer(int status = 200, std::string body = {},
                         std::vector<std::pair<std::string, std::string>> headers = {});
  // One request per status, answered in order with that status and `body`.
  CaptureServer(std::vector<int> statuses, std::string body);
  ~CaptureServer();
  CaptureServer(const CaptureServer&) = delete;
  CaptureServer& operator=(const CaptureServer&) = delete;

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port>"
  std::string url() const;
  // Waits for the request (at most 30 s). nullopt when none arrived or it was malformed.
  std::optional<CapturedRequest> Wait();
  // Waits for every request (each at most 30 s); returns those that came, in order.
  std::vector<CapturedRequest> WaitAll();

 private:
  void Listen();
  void Serve();
  bool ServeOne(const std::string& reply);

  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::vector<std::string> replies_;
  std::vector<CapturedRequest> captured_;
  std::thread thread_;
};

// Reads one HTTP/1.1 request (headers and a Content-Length body) from a connected socket.
std::optional<CapturedRequest> ReadRequest(int fd);

struct ReplayReply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

// ReplayServer: a loopback HTTP server that answers every request with what `handler` says,
// one connection at a time, until destroyed — the providers' APIs in connector tests (the
// handler checks signatures and tokens, pages, throttles). Keeps every request it served.
class ReplayServer {
 public:
  using Handler = std::function<ReplayReply(const CapturedRequest&)>;
  explicit ReplayServer(Handler handler);
  ~ReplayServer();
  ReplayServer(const ReplayServer&) = delete;
  ReplayServer& operator=(const ReplayServer&) = delete;

  std::string url() const;
  std::vector<CapturedRequest> requests() const;

 private:
  void Serve();

  Handler handler_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_ = false;
  mutable std::mutex mutex_;
  std::vector<CapturedRequest> requests_;
  std::thread thread_;
};

}  // namespace maestro::testing
