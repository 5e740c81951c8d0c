// The /topology document: every backend with its role, state, lag, whether it takes traffic (or why
// not) and resplit's open connections to it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "proxy/topology/snapshot.h"

namespace resplit::admin {

// `connections` gives the open connections to a backend (summed over workers).
std::string topology_json(const topology::TopologySnapshot& snapshot,
                          const std::function<int64_t(topology::BackendId)>& connections);

}  // namespace resplit::admin
