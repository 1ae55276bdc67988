// maestro: one binary, several roles. Each role is a subcommand: serve (HTTP, with embedded
// workers and scheduler unless told otherwise), worker, scheduler, and the one-shot commands.
#include <fmt/format.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>

#include "app/config.h"
#include "app/logging.h"
#include "app/secrets.h"
#include "app/wiring.h"
#include "common/version.h"

namespace maestro::app {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadConfig = 2;

// Loads the configuration, sets up logging, and prepares the data dir and secrets.
std::optional<Config> Prepare(bool need_secrets) {
  auto loaded = LoadConfig(ProcessEnvironment());
  if (!loaded) {
    std::fprintf(stderr, "maestro: invalid configuration\n");
    for (const auto& field : loaded.error().fields) {
      std::fprintf(stderr, "  %s %s\n", field.field.c_str(), field.problem.c_str());
    }
    return std::nullopt;
  }
  Config config = std::move(loaded->config);
  SetupLogging(config.log_format, config.log_level);
  for (const auto& warning : loaded->warnings) spdlog::warn("{}", warning);
  if (need_secrets) {
    std::vector<std::string> notes;
    if (auto ensured = EnsureSecrets(config, notes); !ensured) {
      spdlog::error("{}", ensured.error().message);
      return std::nullopt;
    }
    for (const auto& note : notes) spdlog::info("{}", note);
  }
  return config;
}

int Serve(Roles roles) {
  // Block the stop signals in every thread; the main thread waits for them with sigwait().
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto config = Prepare(true);
  if (!config) return kExitBadConfig;
  for (const auto& line : DescribeConfig(*config)) spdlog::debug("config {}", line);
  auto application = Application::Create(*config, roles);
  if (!application) {
    spdlog::error("cannot start: {}", application.error().message);
    return kExitFailure;
  }
  if (auto started = (*application)->Start(); !started) {
    spdlog::error("cannot start: {}", started.error().message);
    return kExitFailure;
  }
  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("{} received: finishing requests in flight, then stopping", strsignal(signal));
  (*application)->Stop();
  spdlog::info("stopped");
  spdlog::shutdown();
  return kExitOk;
}

int Migrate() {
  auto config = Prepare(true);
  if (!config) return kExitBadConfig;
  auto report = MigrateDatabase(*config);
  if (!report) {
    spdlog::error("migration failed: {}", report.error().message);
    return kExitFailure;
  }
  std::printf("schema version %d -> %d\n", report->from, report->to);
  spdlog::shutdown();
  return kExitOk;
}

// The password for `admin create-user`: the first line of standard input (asked for without echo
// on a terminal), so it never shows in the process list or shell history.
std::optional<std::string> ReadPassword() {
  const bool terminal = ::isatty(STDIN_FILENO);
  termios saved{};
  if (terminal) {
    std::fprintf(stderr, "Password for the new user: ");
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool read = static_cast<bool>(std::getline(std::cin, line));
  if (terminal) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fprintf(stderr, "\n");
  }
  if (!read) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int CreateUserCommand(const std::string& name, const std::string& email, bool admin) {
  auto config = Prepare(true);
  if (!config) return kExitBadConfig;
  auto password = ReadPassword();
  if (!password) {
    std::fprintf(stderr, "maestro: give the password on standard input\n");
    return kExitBadConfig;
  }
  auto user = CreateUser(*config, name, email, *password, admin);
  if (!user) {
    std::fprintf(stderr, "maestro: %s\n", user.error().message.c_str());
    for (const auto& field : user.error().fields) {
      std::fprintf(stderr, "  %s %s\n", field.field.c_str(), field.problem.c_str());
    }
    return kExitFailure;
  }
  std::printf("%s\n", user->c_str());
  spdlog::shutdown();
  return kExitOk;
}

int ImportCommand(const std::string& path, const std::string& email,
                  const std::string& datacenter) {
  auto config = Prepare(true);
  if (!config) return kExitBadConfig;
  const bool terminal = ::isatty(STDERR_FILENO);
  int last_percent = -1;
  auto report = ImportFile(*config, path, email, datacenter, [&](int done, int total) {
    // A progress bar on a terminal; a line every 10% otherwise (logs, CI).
    const int percent = total == 0 ? 100 : done * 100 / total;
    if (terminal) {
      const int filled = percent / 4;
      std::fprintf(stderr, "\r[%s%s] %3d%% %d/%d records", std::string(filled, '#').c_str(),
                   std::string(25 - filled, ' ').c_str(), percent, done, total);
      if (done == total) std::fprintf(stderr, "\n");
    } else if (percent / 10 != last_percent / 10 || done == total) {
      std::fprintf(stderr, "imported %d/%d records (%d%%)\n", done, total, percent);
    }
    last_percent = percent;
  });
  if (!report) {
    std::fprintf(stderr, "maestro: %s\n", report.error().message.c_str());
    for (const auto& field : report.error().fields) {
      std::fprintf(stderr, "  %s %s\n", field.field.c_str(), field.problem.c_str());
    }
    return kExitFailure;
  }
  std::printf("%s\n", report->c_str());
  spdlog::shutdown();
  return kExitOk;
}

int ShowConfig() {
  auto config = Prepare(false);
  if (!config) return kExitBadConfig;
  for (const auto& line : DescribeConfig(*config)) std::printf("%s\n", line.c_str());
  return kExitOk;
}

int ShowConfigTable() {
  std::printf("| variable | default | meaning |\n|---|---|---|\n");
  for (const auto& entry : ConfigTable()) {
    std::printf("| `%.*s` | %.*s | %.*s |\n", static_cast<int>(entry.name.size()),
                entry.name.data(), static_cast<int>(entry.default_text.size()),
                entry.default_text.data(), static_cast<int>(entry.meaning.size()),
                entry.meaning.data());
  }
  return kExitOk;
}

}  // namespace
}  // namespace maestro::app

int main(int argc, char** argv) {
  using namespace maestro::app;
  CLI::App cli{
      "Maestro: cloud inventory and CMDB. Configured by environment variables; see "
      "`maestro config --help`."};
  cli.require_subcommand(1);
  int exit_code = 0;

  auto* serve =
      cli.add_subcommand("serve", "Serve the API, the web UI and /health on MAESTRO_PORT");
  bool no_worker = false, no_scheduler = false;
  serve->add_flag("--no-worker", no_worker, "Run no jobs here (run `maestro worker` elsewhere)");
  serve->add_flag("--no-scheduler", no_scheduler,
                  "Fire no schedules here (run `maestro scheduler` elsewhere)");
  serve->callback(
      [&] { exit_code = Serve({.http = true, .worker = !no_worker, .scheduler = !no_scheduler}); });

  auto* worker = cli.add_subcommand(
      "worker", "Run jobs (MAESTRO_WORKERS threads) from the database or MAESTRO_BROKER_URL");
  worker->callback([&] { exit_code = Serve({.http = false, .worker = true, .scheduler = false}); });

  auto* scheduler = cli.add_subcommand(
      "scheduler", "Fire due schedules as jobs (one scheduler leads; others stand by)");
  scheduler->callback(
      [&] { exit_code = Serve({.http = false, .worker = false, .scheduler = true}); });

  auto* migrate = cli.add_subcommand("migrate", "Create or upgrade the database schema, then exit");
  migrate->callback([&] { exit_code = Migrate(); });

  auto* config = cli.add_subcommand("config", "Print the effective configuration (secrets hidden)");
  bool as_table = false;
  config->add_flag("--table", as_table, "Print every variable with its default, as Markdown");
  config->callback([&] { exit_code = as_table ? ShowConfigTable() : ShowConfig(); });

  auto* admin = cli.add_subcommand("admin", "Administration tasks");
  admin->require_subcommand(1);
  auto* create_user = admin->add_subcommand(
      "create-user", "Create a user (password on standard input), e.g. the first administrator");
  std::string user_name, user_email;
  bool user_admin = false;
  create_user->add_option("--name", user_name, "Display name (3 to 60 characters)")->required();
  create_user->add_option("--email", user_email, "E-mail address, used to sign in")->required();
  create_user->add_flag("--admin", user_admin, "Make the user an instance administrator");
  create_user->callback([&] { exit_code = CreateUserCommand(user_name, user_email, user_admin); });

  auto* import = cli.add_subcommand(
      "import", "Import a JSON file (servers, applications, volumes, snapshots, images, flavors)");
  std::string import_path, import_as, import_datacenter;
  import->add_option("file", import_path, "The JSON file")->required();
  import->add_option("--as", import_as, "E-mail of the user who will own the records")->required();
  import->add_option("--datacenter", import_datacenter, "Datacenter id for records that name none");
  import->callback([&] { exit_code = ImportCommand(import_path, import_as, import_datacenter);
});

auto* version = cli.add_subcommand("version", "Print the version");
version->callback([&] { std::printf("maestro %s\n", std::string(maestro::kVersion).c_str()); });

CLI11_PARSE(cli, argc, argv);
return exit_code;
}
