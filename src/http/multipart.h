// multipart/form-data (RFC 7578) parsing for upload routes: splits a request body into its
// parts. Pure functions on the whole, already size-limited body; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace maestro::http {

struct FormPart {
  std::string name;          // the form field's name (always present)
  std::string filename;      // the file's name as the client gave it; "" for plain fields
  std::string content_type;  // as sent; "text/plain" when the part has none (RFC 7578 4.4)
  std::string bytes;         // the content, exactly as sent (binary-safe, CRLFs included)
};

// At most this many parts in one body.
inline constexpr std::size_t kMaxFormParts = 100;

// Parses `body` sent with Content-Type `content_type` ("multipart/form-data; boundary=…", the
// boundary quoted or not). Returns the parts in order. kBadRequest naming the problem when the
// content type is not multipart/form-data or has no usable boundary, when the body does not
// start with the boundary or ends before the closing one, when a part's headers are malformed
// or it has no Content-Disposition form-data name, or when there are more than kMaxFormParts.
Result<std::vector<FormPart>> ParseMultipart(std::string_view content_type, std::string_view body);

}  // namespace maestro::http
