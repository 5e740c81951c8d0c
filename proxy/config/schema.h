// The config file's layout: which keys each section has and how each value is read into Config.
// Checks that span several keys live in check_config.h.
#pragma once

#include <yaml-cpp/yaml.h>

#include "proxy/config/config.h"
#include "proxy/config/diagnostics.h"
#include "proxy/config/loader.h"

namespace resplit::config {

// Overwrites in `config` whatever the document sets; reports every problem to `diag`.
void read_config(const YAML::Node& root, Diagnostics& diag, const SecretSource& secrets,
                 Config& config);

}  // namespace resplit::config
