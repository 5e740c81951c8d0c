#include "proxy/topology/snapshot.h"

namespace resplit::topology {

std::string Address::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

std::string_view to_string(Exclusion e) {
  switch (e) {
    case Exclusion::kNone: return "none";
    case Exclusion::kUnreachable: return "unreachable";
    case Exclusion::kNotReplica: return "not_replica";
    case Exclusion::kWrongMaster: return "wrong_master";
    case Exclusion::kLinkDown: return "link_down";
    case Exclusion::kLoading: return "loading";
    case Exclusion::kSyncing: return "syncing";
    case Exclusion::kLagSeconds: return "lag_seconds";
    case Exclusion::kLagBytes: return "lag_bytes";
    case Exclusion::kRecovering: return "recovering";
  }
  return "unknown";
}

std::string_view to_string(Role r) {
  switch (r) {
    case Role::kUnknown: return "unknown";
    case Role::kMaster: return "master";
    case Role::kReplica: return "replica";
  }
  return "unknown";
}

const BackendState* TopologySnapshot::find(BackendId id) const {
  for (const BackendState& b : backends) {
    if (b.id == id) return &b;
  }
  return nullptr;
}

}  // namespace resplit::topology
