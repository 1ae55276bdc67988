// StaticFiles: the built web UI (web/dist), loaded into memory at start and served with content
// types, ETags and caching headers. Vite's hashed files under assets/ are cached for a year;
// everything else is revalidated. Unknown client routes fall back to index.html (SPA).
// Immutable after Load(): thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "common/error.h"
#include "http/message.h"

namespace maestro::http {

class StaticFiles {
 public:
  // Loads every regular file under `dir`. kNotFound when dir has no index.html.
  static Result<StaticFiles> Load(const std::string& dir);

  // The response for a GET of `path` ("/", "/assets/x.js", "/inventory/servers"), or nullopt when
  // nothing fits (a missing file with an extension). `if_none_match` gives 304 on a match.
  std::optional<Response> Serve(std::string_view path,
                                std::optional<std::string_view> if_none_match) const;

  std::size_t file_count() const { return files_.size(); }
  std::size_t total_bytes() const;

 private:
  struct File {
    std::string content;
    std::string content_type;
    std::string etag;
    bool immutable = false;
  };
  Response Answer(const File& file, std::optional<std::string_view> if_none_match) const;

  std::map<std::string, File, std::less<>> files_;  // key: path below dir, with leading '/'
};

// The Content-Type for a file name, by extension.
std::string ContentTypeFor(std::string_view name);

}  // namespace maestro::http
