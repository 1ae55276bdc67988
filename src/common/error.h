// Error values and Result<T>: how every module reports expected failures.
//
// Expected failures (bad input, missing records, unavailable backends) travel as values, never as
// exceptions across a module boundary. The HTTP layer maps ErrorCode to a status in one place
// (http/pipeline.cpp). Thread-safe: plain values.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

namespace maestro {

// Closed set of failure kinds; protocol-neutral. Keep in sync with CodeName() and HttpStatus().
enum class ErrorCode {
  kBadRequest,            // malformed input: JSON, query, filter
  kUnauthorized,          // no or invalid credentials
  kForbidden,             // authenticated but not allowed
  kNotFound,              // absent or not readable by the caller
  kMethodNotAllowed,      // the path exists, the method does not
  kConflict,              // duplicate unique key, last admin removed
  kPreconditionFailed,    // stale If-Match
  kPayloadTooLarge,       // body over the limit
  kUnsupportedMediaType,  // body not in a type the endpoint takes
  kValidationFailed,      // well-formed input that breaks a rule
  kRateLimited,           // too many attempts
  kUnavailable,           // a dependency (database, broker) does not answer, or feature disabled
  kInternal,              // a bug or an unexpected backend failure
};

struct FieldError {
  std::string field;
  std::string problem;
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::vector<FieldError> fields;
  int retry_after_s = 0;  // kRateLimited: seconds until trying again may succeed
};

template <class T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

// Builds the unexpected value to return from a function producing Result<T>.
inline tl::unexpected<Error> Fail(ErrorCode code, std::string message,
                                  std::vector<FieldError> fields = {}) {
  return tl::unexpected<Error>(Error{code, std::move(message), std::move(fields)});
}
inline tl::unexpected<Error> Fail(Error error) { return tl::unexpected<Error>(std::move(error)); }

// The stable snake_case name of a code, as written in API error bodies ("validation_failed").
std::string_view CodeName(ErrorCode code);

}  // namespace maestro
