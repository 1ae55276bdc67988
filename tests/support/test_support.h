// Helpers shared by the tests: temporary directories, free ports, the PostgreSQL test database and
// the other test peers (maildev, s3rver).
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

// A MAESTRO_TEST_* variable naming a test peer that scripts/test starts (maildev, s3rver, …).
// Records a test failure naming the variable and returns nullopt when it is not set: tests
// against peers never skip.
std::optional<std::string> TestPeerVariable(const char* name);

// The s3rver the suite runs against (MAESTRO_TEST_S3_ENDPOINT, _BUCKET, _KEY, _SECRET).
struct S3Peer {
  std::string endpoint;  // "http://127.0.0.1:PORT"
  std::string bucket;
  std::string access_key;
  std::string secret_key;
};
std::optional<S3Peer> S3TestPeer();

// The maildev the suite runs against (MAESTRO_TEST_SMTP_PORT, MAESTRO_TEST_MAILDEV_URL).
struct MaildevPeer {
  int smtp_port = 0;  // SMTP on 127.0.0.1
  std::string url;    // its web/REST API, "http://127.0.0.1:PORT" (GET /email lists mail)
};
std::optional<MaildevPeer> MaildevTestPeer();

// The source tree (for fixtures such as ../shared), from MAESTRO_SOURCE_DIR.
std::filesystem::path SourceDir();

}  // namespace maestro::testing
