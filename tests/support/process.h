// Processes of the built binary for tests: start with a clean environment and a log file, wait for
// /health or for the exit.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace maestro::testing {

// Starts `binary` with `args` and `env` (added to a clean environment that keeps PATH and the
// sanitizers' settings), stdout and stderr to `log`, stdin from `input`.
pid_t Spawn(const std::string& binary, const std::vector<std::string>& args,
            const std::vector<std::string>& env, const std::string& log,
            const std::string& input = "/dev/null");
// The exit code (128 + signal when killed); -1 (after SIGKILL) when it runs past `limit`.
int WaitExit(pid_t pid, std::chrono::seconds limit = std::chrono::seconds(20));
// True once GET /health answers 200 on the port (at most 20 s).
bool WaitHealthy(std::uint16_t port);
// Polls `check` every 20 ms until it is true or `limit` passes; its last answer.
bool Eventually(const std::function<bool()>& check,
                std::chrono::milliseconds limit = std::chrono::seconds(10));

// What psql, run as another process, did.
struct PsqlRun {
  int exit_code = -1;
  std::string output;  // what it printed
};
// Runs `sql` with psql on the PostgreSQL database at `uri`, stopping at the first error.
PsqlRun RunPsql(const std::string& uri, const std::string& sql);

}  // namespace maestro::testing
