// The rules that a Config must satisfy beyond each value's own type: ranges, keys that require
// or exclude each other, counts that must match. Shared by the loader and validate().
#pragma once

#include "proxy/config/config.h"
#include "proxy/config/diagnostics.h"

namespace resplit::config {

// Reports every broken rule to `diag`, at the position of the key concerned (or its nearest
// parent); values that already failed to parse are not checked again.
void check_config(const Config& config, Diagnostics& diag);

}  // namespace resplit::config
