#include "common/ids.h"

#include <fmt/format.h>
#include <sodium.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <mutex>

namespace maestro {
namespace {

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

struct LastId {
  std::mutex mutex;
  std::uint64_t ms = 0;
  std::array<std::uint8_t, 10> random{};
};

LastId& Last() {
  static LastId last;
  return last;
}

void EnsureSodium() {
  static const int kReady = sodium_init();
  (void)kReady;  // -1 only when no entropy source exists; randombytes then aborts loudly.
}

}  // namespace

std::string NewId(std::uint64_t unix_ms) {
  EnsureSodium();
  std::array<std::uint8_t, 16> bytes{};
  {
    LastId& last = Last();
    std::lock_guard lock(last.mutex);
    if (unix_ms <= last.ms) {
      // Same (or earlier) millisecond: keep order by incrementing the random part.
      unix_ms = last.ms;
      for (int i = 9; i >= 0 && ++last.random[i] == 0; --i) {
      }
    } else {
      last.ms = unix_ms;
      randombytes_buf(last.random.data(), last.random.size());
      last.random[0] &= 0x7f;  // room to increment without overflowing into the time part
    }
    for (int i = 0; i < 6; ++i) bytes[i] = static_cast<std::uint8_t>(unix_ms >> (40 - 8 * i));
    std::copy(last.random.begin(), last.random.end(), bytes.begin() + 6);
  }
  // 128 bits -> 26 base32 characters, most significant first (2 leading pad bits).
  std::string out(26, '0');
  unsigned __int128 value = 0;
  for (auto b : bytes) value = (value << 8) | b;
  for (int i = 25; i >= 0; --i) {
    out[i] = kCrockford[static_cast<std::size_t>(value & 31)];
    value >>= 5;
  }
  return out;
}

std::string NewId() {
  using namespace std::chrono;
  return NewId(static_cast<std::uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()));
}

bool IsId(std::string_view text) {
  if (text.size() != 26 || text[0] > '7') return false;
  return text.find_first_not_of(kCrockford) == std::string_view::npos;
}

std::string RandomHex(std::size_t bytes) {
  EnsureSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  hex.pop_back();
  return hex;
}

std::string ProcessTag() {
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  return fmt::format("{}:{}:{}", host, ::getpid(), RandomHex(3));
}

}  // namespace maestro
