// Logging setup: spdlog, configured here only. Text lines for people, or one JSON object per
// line for log collectors. Call once, before any other thread starts.
#pragma once

#include <string>

#include "app/config.h"

namespace maestro::app {

void SetupLogging(LogFormat format, const std::string& level);

}  // namespace maestro::app
