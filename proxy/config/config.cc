#include "proxy/config/config.h"

#include "proxy/config/units.h"

namespace resplit::config {

std::string HostPort::to_string() const { return format_host_port(*this); }

std::string_view to_string(Discovery d) {
  switch (d) {
    case Discovery::kStatic: return "static";
    case Discovery::kDns: return "dns";
    case Discovery::kMaster: return "master";
    case Discovery::kSentinel: return "sentinel";
  }
  return "?";
}

std::string_view to_string(ReadPolicy p) {
  switch (p) {
    case ReadPolicy::kMaster: return "master";
    case ReadPolicy::kPreferMaster: return "prefer-master";
    case ReadPolicy::kReplica: return "replica";
    case ReadPolicy::kPreferReplica: return "prefer-replica";
    case ReadPolicy::kAny: return "any";
  }
  return "?";
}

std::string_view to_string(ReplicaSelection s) {
  switch (s) {
    case ReplicaSelection::kLeastOutstanding: return "least-outstanding";
    case ReplicaSelection::kRoundRobin: return "round-robin";
    case ReplicaSelection::kWeighted: return "weighted";
  }
  return "?";
}

}  // namespace resplit::config
