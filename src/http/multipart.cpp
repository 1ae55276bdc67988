#include "http/multipart.h"

#include <fmt/format.h>
#include <strings.h>

#include <optional>

namespace maestro::http {
namespace {

constexpr std::size_t kMaxBoundaryLength = 70;  // RFC 2046 5.1.1
constexpr std::size_t kMaxHeaderBytes = 8192;   // one part's header block

tl::unexpected<Error> Malformed(std::string message) {
  return Fail(ErrorCode::kBadRequest, "malformed multipart body: " + std::move(message));
}

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Parameters of a header value "type; a=1; b=\"x y\"" after its first token, names lower-cased.
// nullopt when a quoted string is not closed.
std::optional<std::vector<std::pair<std::string, std::string>>> Parameters(std::string_view value) {
  std::vector<std::pair<std::string, std::string>> parameters;
  auto semicolon = value.find(';');
  while (semicolon != std::string_view::npos) {
    value.remove_prefix(semicolon + 1);
    const auto equals = value.find('=');
    if (equals == std::string_view::npos) break;
    std::string name(Trim(value.substr(0, equals)));
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    value = Trim(value.substr(equals + 1));
    std::string parameter;
    if (!value.empty() && value.front() == '"') {
      std::size_t i = 1;
      for (; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;  // quoted-pair
        parameter += value[i];
      }
      if (i >= value.size()) return std::nullopt;
      value.remove_prefix(i + 1);
      semicolon = value.find(';');
    } else {
      semicolon = value.find(';');
      parameter = std::string(Trim(value.substr(0, semicolon)));
    }
    parameters.emplace_back(std::move(name), std::move(parameter));
  }
  return parameters;
}

const std::string* Find(const std::vector<std::pair<std::string, std::string>>& parameters,
                        std::string_view name) {
  for (const auto& [key, value] : parameters) {
    if (key == name) return &value;
  }
  return nullptr;
}

Result<std::string> BoundaryOf(std::string_view content_type) {
  const std::string_view type = Trim(content_type.substr(0, content_type.find(';')));
  if (!SameName(type, "multipart/form-data")) {
    return Fail(ErrorCode::kBadRequest,
                fmt::format("expected a multipart/form-data body, got '{}'", type));
  }
  const auto parameters = Parameters(content_type);
  if (!parameters) return Malformed("unterminated quoted string in the content type");
  const std::string* boundary = Find(*parameters, "boundary");
  if (boundary == nullptr || boundary->empty()) {
    return Malformed("the content type has no boundary parameter");
  }
  if (boundary->size() > kMaxBoundaryLength) {
    return Malformed("the boundary is longer than 70 characters");
  }
  if (boundary->find_first_of("\r\n") != std::string::npos) {
    return Malformed("the boundary contains a line break");
  }
  return *boundary;
}

// Parses one part's header block (lines separated by CRLF, no final blank line) into `part`.
Status ParsePartHeaders(std::string_view block, std::size_t index, FormPart& part) {
  bool disposition_seen = false;
  part.content_type = "text/plain";
  while (!block.empty()) {
    const auto end = block.find("\r\n");
    const std::string_view line = block.substr(0, end);
    block.remove_prefix(end == std::string_view::npos ? block.size() : end + 2);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Malformed(fmt::format("part {} has a header line without a name", index + 1));
    }
    const std::string_view name = Trim(line.substr(0, colon));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (SameName(name, "content-type")) {
      part.content_type = std::string(value);
    } else if (SameName(name, "content-disposition")) {
      if (!SameName(Trim(value.substr(0, value.find(';'))), "form-data")) {
        return Malformed(fmt::format("part {} is not form-data", index + 1));
      }
      const auto parameters = Parameters(value);
      if (!parameters) {
        return Malformed(fmt::format("part {} has an unterminated quoted string", index + 1));
      }
      if (const std::string* field = Find(*parameters, "name")) part.name = *field;
      if (const std::string* file = Find(*parameters, "filename")) part.filename = *file;
      disposition_seen = true;
    }
  }
  if (!disposition_seen) {
    return Malformed(fmt::format("part {} has no Content-Disposition header", index + 1));
  }
  if (part.name.empty()) return Malformed(fmt::format("part {} has no name", index + 1));
  return {};
}

}  // namespace

Result<std::vector<FormPart>> ParseMultipart(std::string_view content_type, std::string_view body) {
  auto boundary = BoundaryOf(content_type);
  if (!boundary) return Fail(boundary.error());
  // Every delimiter but the first is CRLF "--" boundary; the first may open the body directly.
  const std::string delimiter = "\r\n--" + *boundary;

  std::size_t position;
  if (body.starts_with(std::string_view(delimiter).substr(2))) {
    position = delimiter.size() - 2;
  } else {
    const auto first = body.find(delimiter);  // after a preamble, which is ignored
    if (first == std::string_view::npos) return Malformed("the body does not contain the boundary");
    position = first + delimiter.size();
  }

  std::vector<FormPart> parts;
  for (;;) {
    // After a delimiter: "--" closes the body; otherwise optional padding, then CRLF.
    if (body.substr(position).starts_with("--")) return parts;
    if (body.size() - position < 2) return Malformed("the body ends before the closing boundary");
    while (position < body.size() && (body[position] == ' ' || body[position] == '\t')) ++position;
    if (!body.substr(position).starts_with("\r\n")) {
      if (position >= body.size()) return Malformed("the body ends before the closing boundary");
      return Malformed(fmt::format("no line break after boundary {}", parts.size() + 1));
    }
    position += 2;
    if (parts.size() == kMaxFormParts) {
      return Malformed(fmt::format("more than {} parts", kMaxFormParts));
    }

    FormPart part;
    const std::string_view rest = body.substr(position);
    const auto next_delimiter = rest.find(delimiter);
    if (next_delimiter == std::string_view::npos) {
      return Malformed("the body ends before the closing boundary");
    }
    // The header block ends at the first blank line (right away when the part has no headers).
    std::size_t headers_end = 0;
    std::size_t content_start = 2;
    if (!rest.starts_with("\r\n")) {
      headers_end = rest.find("\r\n\r\n");
      if (headers_end == std::string_view::npos || headers_end > next_delimiter) {
        return Malformed(
            fmt::format("part {} has no blank line after its headers", parts.size() + 1));
      }
      if (headers_end > kMaxHeaderBytes) {
        return Malformed(fmt::format("the headers of part {} are longer than {} bytes",
                                     parts.size() + 1, kMaxHeaderBytes));
      }
      content_start = headers_end + 4;
    }
    if (auto parsed = ParsePartHeaders(rest.substr(0, headers_end), parts.size(), part); !parsed) {
      return Fail(parsed.error());
    }
    const auto content_end = rest.find(delimiter, content_start);
    if (content_end == std::string_view::npos) {
      return Malformed("the body ends before the closing boundary");
    }
    part.bytes = std::string(rest.substr(content_start, content_end - content_start));
    parts.push_back(std::move(part));
    position += content_end + delimiter.size();
  }
}

}  // namespace maestro::http
