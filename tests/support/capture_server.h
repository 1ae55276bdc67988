// CaptureServer: a one-shot HTTP listener for tests of outgoing requests (signatures, headers).
//
// Listens on 127.0.0.1 on a port the kernel picks, accepts exactly one connection on a background
// thread, reads one request (headers and a Content-Length body), answers it with the canned
// reply, and keeps what it received. Not reusable: one server per request under test.
// Thread-safe in the way tests use it: construct, point a client at port(), then Wait().
#pragma once

#include <cstdint>
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
  ~CaptureServer();
  CaptureServer(const CaptureServer&) = delete;
  CaptureServer& operator=(const CaptureServer&) = delete;

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port>"
  std::string url() const;
  // Waits for the request (at most 30 s). nullopt when none arrived or it was malformed.
  std::optional<CapturedRequest> Wait();

 private:
  void Serve();

  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::string reply_;
  std::optional<CapturedRequest> captured_;
  std::thread thread_;
};

}  // namespace maestro::testing
