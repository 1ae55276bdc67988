#include "support/test_server.h"

#include <gtest/gtest.h>

namespace maestro::testing {

TestServer::TestServer(store::Backend backend, const std::function<void(app::Config&)>& configure)
    : database_(backend), api_(std::make_unique<ApiClient>(0)) {
  if (database_.store() == nullptr) return;
  config_.data_dir = dir_.str();
  config_.port = 0;
  config_.bind = "127.0.0.1";
  config_.db_uri = database_.uri();
  config_.secret_jwt = std::string(40, 't');
  config_.secret_jwt_public = std::string(40, 'p');
  config_.secret_key = std::string(64, '5');
  if (configure) configure(config_);
  auto created = app::Application::Create(config_);
  if (!created) {
    ADD_FAILURE() << created.error().message;
    return;
  }
  if (auto running = (*created)->Start(); !running) {
    ADD_FAILURE() << running.error().message;
    return;
  }
  app_ = std::move(*created);
  api_ = std::make_unique<ApiClient>(app_->port());
}

TestServer::~TestServer() = default;

}  // namespace maestro::testing
