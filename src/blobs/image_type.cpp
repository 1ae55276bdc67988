#include "blobs/image_type.h"

namespace maestro::blobs {
namespace {

using namespace std::string_view_literals;

constexpr ImageType kPng{"image/png", "png"};
constexpr ImageType kJpeg{"image/jpeg", "jpg"};
constexpr ImageType kGif{"image/gif", "gif"};
constexpr ImageType kWebp{"image/webp", "webp"};

}  // namespace

std::optional<ImageType> DetectImage(std::string_view bytes) {
  // PNG: the full 8-byte signature, whose CR LF / LF bytes catch files mangled by text transfer.
  if (bytes.starts_with("\x89PNG\r\n\x1a\n"sv)) return kPng;
  // JPEG: SOI followed by the first marker's 0xFF (APP0/APP1/DQT/… all start with it).
  if (bytes.starts_with("\xff\xd8\xff"sv)) return kJpeg;
  if (bytes.starts_with("GIF87a"sv) || bytes.starts_with("GIF89a"sv)) return kGif;
  // WebP: a RIFF container (4-byte size in between) whose form type is WEBP.
  if (bytes.size() >= 12 && bytes.starts_with("RIFF"sv) && bytes.substr(8, 4) == "WEBP"sv) {
    return kWebp;
  }
  return std::nullopt;
}

}  // namespace maestro::blobs
