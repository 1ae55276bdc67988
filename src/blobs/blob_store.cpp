#include "blobs/blob_store.h"

namespace maestro::blobs {
namespace {

// S3's own limit on key length; local file names stay far below PATH_MAX with it.
constexpr std::size_t kMaxKeyLength = 1024;

bool IsKeyCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

}  // namespace

bool IsValidKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyLength) return false;
  std::size_t segment_start = 0;
  for (std::size_t i = 0; i <= key.size(); ++i) {
    if (i < key.size() && key[i] != '/') {
      if (!IsKeyCharacter(key[i])) return false;
      continue;
    }
    const std::string_view segment = key.substr(segment_start, i - segment_start);
    // Empty segments ("a//b", "/a", "a/") and dot-led ones (".", "..", hidden files) are refused;
    // the local store keeps its own files (temporary files, content types) under dot-led names.
    if (segment.empty() || segment.front() == '.') return false;
    if (segment.find("..") != std::string_view::npos) return false;
    segment_start = i + 1;
  }
  return true;
}

bool IsValidContentType(std::string_view content_type) {
  if (content_type.empty() || content_type.size() > 255) return false;
  for (const char c : content_type) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace maestro::blobs
