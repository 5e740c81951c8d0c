// The per-backend and replication families of Collector, read from the published topology.
#include <string>

#include "proxy/metrics/collector.h"
#include "proxy/metrics/family_builder.h"

namespace resplit::metrics {
namespace {

using topology::BackendState;
using topology::Exclusion;
using topology::Role;

constexpr Exclusion kExclusions[] = {
    Exclusion::kUnreachable, Exclusion::kNotReplica, Exclusion::kWrongMaster,
    Exclusion::kLinkDown,    Exclusion::kLoading,    Exclusion::kSyncing,
    Exclusion::kLagSeconds,  Exclusion::kLagBytes,   Exclusion::kRecovering};

}  // namespace

void Collector::collect_backends(std::vector<prometheus::MetricFamily>& out,
                                 const std::vector<const WorkerStats*>& workers,
                                 const topology::TopologySnapshot& t) const {
  FamilyBuilder up(Family::kBackendUp), routable(Family::kBackendRoutable),
      connections(Family::kBackendConnections), failures(Family::kBackendConnectFailures),
      sent(Family::kBackendCommands), polls(Family::kBackendPollErrors),
      lag_bytes(Family::kReplicationLagBytes), lag_seconds(Family::kReplicationLagSeconds),
      ack_age(Family::kReplicationAckAge), replica_offset(Family::kReplicationReplicaOffset),
      link_up(Family::kReplicationLinkUp), syncing(Family::kReplicationSyncInProgress),
      excluded(Family::kReplicaExcluded), exclusions(Family::kReplicaExclusions);
  double connected_replicas = 0;
  for (size_t i = 0; i < t.backends.size(); ++i) {
    const BackendState& b = t.backends[i];
    const bool is_master = t.master && *t.master == i;
    const std::string address = b.address.to_string();
    const std::string_view role = is_master ? "master" : to_string(b.role);
    const LabelList labels = {{"role", role}, {"backend", address}};
    int64_t open = 0;
    uint64_t failed = 0, commands = 0;
    if (b.id < kMaxBackends) {
      for (const WorkerStats* w : workers) {
        open += w->backends[b.id].connections.get();
        failed += w->backends[b.id].connect_failures.get();
        commands += w->backends[b.id].commands_sent.get();
      }
    }
    up.add(b.reachable ? 1 : 0, labels);
    routable.add(b.routable ? 1 : 0, labels);
    connections.add(static_cast<double>(open), labels);
    failures.add(static_cast<double>(failed), labels);
    sent.add(static_cast<double>(commands), labels);
    polls.add(static_cast<double>(b.poll_errors), labels);
    if (is_master) continue;
    const LabelList backend = {{"backend", address}};
    if (b.listed_by_master) ++connected_replicas;
    lag_bytes.add(static_cast<double>(b.lag_bytes), backend);
    lag_seconds.add(b.lag_seconds, backend);
    ack_age.add(b.ack_age_seconds, backend);
    replica_offset.add(static_cast<double>(b.offset), backend);
    link_up.add(b.link_up ? 1 : 0, backend);
    syncing.add(b.sync_in_progress ? 1 : 0, backend);
    for (Exclusion e : kExclusions) {
      const LabelList labels = {{"backend", address}, {"reason", to_string(e)}};
      excluded.add(b.exclusion == e ? 1 : 0, labels);
      exclusions.add(static_cast<double>(b.exclusions[static_cast<size_t>(e)]), labels);
    }
  }
  for (FamilyBuilder* f : {&up, &routable, &connections, &failures, &sent, &polls, &lag_bytes,
                           &lag_seconds, &ack_age}) {
    out.push_back(f->take());
  }
  out.push_back(FamilyBuilder(Family::kReplicationMasterOffset)
                    .add(static_cast<double>(t.master_offset))
                    .take());
  for (FamilyBuilder* f : {&replica_offset, &link_up, &syncing}) out.push_back(f->take());
  out.push_back(
      FamilyBuilder(Family::kReplicationConnectedReplicas).add(connected_replicas).take());
  out.push_back(excluded.take());
  out.push_back(exclusions.take());
  out.push_back(FamilyBuilder(Family::kMasterChanges)
                    .add(static_cast<double>(t.master_changes))
                    .take());
}

}  // namespace resplit::metrics
