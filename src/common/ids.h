// Record ids: ULIDs (26 Crockford base32 characters), sortable by creation time.
// Thread-safe; ids made in one process are strictly increasing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace maestro {

// A new id for the given time in milliseconds since the Unix epoch.
std::string NewId(std::uint64_t unix_ms);
// A new id for now.
std::string NewId();
// True when text has the shape of an id made by NewId().
bool IsId(std::string_view text);
// Hex text of `bytes` cryptographically random bytes (secrets, tokens).
std::string RandomHex(std::size_t bytes);
// "<host>:<pid>:<random>": names one running process among many (job workers, schedulers),
// readable in the database and in logs. A new value on each call.
std::string ProcessTag();

}  // namespace maestro
