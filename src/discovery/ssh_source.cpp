// File sources over SSH: libssh with public-key authentication (the connection's private key),
// then SFTP to read one file, or every regular file of a directory (Ansible's fact tree).
#include <fcntl.h>
#include <fmt/format.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <sys/stat.h>

#include <memory>

#include "discovery/connector_kit.h"

namespace maestro::discovery {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxFile = 256ull * 1024 * 1024;
constexpr std::size_t kMaxFiles = 100000;

struct SessionDeleter {
  void operator()(ssh_session session) const {
    ssh_disconnect(session);
    ssh_free(session);
  }
};
struct KeyDeleter {
  void operator()(ssh_key key) const { ssh_key_free(key); }
};
struct SftpDeleter {
  void operator()(sftp_session sftp) const { sftp_free(sftp); }
};
struct FileDeleter {
  void operator()(sftp_file file) const { sftp_close(file); }
};
struct DirDeleter {
  void operator()(sftp_dir dir) const { sftp_closedir(dir); }
};
struct AttributesDeleter {
  void operator()(sftp_attributes attributes) const { sftp_attributes_free(attributes); }
};

class SshReader {
 public:
  explicit SshReader(const ConnectorSettings& settings) : settings_(settings) {}

  Status Open() {
    const json& ssh = settings_.credentials["ssh"];
    host_ = Text(ssh.value("host", json()));
    const int port = ssh.value("port", 22);
    const std::string user = Text(ssh.value("user", json()));
    session_.reset(ssh_new());
    if (!session_) return Fail(ErrorCode::kInternal, "ssh_new failed");
    const long timeout_s = std::max<long>(1, static_cast<long>(settings_.timeout.count() / 1000));
    ssh_options_set(session_.get(), SSH_OPTIONS_HOST, host_.c_str());
    ssh_options_set(session_.get(), SSH_OPTIONS_PORT, &port);
    ssh_options_set(session_.get(), SSH_OPTIONS_USER, user.c_str());
    ssh_options_set(session_.get(), SSH_OPTIONS_TIMEOUT, &timeout_s);
    // No ~/.ssh of the server's user is read: the connection says everything.
    ssh_options_set(session_.get(), SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
    const int no = 0;
    ssh_options_set(session_.get(), SSH_OPTIONS_PROCESS_CONFIG, &no);
    if (ssh_connect(session_.get()) != SSH_OK) {
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("SSH to {}:{}: {}", host_, port, ssh_get_error(session_.get())));
    }
    // The server's key: checked against `host_key` (its SHA256 fingerprint, as ssh-keygen -lf
    // prints it) when the connection pins one.
    ssh_key raw_server_key = nullptr;
    if (ssh_get_server_publickey(session_.get(), &raw_server_key) != SSH_OK) {
      return Fail(ErrorCode::kUnavailable, fmt::format("SSH to {}: no host key", host_));
    }
    std::unique_ptr<ssh_key_struct, KeyDeleter> server_key(raw_server_key);
    unsigned char* hash = nullptr;
    std::size_t hash_size = 0;
    if (ssh_get_publickey_hash(server_key.get(), SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_size) !=
        SSH_OK) {
      return Fail(ErrorCode::kUnavailable, fmt::format("SSH to {}: unreadable host key", host_));
    }
    char* fingerprint = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hash_size);
    ssh_clean_pubkey_hash(&hash);
    fingerprint_ = fingerprint != nullptr ? fingerprint : "";
    ssh_string_free_char(fingerprint);
    const std::string pinned = Text(ssh.value("host_key", json()));
    if (!pinned.empty() && pinned != fingerprint_) {
      return Fail(ErrorCode::kUnauthorized,
                  fmt::format("SSH to {}: the host key is {}, not the pinned {}: the server "
                              "changed, or someone is in between",
                              host_, fingerprint_, pinned));
    }
    ssh_key raw_key = nullptr;
    if (ssh_pki_import_privkey_base64(Text(ssh.value("private_key", json())).c_str(), nullptr,
                                      nullptr, nullptr, &raw_key) != SSH_OK) {
      return Fail(ErrorCode::kUnauthorized,
                  "SSH: the private key is not a key libssh can read (OpenSSH or PEM, without a "
                  "passphrase)");
    }
    std::unique_ptr<ssh_key_struct, KeyDeleter> key(raw_key);
    if (ssh_userauth_publickey(session_.get(), nullptr, key.get()) != SSH_AUTH_SUCCESS) {
      return Fail(ErrorCode::kUnauthorized,
                  fmt::format("SSH to {}: the key of {} was refused", host_, user));
    }
    sftp_.reset(sftp_new(session_.get()));
    if (!sftp_ || sftp_init(sftp_.get()) != SSH_OK) {
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("SSH to {}: no SFTP ({})", host_, ssh_get_error(session_.get())));
    }
    return {};
  }

  const std::string& fingerprint() const { return fingerprint_; }

  bool IsDirectory(const std::string& path) {
    std::unique_ptr<sftp_attributes_struct, AttributesDeleter> attributes(
        sftp_stat(sftp_.get(), path.c_str()));
    return attributes && attributes->type == SSH_FILEXFER_TYPE_DIRECTORY;
  }

  Result<std::string> Read(const std::string& path) {
    std::unique_ptr<sftp_file_struct, FileDeleter> file(
        sftp_open(sftp_.get(), path.c_str(), O_RDONLY, 0));
    if (!file) {
      return Fail(ErrorCode::kBadRequest, fmt::format("SSH {}:{}: cannot open ({})", host_, path,
                                                      ssh_get_error(session_.get())));
    }
    std::string bytes;
    char buffer[65536];
    for (;;) {
      const ssize_t n = sftp_read(file.get(), buffer, sizeof buffer);
      if (n < 0) {
        return Fail(ErrorCode::kUnavailable, fmt::format("SSH {}:{}: read failed", host_, path));
      }
      if (n == 0) break;
      bytes.append(buffer, static_cast<std::size_t>(n));
      if (bytes.size() > kMaxFile) {
        return Fail(ErrorCode::kBadRequest, fmt::format("SSH {}:{}: over 256 MiB", host_, path));
      }
    }
    return bytes;
  }

  Result<std::vector<std::pair<std::string, std::string>>> ReadDirectory(const std::string& path) {
    std::unique_ptr<sftp_dir_struct, DirDeleter> dir(sftp_opendir(sftp_.get(), path.c_str()));
    if (!dir) {
      return Fail(ErrorCode::kBadRequest, fmt::format("SSH {}:{}: cannot list it", host_, path));
    }
    std::vector<std::string> names;
    while (sftp_attributes raw = sftp_readdir(sftp_.get(), dir.get())) {
      std::unique_ptr<sftp_attributes_struct, AttributesDeleter> attributes(raw);
      if (attributes->type != SSH_FILEXFER_TYPE_REGULAR || attributes->name == nullptr ||
          attributes->name[0] == '.') {
        continue;
      }
      names.emplace_back(attributes->name);
      if (names.size() > kMaxFiles) {
        return Fail(ErrorCode::kBadRequest,
                    fmt::format("SSH {}:{}: over 100,000 files", host_, path));
      }
    }
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& name : names) {
      auto bytes = Read(path + "/" + name);
      if (!bytes) return Fail(bytes.error());
      files.emplace_back(name, std::move(*bytes));
    }
    return files;
  }

 private:
  const ConnectorSettings& settings_;
  std::string host_;
  std::string fingerprint_;
  std::unique_ptr<ssh_session_struct, SessionDeleter> session_;
  std::unique_ptr<sftp_session_struct, SftpDeleter> sftp_;
};

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> ReadSsh(const ConnectorSettings& settings,
                                                                 bool* directory,
                                                                 std::string* fingerprint) {
  SshReader reader(settings);
  if (auto opened = reader.Open(); !opened) return Fail(opened.error());
  if (fingerprint != nullptr) *fingerprint = reader.fingerprint();
  std::string path = Text(settings.credentials["ssh"].value("path", json()));
  while (path.size() > 1 && path.ends_with('/')) path.pop_back();
  if (directory != nullptr) *directory = reader.IsDirectory(path);
  if (directory != nullptr && *directory) return reader.ReadDirectory(path);
  auto bytes = reader.Read(path);
  if (!bytes) return Fail(bytes.error());
  return std::vector<std::pair<std::string, std::string>>{{path, std::move(*bytes)}};
}

}  // namespace maestro::discovery
