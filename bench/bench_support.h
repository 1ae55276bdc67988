// What the benchmark programs share: stopping with a message that names the program, and
// unwrapping results that must be there.
#pragma once

#include <errno.h>
#include <fmt/format.h>

#include <cstdlib>
#include <string>

#include "common/error.h"

namespace maestro::bench {

[[noreturn]] inline void Die(const std::string& what) {
  fmt::print(stderr, "{}: {}\n", program_invocation_short_name, what);
  std::exit(1);
}

template <class T>
T Must(Result<T> result, const char* what) {
  if (!result) Die(fmt::format("{}: {}", what, result.error().message));
  return std::move(*result);
}

inline void Must(const Status& status, const char* what) {
  if (!status) Die(fmt::format("{}: {}", what, status.error().message));
}

}  // namespace maestro::bench
