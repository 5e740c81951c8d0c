// Every metric family resplit exports, with its type, labels and help, in one table: the collector
// builds its output from it and `resplit --describe-metrics` prints it.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace resplit::metrics {

enum class Type { kCounter, kGauge, kHistogram };
std::string_view to_string(Type type);

struct FamilyInfo {
  std::string_view name;
  Type type;
  std::string_view labels;  // comma-separated label names; empty for none
  std::string_view help;
};

// Indexes into families(), in the same order.
enum class Family {
  kBuildInfo,
  kConfigLastReloadSuccessful,
  kConfigLastReloadSuccessTimestamp,
  kConfigReloads,
  kClientConnections,
  kClientConnectionsAccepted,
  kClientConnectionsRejected,
  kClientDisconnects,
  kClientProtocolErrors,
  kClientReceivedBytes,
  kClientSentBytes,
  kCommandsInFlight,
  kCommands,
  kCommandDuration,
  kRoutingDecisions,
  kCommandErrors,
  kReadsRetried,
  kCommandsByName,
  kBackendUp,
  kBackendRoutable,
  kBackendConnections,
  kBackendConnectFailures,
  kBackendCommands,
  kBackendPollErrors,
  kReplicationLagBytes,
  kReplicationLagSeconds,
  kReplicationAckAge,
  kReplicationMasterOffset,
  kReplicationReplicaOffset,
  kReplicationLinkUp,
  kReplicationSyncInProgress,
  kReplicationConnectedReplicas,
  kReplicaExcluded,
  kReplicaExclusions,
  kMasterChanges,
  kSentinelUp,
  kSentinelNamesTrustedMaster,
  kSentinelConfigEpoch,
  kProcessCpu,
  kProcessResidentMemory,
  kProcessVirtualMemory,
  kProcessOpenFds,
  kProcessMaxFds,
  kProcessStartTime,
  kCount,
};

std::span<const FamilyInfo> families();
const FamilyInfo& family(Family f);

// One line per family: name<TAB>type<TAB>labels<TAB>help (what --describe-metrics prints).
std::string describe_metrics();

}  // namespace resplit::metrics
