// The built `maestro` binary as a user runs it: subcommands, exit codes, signals, files it makes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "store/migrations.h"
#include "support/http_client.h"
#include "support/process.h"
#include "support/test_support.h"

namespace maestro {
namespace {

using testing::TempDir;

struct Run {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

pid_t Spawn(const std::vector<std::string>& args, const std::vector<std::string>& env,
            const std::string& log, const std::string& input = "/dev/null") {
  return testing::Spawn(MAESTRO_BINARY, args, env, log, input);
}
using testing::WaitExit;

Run RunToEnd(const std::vector<std::string>& args, const std::vector<std::string>& env,
             const TempDir& dir, const std::string& input = {}) {
  const std::string log = (dir.path() / "run.log").string();
  const std::string input_path = (dir.path() / "stdin.txt").string();
  testing::WriteFile(input_path, input);
  Run run;
  run.exit_code = WaitExit(Spawn(args, env, log, input_path));
  run.output = testing::ReadFile(log);
  return run;
}

using testing::WaitHealthy;

TEST(BinaryTest, VersionPrintsTheVersion) {
  TempDir dir;
  auto run = RunToEnd({"version"}, {}, dir);
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.output.rfind("maestro ", 0), 0u) << run.output;
}

TEST(BinaryTest, EverySubcommandHasHelp) {
  TempDir dir;
  for (const char* command :
       {"serve", "worker", "scheduler", "migrate", "version", "config", "admin", "import"}) {
    auto run = RunToEnd({command, "--help"}, {}, dir);
    EXPECT_EQ(run.exit_code, 0) << command;
    EXPECT_NE(run.output.find("Usage"), std::string::npos) << command << ": " << run.output;
  }
}

TEST(BinaryTest, BadConfigurationListsEveryProblemAndExits2) {
  TempDir dir;
  auto run =
      RunToEnd({"serve"}, {"MAESTRO_PORT=abc", "THEME=neon", "MAESTRO_DATA_DIR=" + dir.str()}, dir);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("MAESTRO_PORT"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("THEME"), std::string::npos) << run.output;
}

TEST(BinaryTest, MigrateCreatesTheSchemaAndSecrets) {
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  auto run = RunToEnd({"migrate"}, {"MAESTRO_DATA_DIR=" + data}, dir);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("schema version 0 -> "), std::string::npos) << run.output;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "data" / "maestro.db"));
  struct stat info {};
  ASSERT_EQ(::stat((dir.path() / "data" / "secrets.json").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  auto again = RunToEnd({"migrate"}, {"MAESTRO_DATA_DIR=" + data}, dir);
  EXPECT_EQ(again.exit_code, 0);
  const std::string latest = std::to_string(store::LatestSchemaVersion());
  EXPECT_NE(again.output.find("schema version " + latest + " -> " + latest), std::string::npos)
      << again.output;
}

TEST(BinaryTest, ServeAnswersAndStopsCleanlyOnSigterm) {
  TempDir dir;
  const auto port = testing::FreePort();
  const std::string log = (dir.path() / "serve.log").string();
  const pid_t pid = Spawn({"serve"},
                          {"MAESTRO_PORT=" + std::to_string(port), "MAESTRO_BIND=127.0.0.1",
                           "MAESTRO_DATA_DIR=" + (dir.path() / "data").string(),
                           "MAESTRO_SECRETJWT=" + std::string(40, 's'), "MAESTRO_LOG_FORMAT=json"},
                          log);
  ASSERT_TRUE(WaitHealthy(port)) << testing::ReadFile(log);
  EXPECT_EQ(testing::HttpRequest(port, "GET", "/ready").status, 200);
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  EXPECT_EQ(WaitExit(pid), 0);
  const std::string output = testing::ReadFile(log);
  // JSON logs: one object per line; the request line is there; the secret never is.
  std::istringstream lines(output);
  std::string line;
  int requests = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] != '{') continue;  // sanitizer output, if any
    auto parsed = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << line;
    if (parsed["msg"].get<std::string>().find("GET /health 200") != std::string::npos) ++requests;
  }
  EXPECT_GE(requests, 1) << output;
  EXPECT_EQ(output.find(std::string(40, 's')), std::string::npos) << "secret in the log";
  // The configured secret is not written to the file; the generated ones are.
  const std::string secrets = testing::ReadFile(dir.path() / "data" / "secrets.json");
  EXPECT_EQ(secrets.find("ssssssss"), std::string::npos);
  EXPECT_NE(secrets.find("MAESTRO_SECRET_KEY"), std::string::npos);
}

TEST(BinaryTest, SigintAlsoStopsCleanly) {
  TempDir dir;
  const auto port = testing::FreePort();
  const pid_t pid = Spawn({"serve"},
                          {"MAESTRO_PORT=" + std::to_string(port), "MAESTRO_BIND=127.0.0.1",
                           "MAESTRO_DATA_DIR=" + dir.str()},
                          (dir.path() / "serve.log").string());
  ASSERT_TRUE(WaitHealthy(port));
  ::kill(pid, SIGINT);
  EXPECT_EQ(WaitExit(pid), 0);
}

TEST(BinaryTest, UnreachableDatabaseIsAClearErrorNotACrash) {
  TempDir dir;
  auto run = RunToEnd({"serve"},
                      {"MAESTRO_DATA_DIR=" + dir.str(),
                       "MAESTRO_DB_URI=postgresql://maestro:topsecret@127.0.0.1:1/none"},
                      dir);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("cannot connect to PostgreSQL"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("topsecret"), std::string::npos) << "password in the log";
}

TEST(BinaryTest, PortInUseIsAClearError) {
  TempDir dir;
  const auto port = testing::FreePort();
  const pid_t first = Spawn({"serve"},
                            {"MAESTRO_PORT=" + std::to_string(port), "MAESTRO_BIND=127.0.0.1",
                             "MAESTRO_DATA_DIR=" + (dir.path() / "a").string()},
                            (dir.path() / "a.log").string());
  ASSERT_TRUE(WaitHealthy(port));
  auto second = RunToEnd({"serve"},
                         {"MAESTRO_PORT=" + std::to_string(port), "MAESTRO_BIND=127.0.0.1",
                          "MAESTRO_DATA_DIR=" + (dir.path() / "b").string()},
                         dir);
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.output.find("cannot listen"), std::string::npos) << second.output;
  ::kill(first, SIGTERM);
  EXPECT_EQ(WaitExit(first), 0);
}

}  // namespace
}  // namespace maestro

namespace maestro {
namespace {

TEST(BinaryTest, ReadmeConfigurationTableMatchesTheBinary) {
  TempDir dir;
  auto run = RunToEnd({"config", "--table"}, {}, dir);
  ASSERT_EQ(run.exit_code, 0);
  const std::string readme = testing::ReadFile(testing::SourceDir() / "README.md");
  ASSERT_FALSE(readme.empty());
  std::istringstream lines(run.output);
  std::string line;
  int rows = 0;
  while (std::getline(lines, line)) {
    if (!line.starts_with("| `")) continue;
    ++rows;
    EXPECT_NE(readme.find(line + "\n"), std::string::npos) << "README.md lacks: " << line;
  }
  EXPECT_GE(rows, 10);
}

TEST(BinaryTest, ConfigHidesSecrets) {
  TempDir dir;
  auto run = RunToEnd(
      {"config"},
      {"MAESTRO_SECRETJWT=" + std::string(40, 'q'), "MAESTRO_DB_URI=postgresql://u:pa55word@h/db"},
      dir);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("MAESTRO_SECRETJWT=(set)"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("qqqq"), std::string::npos);
  EXPECT_EQ(run.output.find("pa55word"), std::string::npos);
}

}  // namespace
}  // namespace maestro

namespace maestro {
namespace {

TEST(BinaryTest, AdminCreatesUsersEvenWhenRegistrationIsClosed) {
  TempDir dir;
  const std::vector<std::string> env = {"MAESTRO_DATA_DIR=" + (dir.path() / "data").string(),
                                        "MAESTRO_REGISTRATION=closed"};
  auto created =
      RunToEnd({"admin", "create-user", "--name", "Root", "--email", "root@example.com", "--admin"},
               env, dir, "correct horse battery\n");
  ASSERT_EQ(created.exit_code, 0) << created.output;
  const auto start = created.output.find('{');
  ASSERT_NE(start, std::string::npos) << created.output;
  auto user =
      nlohmann::json::parse(created.output.substr(start, created.output.rfind('}') - start + 1));
  EXPECT_EQ(user["email"], "root@example.com");
  EXPECT_EQ(user["is_admin"], true);
  EXPECT_EQ(created.output.find("correct horse"), std::string::npos)
      << "the password is not echoed";

  auto bad =
      RunToEnd({"admin", "create-user", "--name", "X", "--email", "nope"}, env, dir, "short\n");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("email is not an e-mail address"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("password must be at least 8 characters"), std::string::npos)
      << bad.output;
}

}  // namespace
}  // namespace maestro

namespace maestro {
namespace {

TEST(BinaryTest, ImportsAFileFromTheCommandLineWithProgress) {
  TempDir dir;
  const std::vector<std::string> env = {"MAESTRO_DATA_DIR=" + (dir.path() / "data").string()};
  ASSERT_EQ(RunToEnd({"admin", "create-user", "--name", "Ops", "--email", "ops@example.com"}, env,
                     dir, "password123\n")
                .exit_code,
            0);
  nlohmann::json file = {{"servers", nlohmann::json::array()}};
  for (int i = 0; i < 30; ++i)
    file["servers"].push_back({{"hostname", "host-" + std::to_string(i)}});
  file["servers"].push_back({{"hostname", "bad", "ipv4_private", "x"}});
  testing::WriteFile(dir.path() / "inventory.json", file.dump());
  auto run = RunToEnd(
      {"import", (dir.path() / "inventory.json").string(), "--as", "ops@example.com"}, env, dir);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("imported 31/31 records (100%)"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("\"created\": 30"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("\"index\": 30"), std::string::npos) << run.output;

  auto nobody = RunToEnd(
      {"import", (dir.path() / "inventory.json").string(), "--as", "nobody@example.com"}, env, dir);
  EXPECT_EQ(nobody.exit_code, 1);
  EXPECT_NE(nobody.output.find("no user nobody@example.com"), std::string::npos) << nobody.output;
  auto missing = RunToEnd(
      {"import", (dir.path() / "missing.json").string(), "--as", "ops@example.com"}, env, dir);
  EXPECT_EQ(missing.exit_code, 1);
}

}  // namespace
}  // namespace maestro
