// LocalBlobStore: blobs as files in one directory (the standalone shape's uploads).
//
// A blob with key "avatars/ab.png" is the file <dir>/avatars/ab.png; its content type is kept in
// the sidecar <dir>/avatars/.ab.png.type. Keys cannot name dot-led files (see IsValidKey), so
// neither sidecars nor the temporary files of writes in progress can be reached through a key.
// Writes go to a temporary file that is synced and renamed over the old one: a reader sees the
// old blob or the new one, never a part. Directories are created with mode 0700 on first use,
// files with 0600. Thread-safe: within one process a Put's two renames and a Get's two reads are
// ordered by a shared mutex, so Get never pairs new bytes with an old content type.
#pragma once

#include <filesystem>
#include <shared_mutex>
#include <string>

#include "blobs/blob_store.h"

namespace maestro::blobs {

struct LocalBlobSettings {
  std::string dir;  // REQUIRES: not empty. Created (with parents) on the first Put.
};

class LocalBlobStore final : public BlobStore {
 public:
  explicit LocalBlobStore(LocalBlobSettings settings);

  // kBadRequest for an invalid key; kUnavailable naming the path when the file system refuses.
  Status Put(std::string_view key, std::string_view bytes, std::string_view content_type) override;
  Result<Blob> Get(std::string_view key) override;
  Status Delete(std::string_view key) override;
  std::string Describe() const override;

 private:
  std::filesystem::path PathOf(std::string_view key) const;

  const std::filesystem::path dir_;
  std::shared_mutex mutex_;  // exclusive: a Put's renames, a Delete; shared: a Get's reads
};

}  // namespace maestro::blobs
