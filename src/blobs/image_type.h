// Recognises the image formats Maestro accepts for uploads (avatars, logos) from their first
// bytes, so that a file's declared name or content type is never trusted. Pure functions.
#pragma once

#include <optional>
#include <string_view>

namespace maestro::blobs {

struct ImageType {
  std::string_view mime;       // "image/png"
  std::string_view extension;  // "png", without the dot
};

// PNG, JPEG, GIF (87a and 89a) and WebP, by magic bytes only; nullopt for anything else,
// including a too-short prefix of one of them.
std::optional<ImageType> DetectImage(std::string_view bytes);

}  // namespace maestro::blobs
