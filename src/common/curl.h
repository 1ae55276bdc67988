// libcurl's process-wide set-up and handle ownership, for the modules that call it directly
// (HttpCall, the SMTP mailer).
#pragma once

#include <curl/curl.h>

#include <mutex>

namespace maestro {

// curl_global_init is not guaranteed thread-safe on every build of libcurl: run it once, before
// the first handle, however many threads get here together. It is reference-counted, so other
// libraries calling it too is harmless.
inline void EnsureCurl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace maestro
