#include "blobs/local_blob_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>

#include "common/ids.h"

namespace maestro::blobs {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kDefaultContentType = "application/octet-stream";

// Closes a file descriptor when it goes out of scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

tl::unexpected<Error> InvalidKey(std::string_view key) {
  return Fail(ErrorCode::kBadRequest, fmt::format("invalid blob key '{}'", key));
}

tl::unexpected<Error> FileError(std::string_view what, const fs::path& path, int error) {
  return Fail(ErrorCode::kUnavailable,
              fmt::format("cannot {} {}: {}", what, path.string(), std::strerror(error)));
}

fs::path SidecarOf(const fs::path& path) {
  return path.parent_path() / ("." + path.filename().string() + ".type");
}

// Creates `dir` and any missing parents with mode 0700 (no umask games: mkdir's mode is masked,
// and 0700 is within any sane umask).
Status MakeDirectories(const fs::path& dir) {
  if (dir.empty()) return {};
  struct stat info {};
  if (::stat(dir.c_str(), &info) == 0) {
    if (S_ISDIR(info.st_mode)) return {};
    return FileError("use as a directory", dir, ENOTDIR);
  }
  if (auto parent = MakeDirectories(dir.parent_path()); !parent) return parent;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return FileError("create", dir, errno);
  return {};
}

// Writes bytes to a new temporary file beside `target` and syncs it. Returns its path.
Result<fs::path> WriteTemporary(const fs::path& target, std::string_view bytes) {
  const fs::path temporary = target.parent_path() / (".tmp-" + RandomHex(8));
  FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) return FileError("create", temporary, errno);
  for (std::size_t written = 0; written < bytes.size();) {
    const ssize_t n = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::unlink(temporary.c_str());
      return FileError("write", temporary, error);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    return FileError("sync", temporary, error);
  }
  return temporary;
}

// The whole content of a regular file; nullopt with `error` set to an errno value when it cannot
// be read.
std::optional<std::string> ReadWhole(const fs::path& path, int& error) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat info {};
  if (fd.get() < 0 || ::fstat(fd.get(), &info) != 0) {
    error = errno;
    return std::nullopt;
  }
  if (!S_ISREG(info.st_mode)) {
    error = ENOENT;  // a directory on the way to other keys is not a blob
    return std::nullopt;
  }
  std::string content;
  content.reserve(static_cast<std::size_t>(info.st_size));
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = errno;
      return std::nullopt;
    }
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
  }
  return content;
}

}  // namespace

LocalBlobStore::LocalBlobStore(LocalBlobSettings settings) : dir_(std::move(settings.dir)) {}

fs::path LocalBlobStore::PathOf(std::string_view key) const { return dir_ / std::string(key); }

Status LocalBlobStore::Put(std::string_view key, std::string_view bytes,
                           std::string_view content_type) {
  if (!IsValidKey(key)) return InvalidKey(key);
  if (!IsValidContentType(content_type)) {
    return Fail(ErrorCode::kBadRequest, fmt::format("invalid content type for blob '{}'", key));
  }
  const fs::path path = PathOf(key);
  if (auto made = MakeDirectories(path.parent_path()); !made) return made;
  auto data = WriteTemporary(path, bytes);
  if (!data) return Fail(data.error());
  auto type = WriteTemporary(path, content_type);
  if (!type) {
    ::unlink(data->c_str());
    return Fail(type.error());
  }
  const fs::path sidecar = SidecarOf(path);
  {
    std::unique_lock lock(mutex_);
    if (::rename(type->c_str(), sidecar.c_str()) != 0) {
      const int error = errno;
      ::unlink(data->c_str());
      ::unlink(type->c_str());
      return FileError("write", sidecar, error);
    }
    if (::rename(data->c_str(), path.c_str()) != 0) {
      const int error = errno;
      ::unlink(data->c_str());
      return FileError("write", path, error);
    }
  }
  // Make the renames durable too: sync the directory that holds both names.
  FileDescriptor directory(::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (directory.get() < 0 || ::fsync(directory.get()) != 0) {
    return FileError("sync", path.parent_path(), errno);
  }
  return {};
}

Result<Blob> LocalBlobStore::Get(std::string_view key) {
  if (!IsValidKey(key)) return InvalidKey(key);
  const fs::path path = PathOf(key);
  std::shared_lock lock(mutex_);
  int error = 0;
  auto bytes = ReadWhole(path, error);
  if (!bytes) {
    if (error == ENOENT || error == ENOTDIR) {
      return Fail(ErrorCode::kNotFound, fmt::format("no blob '{}'", key));
    }
    return FileError("read", path, error);
  }
  // A blob written by hand (or before sidecars existed) has none: serve it as opaque bytes.
  auto content_type = ReadWhole(SidecarOf(path), error);
  return Blob{std::move(*bytes), content_type && !content_type->empty()
                                     ? std::move(*content_type)
                                     : std::string(kDefaultContentType)};
}

Status LocalBlobStore::Delete(std::string_view key) {
  if (!IsValidKey(key)) return InvalidKey(key);
  const fs::path path = PathOf(key);
  std::unique_lock lock(mutex_);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT && errno != ENOTDIR) {
    return FileError("delete", path, errno);
  }
  const fs::path sidecar = SidecarOf(path);
  if (::unlink(sidecar.c_str()) != 0 && errno != ENOENT && errno != ENOTDIR) {
    return FileError("delete", sidecar, errno);
  }
  return {};
}

std::string LocalBlobStore::Describe() const { return "local:" + dir_.string(); }

}  // namespace maestro::blobs
