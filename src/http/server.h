// HttpServer: the socket side, on RESTinio (the only file that includes it). Turns each incoming
// request into a Request, hands it to the Pipeline on a pool of threads, and writes the Response.
// Stop() drains: no new work is taken, requests in flight finish and are answered; WebSocket
// connections are closed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/error.h"
#include "http/pipeline.h"
#include "http/websocket_hub.h"

namespace maestro::http {

struct ServerSettings {
  std::string address = "0.0.0.0";
  std::uint16_t port = 8888;  // 0 = any free port; see port()
  std::size_t threads = 4;
  // Bodies above this are refused by the socket layer (connection closed) before they are read
  // whole; bodies between a route's limit and this get a 413 from the pipeline.
  std::uint64_t hard_body_limit = 64ull * 1024 * 1024;
  std::chrono::milliseconds drain_timeout{10000};
};

class HttpServer {
 public:
  // With a hub, GET /ws upgrades to a WebSocket whose connections the hub keeps.
  HttpServer(ServerSettings settings, Pipeline& pipeline, WebSocketHub* hub = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving. kUnavailable naming the address when it cannot bind.
  Status Start();
  // The bound port (the real one when settings.port was 0). REQUIRES: Start() succeeded.
  std::uint16_t port() const;
  // Drains and stops. Idempotent; also called by the destructor.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace maestro::http
