#include "blobs/local_blob_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "support/test_support.h"

namespace maestro::blobs {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;

class LocalBlobStoreTest : public ::testing::Test {
 protected:
  testing::TempDir temp_;
  fs::path dir_ = temp_.path() / "uploads";  // does not exist yet: the store makes it
  LocalBlobStore store_{LocalBlobSettings{dir_.string()}};
};

mode_t ModeOf(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

TEST_F(LocalBlobStoreTest, GetsBackWhatWasPutWithItsContentType) {
  const std::string bytes = "\x89PNG\r\n\x1a\n\0binary\r\nbytes"s;
  ASSERT_TRUE(store_.Put("avatars/01j9.png", bytes, "image/png"));
  auto blob = store_.Get("avatars/01j9.png");
  ASSERT_TRUE(blob) << blob.error().message;
  EXPECT_EQ(blob->bytes, bytes);
  EXPECT_EQ(blob->content_type, "image/png");
  EXPECT_EQ(testing::ReadFile(dir_ / "avatars" / "01j9.png"), bytes) << "a plain file on disk";
}

TEST_F(LocalBlobStoreTest, KeepsAnEmptyBlob) {
  ASSERT_TRUE(store_.Put("empty", "", "text/plain"));
  auto blob = store_.Get("empty");
  ASSERT_TRUE(blob);
  EXPECT_EQ(blob->bytes, "");
}

TEST_F(LocalBlobStoreTest, ReplacesBytesAndContentType) {
  ASSERT_TRUE(store_.Put("logo", "first version, longer than the second", "image/png"));
  ASSERT_TRUE(store_.Put("logo", "second", "image/webp"));
  auto blob = store_.Get("logo");
  ASSERT_TRUE(blob);
  EXPECT_EQ(blob->bytes, "second");
  EXPECT_EQ(blob->content_type, "image/webp");
}

TEST_F(LocalBlobStoreTest, DeletesAndDeletingAgainIsFine) {
  ASSERT_TRUE(store_.Put("a/b/c.txt", "x", "text/plain"));
  ASSERT_TRUE(store_.Delete("a/b/c.txt"));
  auto blob = store_.Get("a/b/c.txt");
  ASSERT_FALSE(blob);
  EXPECT_EQ(blob.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_.Delete("a/b/c.txt"));
  EXPECT_TRUE(store_.Delete("never/was"));
  // Neither the blob nor its content type is left behind.
  EXPECT_TRUE(fs::is_empty(dir_ / "a" / "b"));
}

TEST_F(LocalBlobStoreTest, MissingBlobIsNotFound) {
  auto blob = store_.Get("nothing-here");
  ASSERT_FALSE(blob);
  EXPECT_EQ(blob.error().code, ErrorCode::kNotFound);
  EXPECT_NE(blob.error().message.find("nothing-here"), std::string::npos);
}

TEST_F(LocalBlobStoreTest, ADirectoryOfOtherKeysIsNotABlob) {
  ASSERT_TRUE(store_.Put("avatars/x.png", "x", "image/png"));
  auto blob = store_.Get("avatars");
  ASSERT_FALSE(blob);
  EXPECT_EQ(blob.error().code, ErrorCode::kNotFound);
}

TEST_F(LocalBlobStoreTest, MakesDirectoriesAndFilesPrivate) {
  ASSERT_TRUE(store_.Put("avatars/x.png", "x", "image/png"));
  EXPECT_EQ(ModeOf(dir_), 0700u);
  EXPECT_EQ(ModeOf(dir_ / "avatars"), 0700u);
  EXPECT_EQ(ModeOf(dir_ / "avatars" / "x.png"), 0600u);
}

TEST_F(LocalBlobStoreTest, LeavesNoTemporaryFilesBehind) {
  ASSERT_TRUE(store_.Put("x", "1", "text/plain"));
  ASSERT_TRUE(store_.Put("x", "2", "text/plain"));
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir_)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{".x.type", "x"}));
}

TEST_F(LocalBlobStoreTest, ServesAFileWithoutContentTypeAsOpaqueBytes) {
  testing::WriteFile(dir_ / "by-hand.bin", "abc");
  auto blob = store_.Get("by-hand.bin");
  ASSERT_TRUE(blob);
  EXPECT_EQ(blob->bytes, "abc");
  EXPECT_EQ(blob->content_type, "application/octet-stream");
}

TEST_F(LocalBlobStoreTest, RefusesBadKeysAndContentTypesBeforeTouchingTheDisk) {
  testing::WriteFile(temp_.path() / "secret", "outside");
  for (const char* key : {"../secret", "/etc/passwd", "a/../../secret", ".x.type", ""}) {
    auto put = store_.Put(key, "x", "text/plain");
    ASSERT_FALSE(put) << key;
    EXPECT_EQ(put.error().code, ErrorCode::kBadRequest) << key;
    auto get = store_.Get(key);
    ASSERT_FALSE(get) << key;
    EXPECT_EQ(get.error().code, ErrorCode::kBadRequest) << key;
    auto removed = store_.Delete(key);
    ASSERT_FALSE(removed) << key;
    EXPECT_EQ(removed.error().code, ErrorCode::kBadRequest) << key;
  }
  auto put = store_.Put("x", "x", "text/plain\r\nX-Evil: 1");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(testing::ReadFile(temp_.path() / "secret"), "outside");
  EXPECT_FALSE(fs::exists(dir_)) << "nothing was written";
}

TEST_F(LocalBlobStoreTest, ReportsAFileSystemThatRefusesAsUnavailable) {
  testing::WriteFile(dir_ / "plain-file", "x");
  auto put = store_.Put("plain-file/child", "x", "text/plain");  // a file is in the way
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(put.error().message.find("plain-file"), std::string::npos) << put.error().message;
}

TEST_F(LocalBlobStoreTest, ReadersSeeAWholeBlobWhileAWriterReplacesIt) {
  const std::string a(200000, 'a');
  const std::string b(300000, 'b');
  ASSERT_TRUE(store_.Put("race", a, "text/a"));
  std::thread writer([&] {
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(store_.Put("race", i % 2 ? a : b, i % 2 ? "text/a" : "text/b"));
    }
  });
  for (int i = 0; i < 100; ++i) {
    auto blob = store_.Get("race");
    ASSERT_TRUE(blob);
    if (blob->content_type == "text/a") {
      ASSERT_EQ(blob->bytes, a);
    } else {
      ASSERT_EQ(blob->content_type, "text/b");
      ASSERT_EQ(blob->bytes, b);
    }
  }
  writer.join();
}

TEST_F(LocalBlobStoreTest, DescribesItselfByItsDirectory) {
  EXPECT_EQ(store_.Describe(), "local:" + dir_.string());
}

}  // namespace
}  // namespace maestro::blobs
