#include "app/secrets.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/ids.h"
#include "common/json_util.h"

namespace maestro::app {
namespace {

struct SecretField {
  const char* name;
  std::string Config::*field;
  std::size_t random_bytes;
};

constexpr SecretField kSecrets[] = {
    {"MAESTRO_SECRETJWT", &Config::secret_jwt, 32},
    {"MAESTRO_SECRETJWT_PUBLIC", &Config::secret_jwt_public, 32},
    {"MAESTRO_SECRETJWT_FORGOT", &Config::secret_jwt_forgot, 32},
    {"MAESTRO_SECRET_KEY", &Config::secret_key, 32},
};

Status WriteSecretsFile(const std::filesystem::path& path, const nlohmann::json& secrets) {
  const std::string temporary = path.string() + ".tmp";
  ::unlink(temporary.c_str());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Fail(ErrorCode::kUnavailable,
                fmt::format("cannot write {}: {}", temporary, std::strerror(errno)));
  }
  const std::string text = secrets.dump(2) + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written || std::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    return Fail(ErrorCode::kUnavailable, fmt::format("cannot write {}", path.string()));
  }
  return {};
}

}  // namespace

Status EnsureSecrets(Config& config, std::vector<std::string>& notes) {
  namespace fs = std::filesystem;
  const fs::path dir = config.data_dir;
  std::error_code error;
  if (!fs::exists(dir, error)) {
    fs::create_directories(dir, error);
    if (error) {
      return Fail(ErrorCode::kUnavailable, fmt::format("cannot create the data directory {}: {}",
                                                       dir.string(), error.message()));
    }
    fs::permissions(dir, fs::perms::owner_all, error);
    notes.push_back(fmt::format("created the data directory {}", dir.string()));
  }
  const fs::path path = dir / "secrets.json";
  // Several processes started together (serve, worker, scheduler) must agree on one set of
  // secrets: reading, generating and writing happen under a lock on the data directory.
  const fs::path lock_path = dir / ".secrets.lock";
  const int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    if (lock >= 0) ::close(lock);
    return Fail(ErrorCode::kUnavailable,
                fmt::format("cannot lock {}: {}", lock_path.string(), std::strerror(errno)));
  }
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }  // closing releases the lock
  } unlock{lock};

  nlohmann::json stored = nlohmann::json::object();
  if (fs::exists(path, error)) {
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0 && (info.st_mode & 077) != 0) {
      ::chmod(path.c_str(), 0600);
      notes.push_back(
          fmt::format("{} was readable by others; its mode is now 0600", path.string()));
    }
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = ParseJson(text.str());
    if (!parsed || !parsed->is_object()) {
      return Fail(
          ErrorCode::kUnavailable,
          fmt::format("{} is damaged ({}); restore it from a backup, or delete it to "
                      "generate new secrets (signed-in users must then log in again)",
                      path.string(), parsed ? "not a JSON object" : parsed.error().message));
    }
    stored = std::move(*parsed);
  }

  bool changed = false;
  for (const SecretField& secret : kSecrets) {
    std::string& value = config.*secret.field;
    if (!value.empty()) continue;  // set in the environment
    if (auto it = stored.find(secret.name);
        it != stored.end() && it->is_string() && !it->get<std::string>().empty()) {
      value = it->get<std::string>();
      continue;
    }
    value = RandomHex(secret.random_bytes);
    stored[secret.name] = value;
    changed = true;
    notes.push_back(fmt::format("generated {} in {}", secret.name, path.string()));
  }
  if (changed) return WriteSecretsFile(path, stored);
  return {};
}

}  // namespace maestro::app
