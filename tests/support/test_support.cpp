#include "support/test_support.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

namespace maestro::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "maestro-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void WriteFile(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

std::optional<std::string> PostgresTestUri() {
  const char* uri = std::getenv("MAESTRO_TEST_PG_URI");
  if (uri == nullptr || *uri == '\0') {
    ADD_FAILURE() << "MAESTRO_TEST_PG_URI is not set: run the suite with ./scripts/test, which "
                     "starts a throwaway PostgreSQL and sets it";
    return std::nullopt;
  }
  return std::string(uri);
}

std::string WithSearchPath(const std::string& uri, const std::string& schema) {
  const char separator = uri.find('?') == std::string::npos ? '?' : '&';
  return uri + separator + "options=-csearch_path%3D" + schema;
}

std::optional<std::string> TestPeerVariable(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    ADD_FAILURE() << name
                  << " is not set: run the suite with ./scripts/test, which starts the "
                     "test peers (maildev, s3rver) and sets it, or start them with "
                     "scripts/lib/services.sh";
    return std::nullopt;
  }
  return std::string(value);
}

std::optional<S3Peer> S3TestPeer() {
  auto endpoint = TestPeerVariable("MAESTRO_TEST_S3_ENDPOINT");
  auto bucket = TestPeerVariable("MAESTRO_TEST_S3_BUCKET");
  auto key = TestPeerVariable("MAESTRO_TEST_S3_KEY");
  auto secret = TestPeerVariable("MAESTRO_TEST_S3_SECRET");
  if (!endpoint || !bucket || !key || !secret) return std::nullopt;
  return S3Peer{*endpoint, *bucket, *key, *secret};
}

std::optional<MaildevPeer> MaildevTestPeer() {
  auto port = TestPeerVariable("MAESTRO_TEST_SMTP_PORT");
  auto url = TestPeerVariable("MAESTRO_TEST_MAILDEV_URL");
  if (!port || !url) return std::nullopt;
  const int number = std::atoi(port->c_str());
  if (number <= 0 || number > 65535) {
    ADD_FAILURE() << "MAESTRO_TEST_SMTP_PORT is not a port: '" << *port << "'";
    return std::nullopt;
  }
  return MaildevPeer{number, *url};
}

std::filesystem::path SourceDir() {
  const char* dir = std::getenv("MAESTRO_SOURCE_DIR");
  return dir ? std::filesystem::path(dir) : std::filesystem::current_path();
}

}  // namespace maestro::testing
