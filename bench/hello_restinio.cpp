// maestro-bench-hello: RESTinio's minimal hello-world, answering every GET with the same small JSON
// document maestro's /api returns. scripts/bench loads it with wrk to get the HTTP library's
// ceiling on this machine, which maestro's own figures are compared with.
//
// Usage: maestro-bench-hello PORT [THREADS=2] [ADDRESS=127.0.0.1]
// Stops cleanly (exit 0) on SIGINT or SIGTERM: restinio::run() traps only SIGINT, so the server
// runs on its own thread pool (run_async) while the main thread waits for either signal.

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <restinio/all.hpp>
#include <string>

namespace {

constexpr const char* kBody = R"({"app":"maestro","version":"0.1.0"})";

restinio::request_handling_status_t Handle(const restinio::request_handle_t& request) {
  if (request->header().method() != restinio::http_method_get()) {
    return restinio::request_rejected();
  }
  return request->create_response()
      .append_header(restinio::http_field::content_type, "application/json")
      .set_body(kBody)
      .done();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PORT [THREADS=2] [ADDRESS=127.0.0.1]\n", argv[0]);
    return 2;
  }
  const auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
  const std::size_t threads = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 2;
  const std::string address = argc > 3 ? argv[3] : "127.0.0.1";

  // Block the stop signals before any thread starts, so that only sigwait() below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  try {
    auto server = restinio::run_async(restinio::own_io_context(),
                                      restinio::server_settings_t<restinio::default_traits_t>{}
                                          .port(port)
                                          .address(address)
                                          .request_handler(Handle),
                                      threads == 0 ? 1 : threads);
    std::fprintf(stderr, "maestro-bench-hello: http://%s:%u/ on %zu threads\n", address.c_str(),
                 static_cast<unsigned>(port), threads);
    int received = 0;
    sigwait(&stop_signals, &received);
    server->stop();
    server->wait();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "maestro-bench-hello: %s\n", e.what());
    return 1;
  }
  return 0;
}
