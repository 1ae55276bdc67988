// S3BlobStore against a real S3-compatible server: the s3rver that scripts/test starts
// (MAESTRO_TEST_S3_*). Signatures are checked in s3_signing_test.cpp: s3rver accepts any.
#include "blobs/s3_blob_store.h"

#include <gtest/gtest.h>

#include "common/ids.h"
#include "support/test_support.h"

namespace maestro::blobs {
namespace {

using namespace std::string_literals;

class S3BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    peer_ = testing::S3TestPeer();
    ASSERT_TRUE(peer_);
    store_.emplace(S3BlobSettings{.endpoint = peer_->endpoint,
                                  .region = "us-east-1",
                                  .bucket = peer_->bucket,
                                  .access_key = peer_->access_key,
                                  .secret_key = peer_->secret_key,
                                  .timeout = std::chrono::seconds(10)});
  }
  // A key no other test (or earlier run) uses.
  std::string FreshKey(std::string_view name) {
    std::string id = NewId();
    for (auto& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return "test/" + id + "/" + std::string(name);
  }

  std::optional<testing::S3Peer> peer_;
  std::optional<S3BlobStore> store_;
};

TEST_F(S3BlobStoreTest, PutsGetsReplacesAndDeletes) {
  const std::string key = FreshKey("avatar.png");
  const std::string bytes = "\x89PNG\r\n\x1a\n\0\xff\xfe binary"s;
  ASSERT_TRUE(store_->Put(key, bytes, "image/png"));
  auto blob = store_->Get(key);
  ASSERT_TRUE(blob) << blob.error().message;
  EXPECT_EQ(blob->bytes, bytes);
  EXPECT_EQ(blob->content_type, "image/png");

  ASSERT_TRUE(store_->Put(key, "GIF89a", "image/gif"));
  blob = store_->Get(key);
  ASSERT_TRUE(blob) << blob.error().message;
  EXPECT_EQ(blob->bytes, "GIF89a");
  EXPECT_EQ(blob->content_type, "image/gif");

  ASSERT_TRUE(store_->Delete(key));
  blob = store_->Get(key);
  ASSERT_FALSE(blob);
  EXPECT_EQ(blob.error().code, ErrorCode::kNotFound);
}

TEST_F(S3BlobStoreTest, KeepsAnEmptyBlobAndALargeOne) {
  const std::string empty_key = FreshKey("empty");
  ASSERT_TRUE(store_->Put(empty_key, "", "text/plain"));
  auto blob = store_->Get(empty_key);
  ASSERT_TRUE(blob) << blob.error().message;
  EXPECT_EQ(blob->bytes, "");

  const std::string large_key = FreshKey("large.bin");
  std::string large(3 * 1024 * 1024, '\0');
  for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>(i * 131 % 251);
  ASSERT_TRUE(store_->Put(large_key, large, "application/octet-stream"));
  blob = store_->Get(large_key);
  ASSERT_TRUE(blob) << blob.error().message;
  EXPECT_EQ(blob->bytes, large);
  EXPECT_TRUE(store_->Delete(empty_key));
  EXPECT_TRUE(store_->Delete(large_key));
}

TEST_F(S3BlobStoreTest, MissingBlobIsNotFoundAndDeletingItIsFine) {
  const std::string key = FreshKey("never-written");
  auto blob = store_->Get(key);
  ASSERT_FALSE(blob);
  EXPECT_EQ(blob.error().code, ErrorCode::kNotFound);
  EXPECT_NE(blob.error().message.find(key), std::string::npos) << blob.error().message;
  EXPECT_TRUE(store_->Delete(key));
}

TEST_F(S3BlobStoreTest, AMissingBucketIsUnavailable) {
  S3BlobStore store(S3BlobSettings{.endpoint = peer_->endpoint,
                                   .bucket = "no-such-bucket-" + std::to_string(::getpid()),
                                   .access_key = peer_->access_key,
                                   .secret_key = peer_->secret_key,
                                   .timeout = std::chrono::seconds(10)});
  auto put = store.Put("x", "x", "text/plain");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(put.error().message.find("no-such-bucket"), std::string::npos) << put.error().message;
  auto blob = store.Get("x");
  ASSERT_FALSE(blob);
  EXPECT_EQ(blob.error().code, ErrorCode::kUnavailable) << blob.error().message;
}

TEST_F(S3BlobStoreTest, AWrongEndpointIsUnavailableQuickly) {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  S3BlobStore store(S3BlobSettings{.endpoint = "http://127.0.0.1:1",
                                   .bucket = peer_->bucket,
                                   .access_key = peer_->access_key,
                                   .secret_key = peer_->secret_key,
                                   .timeout = std::chrono::seconds(2)});
  auto blob = store.Get("x");
  ASSERT_FALSE(blob);
  EXPECT_EQ(blob.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(blob.error().message.find(peer_->secret_key), std::string::npos);
}

}  // namespace
}  // namespace maestro::blobs
