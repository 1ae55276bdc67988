// TestServer: the real Application on a free loopback port over a fresh database of either
// backend, with an ApiClient to talk to it — what every HTTP test starts from.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "app/config.h"
#include "app/wiring.h"
#include "support/api_client.h"
#include "support/test_database.h"

namespace maestro::testing {

class TestServer {
 public:
  // Records a test failure (and leaves started() false) when the server cannot start.
  // `configure` changes the configuration before the server starts (feature switches).
  explicit TestServer(store::Backend backend,
                      const std::function<void(app::Config&)>& configure = nullptr);
  ~TestServer();

  bool started() const { return app_ != nullptr; }
  std::uint16_t port() const { return app_ ? app_->port() : 0; }
  ApiClient& api() { return *api_; }
  store::Store* store() { return database_.store(); }
  // The database's URI, to open more stores on it (another node).
  const std::string& db_uri() const { return database_.uri(); }

 private:
  TempDir dir_;
  TestDatabase database_;
  app::Config config_;
  std::unique_ptr<app::Application> app_;
  std::unique_ptr<ApiClient> api_;
};

}  // namespace maestro::testing
