// BlobStore: where uploaded files (avatars, later import files and graph drawings) are kept.
// Two implementations: LocalBlobStore (a directory) and S3BlobStore (an S3-compatible bucket).
// Keys are chosen by Maestro, never by users: lower-case [a-z0-9._-] segments joined by '/', no
// "..", no leading '/'. Implementations are thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace maestro::blobs {

struct Blob {
  std::string bytes;
  std::string content_type;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // Stores bytes under key, replacing any previous blob. kBadRequest for a bad key,
  // kUnavailable when the backend does not answer or refuses.
  virtual Status Put(std::string_view key, std::string_view bytes,
                     std::string_view content_type) = 0;
  // kNotFound when there is no such blob.
  virtual Result<Blob> Get(std::string_view key) = 0;
  // Removing a missing blob is not an error.
  virtual Status Delete(std::string_view key) = 0;
  // "local:/path" or "s3://bucket@endpoint" — no credentials.
  virtual std::string Describe() const = 0;
};

// True when key has the shape described above.
bool IsValidKey(std::string_view key);
// True for a content type a blob may carry: 1 to 255 printable ASCII characters (so it can be
// sent back as a header as it is), e.g. "image/png" or "text/plain; charset=utf-8".
bool IsValidContentType(std::string_view content_type);

}  // namespace maestro::blobs
