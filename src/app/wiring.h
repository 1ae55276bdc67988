// The composition root: the only code that knows the concrete classes. Builds the store, runs
// migrations, loads the web UI and starts the HTTP server, in that order, and owns them all.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "app/config.h"
#include "common/error.h"
#include "notify/events.h"
#include "store/migrations.h"

namespace maestro::app {

// What a process does (ARCHITECTURE.md, roles): serve HTTP, run jobs, fire schedules.
struct Roles {
  bool http = true;
  bool worker = true;
  bool scheduler = true;
};

class Application {
 public:
  // Opens the database and brings its schema up to date. REQUIRES: secrets are filled in.
  static Result<std::unique_ptr<Application>> Create(const Config& config, Roles roles = {});
  ~Application();

  // Starts its roles. kUnavailable when the port cannot be bound.
  Status Start();
  // Drains in-flight requests, lets running jobs stop, and stops. Idempotent.
  void Stop();
  std::uint16_t port() const;  // 0 without the HTTP role
  // Publishes to the live UI (benchmarks, and later modules' wiring).
  notify::Events& events();
  const store::MigrationReport& migration() const;

 private:
  struct Parts;
  explicit Application(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

// `maestro admin create-user`: creates a user (an instance admin when `admin`), whatever
// MAESTRO_REGISTRATION says. Returns the user as the API shows it.
Result<std::string> CreateUser(const Config& config, const std::string& name,
                               const std::string& email, const std::string& password, bool admin);

// `maestro import FILE --as EMAIL`: imports a JSON file (the original's format) as that user,
// calling `progress` after each record. Returns the import report as JSON text.
Result<std::string> ImportFile(const Config& config, const std::string& path,
                               const std::string& email, const std::string& datacenter,
                               const std::function<void(int done, int total)>& progress);

// Opens the database of `config` and applies pending migrations (`maestro migrate`).
Result<store::MigrationReport> MigrateDatabase(const Config& config);

}  // namespace maestro::app
