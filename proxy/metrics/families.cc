#include "proxy/metrics/families.h"

#include <array>

namespace resplit::metrics {
namespace {

constexpr Type kC = Type::kCounter;
constexpr Type kG = Type::kGauge;
constexpr Type kH = Type::kHistogram;

constexpr std::array<FamilyInfo, static_cast<size_t>(Family::kCount)> kFamilies = {{
    {"resplit_build_info", kG, "version,revision",
     "Build information of the running binary (always 1)"},
    {"resplit_config_last_reload_successful", kG, "",
     "1 if the last configuration load or reload succeeded"},
    {"resplit_config_last_reload_success_timestamp_seconds", kG, "",
     "Unix time of the last successful configuration load or reload"},
    {"resplit_config_reloads_total", kC, "result", "Configuration reload attempts by result"},
    {"resplit_client_connections", kG, "", "Open client connections"},
    {"resplit_client_connections_accepted_total", kC, "", "Accepted client connections"},
    {"resplit_client_connections_rejected_total", kC, "reason",
     "Client connections refused (max_clients reached, shutting down, TLS handshake failed)"},
    {"resplit_client_disconnects_total", kC, "reason",
     "Client connections closed by resplit (output or query buffer limit, idle timeout)"},
    {"resplit_client_protocol_errors_total", kC, "", "Malformed RESP requests from clients"},
    {"resplit_client_received_bytes_total", kC, "", "Bytes received from clients"},
    {"resplit_client_sent_bytes_total", kC, "", "Bytes sent to clients"},
    {"resplit_commands_in_flight", kG, "route",
     "Commands received and not yet answered (forwarded, queued behind others, or blocking)"},
    {"resplit_commands_total", kC, "route,result",
     "Commands answered, by where they went (master, replica, local) and result"},
    {"resplit_command_duration_seconds", kH, "route",
     "From the command being read to its reply being ready for the client; blocking commands "
     "(BLPOP, XREAD BLOCK, WAIT, SUBSCRIBE, MONITOR) excluded"},
    {"resplit_routing_decisions_total", kC, "route,reason",
     "Why each command was routed where it was"},
    {"resplit_command_errors_total", kC, "route,type",
     "Error replies and failures by class (Redis error prefix, timeout, connection)"},
    {"resplit_reads_retried_total", kC, "",
     "Replica reads sent again to the master after their replica connection failed"},
    {"resplit_commands_by_name_total", kC, "command,route",
     "Commands by name (an allowlist plus other); only with metrics.per_command"},
    {"resplit_backend_up", kG, "role,backend",
     "1 if the last health check of the backend succeeded"},
    {"resplit_backend_routable", kG, "role,backend",
     "1 if the backend may take traffic now (up, right role, lag within limits)"},
    {"resplit_backend_connections", kG, "role,backend", "Open connections to the backend"},
    {"resplit_backend_connect_failures_total", kC, "role,backend",
     "Failed connection attempts to the backend"},
    {"resplit_backend_commands_total", kC, "role,backend",
     "Commands sent to the backend (clients' and resplit's own)"},
    {"resplit_backend_poll_errors_total", kC, "role,backend",
     "ROLE/INFO health polls of the backend that failed"},
    {"resplit_replication_lag_bytes", kG, "backend",
     "Master replication offset minus the replica's processed offset"},
    {"resplit_replication_lag_seconds", kG, "backend",
     "Estimated time the replica's data is behind the master (from the master's offset timeline)"},
    {"resplit_replication_ack_age_seconds", kG, "backend",
     "Seconds since the replica's last REPLCONF ACK (Redis lag=, not data lag)"},
    {"resplit_replication_master_offset_bytes", kG, "", "The master's replication offset"},
    {"resplit_replication_replica_offset_bytes", kG, "backend", "The replica's processed offset"},
    {"resplit_replication_link_up", kG, "backend",
     "1 if the replica reports master_link_status:up"},
    {"resplit_replication_sync_in_progress", kG, "backend", "1 if the replica is in a full sync"},
    {"resplit_replication_connected_replicas", kG, "",
     "Replicas the master lists as connected"},
    {"resplit_replica_excluded", kG, "backend,reason",
     "1 for the reason a replica takes no reads now (lag, down, loading, syncing, role, ...)"},
    {"resplit_replica_exclusions_total", kC, "backend,reason",
     "Times a replica was taken out of read rotation, by the reason at that moment"},
    {"resplit_master_changes_total", kC, "", "Master changes seen (failover, announcement)"},
    {"resplit_sentinel_up", kG, "sentinel", "1 if the Sentinel answered its last poll"},
    {"resplit_sentinel_names_trusted_master", kG, "sentinel",
     "1 if the Sentinel names the master resplit trusts; 0 if it names another (stale or cut off "
     "from the other Sentinels, and outvoted) or none"},
    {"resplit_sentinel_config_epoch", kG, "sentinel",
     "The config epoch the Sentinel reports for the master (it grows with each failover)"},
    {"process_cpu_seconds_total", kC, "", "Total user and system CPU time spent in seconds"},
    {"process_resident_memory_bytes", kG, "", "Resident memory size in bytes"},
    {"process_virtual_memory_bytes", kG, "", "Virtual memory size in bytes"},
    {"process_open_fds", kG, "", "Number of open file descriptors"},
    {"process_max_fds", kG, "", "Maximum number of open file descriptors"},
    {"process_start_time_seconds", kG, "", "Start time of the process since unix epoch in seconds"},
}};

}  // namespace

std::string_view to_string(Type type) {
  switch (type) {
    case Type::kCounter: return "counter";
    case Type::kGauge: return "gauge";
    case Type::kHistogram: return "histogram";
  }
  return "untyped";
}

std::span<const FamilyInfo> families() { return kFamilies; }

const FamilyInfo& family(Family f) { return kFamilies[static_cast<size_t>(f)]; }

std::string describe_metrics() {
  std::string out;
  for (const FamilyInfo& f : kFamilies) {
    out.append(f.name).append("\t").append(to_string(f.type)).append("\t");
    out.append(f.labels.empty() ? "-" : f.labels).append("\t").append(f.help).append("\n");
  }
  return out;
}

}  // namespace resplit::metrics
