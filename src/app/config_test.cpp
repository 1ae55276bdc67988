#include "app/config.h"

#include <gtest/gtest.h>

namespace maestro::app {
namespace {

TEST(LoadConfigTest, GivesTheDocumentedDefaultsForAnEmptyEnvironment) {
  auto loaded = LoadConfig({});
  ASSERT_TRUE(loaded) << loaded.error().message;
  const Config& config = loaded->config;
  EXPECT_EQ(config.port, 8888);
  EXPECT_EQ(config.data_dir, "./data");
  EXPECT_EQ(config.max_body, 10u * 1024 * 1024);
  EXPECT_EQ(config.theme, "lotus");
  EXPECT_EQ(config.EffectiveDbUri(), "sqlite:./data/maestro.db");
  EXPECT_TRUE(config.secret_jwt.empty()) << "no built-in default secret";
  EXPECT_TRUE(config.secret_key.empty()) << "no built-in default secret";
  EXPECT_TRUE(loaded->warnings.empty());
}

TEST(LoadConfigTest, ReadsEveryKindOfValue) {
  auto loaded = LoadConfig({{"MAESTRO_PORT", "9000"},
                            {"MAESTRO_MAX_BODY", "2MiB"},
                            {"MAESTRO_DATA_DIR", "/var/lib/maestro/"},
                            {"MAESTRO_CORS_ORIGINS", "https://a.example, https://b.example"},
                            {"MAESTRO_LOG_FORMAT", "json"},
                            {"THEME", "dark"}});
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->config.port, 9000);
  EXPECT_EQ(loaded->config.max_body, 2u * 1024 * 1024);
  EXPECT_EQ(loaded->config.EffectiveDbUri(), "sqlite:/var/lib/maestro/maestro.db");
  EXPECT_EQ(loaded->config.cors_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(loaded->config.log_format, LogFormat::kJson);
  EXPECT_EQ(loaded->config.theme, "dark");
}

TEST(LoadConfigTest, ReportsEveryBadVariableAtOnce) {
  auto loaded = LoadConfig({{"MAESTRO_PORT", "http"},
                            {"MAESTRO_MAX_BODY", "10 parsecs"},
                            {"THEME", "purple"},
                            {"MAESTRO_SECRETJWT", "short"},
                            {"MAESTRO_SECRET_KEY", "not-hex"}});
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ErrorCode::kValidationFailed);
  std::vector<std::string> named;
  for (const auto& field : loaded.error().fields) named.push_back(field.field);
  EXPECT_EQ(named, (std::vector<std::string>{"MAESTRO_PORT", "MAESTRO_MAX_BODY", "THEME",
                                             "MAESTRO_SECRETJWT", "MAESTRO_SECRET_KEY"}));
  EXPECT_NE(loaded.error().message.find("THEME must be one of"), std::string::npos)
      << loaded.error().message;
}

TEST(LoadConfigTest, RejectsOutOfRangeNumbers) {
  EXPECT_FALSE(LoadConfig({{"MAESTRO_PORT", "70000"}}));
  EXPECT_FALSE(LoadConfig({{"MAESTRO_PORT", "-1"}}));
  EXPECT_FALSE(LoadConfig({{"MAESTRO_MAX_BODY", "12"}}));
  EXPECT_FALSE(LoadConfig({{"MAESTRO_DB_POOL", "0"}}));
  EXPECT_TRUE(LoadConfig({{"MAESTRO_PORT", "0"}}));
}

TEST(LoadConfigTest, WarnsAboutUnknownMaestroVariablesOnly) {
  auto loaded =
      LoadConfig({{"MAESTRO_PROT", "1"}, {"HOME", "/root"}, {"MAESTRO_TEST_PG_URI", "x"}});
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->warnings.size(), 1u);
  EXPECT_NE(loaded->warnings[0].find("MAESTRO_PROT"), std::string::npos);
}

TEST(DescribeConfigTest, NeverShowsSecretsOrDatabasePasswords) {
  auto loaded = LoadConfig({{"MAESTRO_SECRETJWT", std::string(40, 'x')},
                            {"MAESTRO_DB_URI", "postgresql://maestro:hunter2@db:5432/maestro"}});
  ASSERT_TRUE(loaded);
  std::string all;
  for (const auto& line : DescribeConfig(loaded->config)) all += line + "\n";
  EXPECT_EQ(all.find("xxxxxxxx"), std::string::npos) << all;
  EXPECT_EQ(all.find("hunter2"), std::string::npos) << all;
  EXPECT_NE(all.find("MAESTRO_SECRETJWT=(set)"), std::string::npos) << all;
  EXPECT_NE(all.find("MAESTRO_SECRETJWT_FORGOT=(not set)"), std::string::npos) << all;
}

TEST(ConfigTableTest, EveryEntryHasADefaultAndAMeaning) {
  for (const auto& entry : ConfigTable()) {
    EXPECT_FALSE(entry.default_text.empty()) << entry.name;
    EXPECT_FALSE(entry.meaning.empty()) << entry.name;
  }
}

}  // namespace
}  // namespace maestro::app
