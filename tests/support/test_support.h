// Helpers shared by the tests: temporary directories, free ports, the PostgreSQL test database.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace maestro::testing {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// Writes `content` to `path`, creating parent directories.
void WriteFile(const std::filesystem::path& path, const std::string& content);
std::string ReadFile(const std::filesystem::path& path);

// The PostgreSQL server the suite runs against (MAESTRO_TEST_PG_URI, started by scripts/test).
// Records a test failure and returns nullopt when it is not set: PostgreSQL tests never skip.
std::optional<std::string> PostgresTestUri();
// `uri` with its search_path set to `schema` (a per-test schema keeps tests apart).
std::string WithSearchPath(const std::string& uri, const std::string& schema);

// The source tree (for fixtures such as ../shared), from MAESTRO_SOURCE_DIR.
std::filesystem::path SourceDir();

}  // namespace maestro::testing
