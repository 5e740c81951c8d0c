#include "proxy/config/config.h"

#include <algorithm>

#include "proxy/config/units.h"

namespace resplit::config {

std::string HostPort::to_string() const { return format_host_port(*this); }

std::vector<std::string> referenced_files(const Config& config) {
  std::vector<std::string> files;
  auto add = [&files](const std::string& path) {
    if (!path.empty() && std::find(files.begin(), files.end(), path) == files.end()) {
      files.push_back(path);
    }
  };
  if (config.client_tls.enabled) {
    add(config.client_tls.cert_file);
    add(config.client_tls.key_file);
    add(config.client_tls.ca_file);
  }
  if (config.server_tls.enabled) {
    add(config.server_tls.cert_file);
    add(config.server_tls.key_file);
    add(config.server_tls.ca_file);
  }
  for (const Credentials& c : config.auth.clients) add(c.password.file);
  add(config.auth.backend.password.file);
  if (config.sentinel) add(config.sentinel->auth.password.file);
  return files;
}

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
