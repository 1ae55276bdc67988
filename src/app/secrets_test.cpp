#include "app/secrets.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <set>

#include "support/test_support.h"

namespace maestro::app {
namespace {

using testing::TempDir;

int ModeOf(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0);
  return info.st_mode & 0777;
}

TEST(EnsureSecretsTest, GeneratesDistinctSecretsInAPrivateFile) {
  TempDir dir;
  Config config;
  config.data_dir = (dir.path() / "data").string();
  std::vector<std::string> notes;
  ASSERT_TRUE(EnsureSecrets(config, notes));
  EXPECT_EQ(ModeOf(dir.path() / "data"), 0700);
  EXPECT_EQ(ModeOf(dir.path() / "data" / "secrets.json"), 0600);
  std::set<std::string> values = {config.secret_jwt, config.secret_jwt_public,
                                  config.secret_jwt_forgot, config.secret_key};
  EXPECT_EQ(values.size(), 4u);
  EXPECT_EQ(config.secret_key.size(), 64u);
  EXPECT_GE(config.secret_jwt.size(), 32u);
}

TEST(EnsureSecretsTest, KeepsTheSameSecretsAcrossRestarts) {
  TempDir dir;
  Config first;
  first.data_dir = dir.str();
  std::vector<std::string> notes;
  ASSERT_TRUE(EnsureSecrets(first, notes));
  Config second;
  second.data_dir = dir.str();
  notes.clear();
  ASSERT_TRUE(EnsureSecrets(second, notes));
  EXPECT_EQ(second.secret_jwt, first.secret_jwt);
  EXPECT_EQ(second.secret_key, first.secret_key);
  EXPECT_TRUE(notes.empty()) << "nothing new to generate";
}

TEST(EnsureSecretsTest, EnvironmentWinsAndIsNeverWrittenToTheFile) {
  TempDir dir;
  Config config;
  config.data_dir = dir.str();
  config.secret_jwt = std::string(48, 'e');
  std::vector<std::string> notes;
  ASSERT_TRUE(EnsureSecrets(config, notes));
  EXPECT_EQ(config.secret_jwt, std::string(48, 'e'));
  EXPECT_EQ(testing::ReadFile(dir.path() / "secrets.json").find("eeee"), std::string::npos);
}

TEST(EnsureSecretsTest, TightensAFileOthersCanRead) {
  TempDir dir;
  Config config;
  config.data_dir = dir.str();
  std::vector<std::string> notes;
  ASSERT_TRUE(EnsureSecrets(config, notes));
  ::chmod((dir.path() / "secrets.json").c_str(), 0644);
  Config again;
  again.data_dir = dir.str();
  notes.clear();
  ASSERT_TRUE(EnsureSecrets(again, notes));
  EXPECT_EQ(ModeOf(dir.path() / "secrets.json"), 0600);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("0600"), std::string::npos);
}

TEST(EnsureSecretsTest, RefusesADamagedFileInsteadOfReplacingIt) {
  TempDir dir;
  testing::WriteFile(dir.path() / "secrets.json", "{not json");
  Config config;
  config.data_dir = dir.str();
  std::vector<std::string> notes;
  auto ensured = EnsureSecrets(config, notes);
  ASSERT_FALSE(ensured);
  EXPECT_NE(ensured.error().message.find("damaged"), std::string::npos);
  EXPECT_EQ(testing::ReadFile(dir.path() / "secrets.json"), "{not json");
}

}  // namespace
}  // namespace maestro::app
