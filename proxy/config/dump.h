// Writes a Config as YAML: every key with its effective value (defaults included), secrets as
// their {env: ...} / {file: ...} reference and never their value. Loading the text gives back an
// equal Config; `--dump-config` prints it.
#pragma once

#include <string>

#include "proxy/config/config.h"

namespace resplit::config {

std::string dump(const Config& config);

}  // namespace resplit::config
