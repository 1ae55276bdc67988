// Secrets that are not configured are generated once and kept in <data dir>/secrets.json with
// mode 0600, so that a restart keeps tokens valid. There is no built-in default secret.
#pragma once

#include <string>
#include <vector>

#include "app/config.h"
#include "common/error.h"

namespace maestro::app {

// Creates data_dir (0700) when missing, then fills every unset secret of `config` from
// secrets.json, generating and saving the ones the file lacks. Variables set in the environment
// win and are never written to the file. `notes` receives what was generated or repaired.
Status EnsureSecrets(Config& config, std::vector<std::string>& notes);

}  // namespace maestro::app
