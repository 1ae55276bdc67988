#include "support/process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <thread>

#include "support/http_client.h"
#include "support/test_support.h"

extern char** environ;

namespace maestro::testing {

pid_t Spawn(const std::string& binary, const std::vector<std::string>& args,
            const std::vector<std::string>& env, const std::string& log, const std::string& input) {
  std::vector<char*> argv;
  std::string binary_copy = binary;
  argv.push_back(binary_copy.data());
  std::vector<std::string> arg_copies = args;
  for (auto& a : arg_copies) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_copies = env;
  // ASan in the dev build: keep its settings, and the PATH.
  for (const char* keep : {"PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* value = std::getenv(keep))
      env_copies.push_back(std::string(keep) + "=" + value);
  }
  std::vector<char*> envp;
  for (auto& e : env_copies) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, input.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data()), 0);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

int WaitExit(pid_t pid, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

bool WaitHealthy(std::uint16_t port) {
  for (int i = 0; i < 1000; ++i) {
    if (HttpRequest(port, "GET", "/health").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

bool Eventually(const std::function<bool()>& check, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (check()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return check();
}

PsqlRun RunPsql(const std::string& uri, const std::string& sql) {
  const TempDir dir;
  const std::string log = (dir.path() / "psql.log").string();
  PsqlRun run;
  run.exit_code =
      WaitExit(Spawn("/usr/bin/psql", {"-X", "-v", "ON_ERROR_STOP=1", "-c", sql, uri}, {}, log));
  run.output = ReadFile(log);
  return run;
}

}  // namespace maestro::testing
