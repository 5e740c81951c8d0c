// The /topology document: every backend with its role, state, lag, whether it takes traffic (or why
// not) and resplit's open connections to it; with Sentinels, what each of them last answered.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "proxy/topology/sentinel_status.h"
#include "proxy/topology/snapshot.h"

namespace resplit::admin {

// `connections` gives the open connections to a backend (summed over workers); `sentinels` is null
// without a `sentinel` section (the document then has no "sentinels").
std::string topology_json(const topology::TopologySnapshot& snapshot,
                          const std::function<int64_t(topology::BackendId)>& connections,
                          const topology::SentinelStatusList* sentinels = nullptr);

}  // namespace resplit::admin
