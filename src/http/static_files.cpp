#include "http/static_files.h"

#include <fmt/format.h>
#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace maestro::http {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Etag(const std::string& content) {
  unsigned char hash[16];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(content.data()),
                     content.size(), nullptr, 0);
  char hex[sizeof hash * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return fmt::format("\"{}\"", hex);
}

}  // namespace

std::string ContentTypeFor(std::string_view name) {
  static const std::map<std::string, std::string, std::less<>> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".wasm", "application/wasm"},
      {".webmanifest", "application/manifest+json"},
  };
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string extension(name.substr(dot));
  for (auto& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = kTypes.find(extension);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

Result<StaticFiles> StaticFiles::Load(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::is_regular_file(fs::path(dir) / "index.html", error)) {
    return Fail(ErrorCode::kNotFound, fmt::format("no index.html in {}", dir));
  }
  if (sodium_init() < 0) return Fail(ErrorCode::kInternal, "libsodium failed to initialise");
  StaticFiles files;
  for (auto it = fs::recursive_directory_iterator(dir, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (!it->is_regular_file()) continue;
    const std::string relative = "/" + fs::relative(it->path(), dir).generic_string();
    File file;
    file.content = ReadFile(it->path());
    file.content_type = ContentTypeFor(relative);
    file.etag = Etag(file.content);
    file.immutable = relative.starts_with("/assets/");
    files.files_.emplace(relative, std::move(file));
  }
  if (error)
    return Fail(ErrorCode::kUnavailable, fmt::format("cannot read {}: {}", dir, error.message()));
  return files;
}

std::size_t StaticFiles::total_bytes() const {
  std::size_t total = 0;
  for (const auto& [path, file] : files_) total += file.content.size();
  return total;
}

Response StaticFiles::Answer(const File& file,
                             std::optional<std::string_view> if_none_match) const {
  Response response;
  if (if_none_match && *if_none_match == file.etag) {
    response.status = 304;
  } else {
    response.body = file.content;
    response.SetHeader("Content-Type", file.content_type);
  }
  response.SetHeader("ETag", file.etag);
  response.SetHeader("Cache-Control",
                     file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  response.SetHeader("X-Content-Type-Options", "nosniff");
  return response;
}

std::optional<Response> StaticFiles::Serve(std::string_view path,
                                           std::optional<std::string_view> if_none_match) const {
  // Paths are looked up in the in-memory map only: ".." can never reach the file system.
  if (path.empty() || path == "/") path = "/index.html";
  if (auto it = files_.find(path); it != files_.end()) return Answer(it->second, if_none_match);
  const auto last_slash = path.rfind('/');
  const std::string_view last = path.substr(last_slash + 1);
  if (last.find('.') != std::string_view::npos) return std::nullopt;  // a missing file
  return Answer(files_.at("/index.html"), if_none_match);             // a client route
}

}  // namespace maestro::http
