#include "blobs/image_type.h"

#include <gtest/gtest.h>

#include <string>

namespace maestro::blobs {
namespace {

using namespace std::string_literals;

struct ImageCase {
  const char* name;
  std::string bytes;
  const char* mime;  // nullptr: not an image
};

TEST(DetectImageTest, RecognisesMagicBytesAndRefusesNearMisses) {
  const ImageCase cases[] = {
      {"png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR"s, "image/png"},
      {"jpeg jfif", "\xff\xd8\xff\xe0\0\x10JFIF\0"s, "image/jpeg"},
      {"jpeg exif",
       "\xff\xd8\xff\xe1\0\x18"
       "Exif\0\0"s,
       "image/jpeg"},
      {"gif87a", "GIF87a\x01\0\x01\0"s, "image/gif"},
      {"gif89a", "GIF89a\x01\0\x01\0\x80\0\0"s, "image/gif"},
      {"webp", "RIFF\x24\0\0\0WEBPVP8 "s, "image/webp"},
      {"webp header only", "RIFF\0\0\0\0WEBP"s, "image/webp"},
      {"empty", ""s, nullptr},
      {"png with LF for CRLF (text-mode transfer)", "\x89PNG\n\x1a\n\0\0\0\rIHDR"s, nullptr},
      {"png cut short", "\x89PNG\r\n\x1a"s, nullptr},
      {"png lower case", "\x89png\r\n\x1a\n"s, nullptr},
      {"jpeg SOI only", "\xff\xd8"s, nullptr},
      {"jpeg SOI without marker", "\xff\xd8\x00\xe0"s, nullptr},
      {"gif unknown version", "GIF88a\x01\0"s, nullptr},
      {"gif cut short", "GIF8"s, nullptr},
      {"riff wave", "RIFF\x24\0\0\0WAVEfmt "s, nullptr},
      {"riff cut short", "RIFF\x24\0\0\0WEB"s, nullptr},
      {"webp tag at the wrong offset", "RIFFWEBP\0\0\0\0"s, nullptr},
      {"svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"s, nullptr},
      {"html", "<!doctype html><html>"s, nullptr},
      {"pdf", "%PDF-1.7\n"s, nullptr},
      {"png signature later in the file", "xx\x89PNG\r\n\x1a\n"s, nullptr},
  };
  for (const auto& test : cases) {
    const auto detected = DetectImage(test.bytes);
    if (test.mime == nullptr) {
      EXPECT_FALSE(detected.has_value()) << test.name << " detected as " << detected->mime;
    } else {
      ASSERT_TRUE(detected.has_value()) << test.name;
      EXPECT_EQ(detected->mime, test.mime) << test.name;
    }
  }
}

TEST(DetectImageTest, GivesTheUsualExtension) {
  EXPECT_EQ(DetectImage("\x89PNG\r\n\x1a\n")->extension, "png");
  EXPECT_EQ(DetectImage("\xff\xd8\xff\xdb")->extension, "jpg");
  EXPECT_EQ(DetectImage("GIF89a")->extension, "gif");
  EXPECT_EQ(DetectImage(std::string_view("RIFF\0\0\0\0WEBP", 12))->extension, "webp");
}

}  // namespace
}  // namespace maestro::blobs
