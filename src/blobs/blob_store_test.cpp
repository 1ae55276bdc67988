#include "blobs/blob_store.h"

#include <gtest/gtest.h>

namespace maestro::blobs {
namespace {

using namespace std::string_view_literals;

TEST(IsValidKeyTest, AcceptsLowerCaseSegmentsJoinedBySlashes) {
  for (const std::string_view key :
       {"a"sv, "avatars/01j9zq.png"sv, "imports/2026/11/state_v2-1.json"sv, "a.b.c"sv, "a-_9"sv}) {
    EXPECT_TRUE(IsValidKey(key)) << key;
  }
  EXPECT_TRUE(IsValidKey(std::string(1024, 'a')));
}

TEST(IsValidKeyTest, RefusesTraversalAbsolutePathsAndOtherShapes) {
  const std::string_view cases[] = {
      ""sv,               // empty
      "/etc/passwd"sv,    // absolute
      "../secrets"sv,     // up and out
      "a/../b"sv,         // up in the middle
      "a/.."sv,           // up at the end
      ".."sv,             // up alone
      "./a"sv,            // current directory
      "a/./b"sv,          // current directory in the middle
      "a..b"sv,           // dot-dot inside a segment
      ".hidden"sv,        // dot-led (the local store's own files)
      "a/.b.type"sv,      // a sidecar's name
      "a//b"sv,           // empty segment
      "a/"sv,             // trailing slash
      "Avatars/x.png"sv,  // upper case
      "a\\b"sv,           // backslash
      "a b"sv,            // space
      "a\0b"sv,           // NUL
      "a\nb"sv,           // newline
      "caf\xc3\xa9"sv,    // non-ASCII
      "a%2e%2e/b"sv,      // percent escapes
      "a:b"sv,            // colon
  };
  for (const std::string_view key : cases) {
    EXPECT_FALSE(IsValidKey(key)) << "'" << key << "' (" << key.size() << " bytes)";
  }
  EXPECT_FALSE(IsValidKey(std::string(1025, 'a'))) << "over 1024 bytes";
}

TEST(IsValidContentTypeTest, AcceptsPrintableAsciiOnly) {
  EXPECT_TRUE(IsValidContentType("image/png"));
  EXPECT_TRUE(IsValidContentType("text/plain; charset=utf-8"));
  EXPECT_FALSE(IsValidContentType(""));
  EXPECT_FALSE(IsValidContentType("text/plain\r\nSet-Cookie: a=b"));
  EXPECT_FALSE(IsValidContentType("image/png\0"sv));
  EXPECT_FALSE(IsValidContentType("image/p\xc3\xa9"));
  EXPECT_FALSE(IsValidContentType(std::string(256, 'a')));
}

}  // namespace
}  // namespace maestro::blobs
