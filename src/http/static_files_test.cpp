#include "http/static_files.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace maestro::http {
namespace {

using testing::TempDir;
using testing::WriteFile;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.path() / "index.html", "<!doctype html><div id=app></div>");
    WriteFile(dir_.path() / "assets" / "index-3f2a.js", "console.log(1)");
    WriteFile(dir_.path() / "assets" / "index-9c1b.css", "body{}");
    WriteFile(dir_.path() / "logo.svg", "<svg/>");
    WriteFile(dir_.path().parent_path() / (dir_.path().filename().string() + "-secret.json"), "{}");
    auto loaded = StaticFiles::Load(dir_.str());
    ASSERT_TRUE(loaded) << loaded.error().message;
    files_ = std::move(*loaded);
  }
  void TearDown() override {
    std::filesystem::remove(dir_.path().parent_path() /
                            (dir_.path().filename().string() + "-secret.json"));
  }
  TempDir dir_;
  StaticFiles files_;
};

TEST_F(StaticFilesTest, ServesFilesWithTheirContentTypes) {
  auto js = files_.Serve("/assets/index-3f2a.js", std::nullopt);
  ASSERT_TRUE(js);
  EXPECT_EQ(js->body, "console.log(1)");
  EXPECT_EQ(js->Header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(files_.Serve("/assets/index-9c1b.css", std::nullopt)->Header("Content-Type"),
            "text/css; charset=utf-8");
  EXPECT_EQ(files_.Serve("/logo.svg", std::nullopt)->Header("Content-Type"), "image/svg+xml");
  EXPECT_EQ(files_.Serve("/", std::nullopt)->Header("Content-Type"), "text/html; charset=utf-8");
}

TEST_F(StaticFilesTest, HashedAssetsAreImmutableAndIndexIsRevalidated) {
  EXPECT_EQ(files_.Serve("/assets/index-3f2a.js", std::nullopt)->Header("Cache-Control"),
            "public, max-age=31536000, immutable");
  EXPECT_EQ(files_.Serve("/", std::nullopt)->Header("Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, MatchingEtagGives304WithoutBody) {
  auto first = files_.Serve("/", std::nullopt);
  auto etag = first->Header("ETag");
  ASSERT_TRUE(etag);
  auto second = files_.Serve("/", *etag);
  EXPECT_EQ(second->status, 304);
  EXPECT_TRUE(second->body.empty());
}

TEST_F(StaticFilesTest, ClientRoutesFallBackToIndex) {
  auto page = files_.Serve("/inventory/servers", std::nullopt);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("id=app"), std::string::npos);
}

TEST_F(StaticFilesTest, MissingFilesWithAnExtensionAreNotFound) {
  EXPECT_FALSE(files_.Serve("/assets/missing.js", std::nullopt));
}

TEST_F(StaticFilesTest, NothingOutsideTheDirectoryIsReachable) {
  const std::string escape = "/../" + dir_.path().filename().string() + "-secret.json";
  EXPECT_FALSE(files_.Serve(escape, std::nullopt));
}

TEST(StaticFilesLoadTest, ADirectoryWithoutIndexIsNotAWebUi) {
  TempDir empty;
  auto loaded = StaticFiles::Load(empty.str());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace maestro::http
