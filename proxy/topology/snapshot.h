// The replication state as workers see it: an immutable picture of every backend (role, health,
// lag, offsets, whether reads may go there and why not), published by the topology monitor and read
// by workers without locks. Pure data: no sockets, no clocks.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace resplit::topology {

// A backend's stable identity for the life of the process: the monitor gives each address an id
// that is never reused, so per-worker connection pools can be keyed by it across snapshots.
using BackendId = uint32_t;

struct Address {
  std::string host;
  uint16_t port = 0;
  std::string to_string() const;
  friend bool operator==(const Address&, const Address&) = default;
};

enum class Role : uint8_t { kUnknown, kMaster, kReplica };

// Why a replica takes no reads; kNone when it is routable.
enum class Exclusion : uint8_t {
  kNone,
  kUnreachable,     // polls fail or time out
  kNotReplica,      // ROLE says master (or unknown)
  kWrongMaster,     // replicates from another node than the current master
  kLinkDown,        // master_link_status:down
  kLoading,         // loading a dataset
  kSyncing,         // full sync in progress
  kLagSeconds,      // behind by more than max_replication_lag
  kLagBytes,        // behind by more than max_replication_lag_bytes
  kRecovering,      // healthy again, waiting out the success threshold
};
inline constexpr size_t kExclusionCount = static_cast<size_t>(Exclusion::kRecovering) + 1;
std::string_view to_string(Exclusion e);
std::string_view to_string(Role r);

struct BackendState {
  BackendId id = 0;
  Address address;
  Role role = Role::kUnknown;
  bool reachable = false;  // the latest poll answered in time
  // Replicas: may serve reads now (they leave at the first failed poll or limit breach and come
  // back after success_threshold good polls). Master: may take writes now (it leaves after
  // failure_threshold failed polls in a row).
  bool routable = false;
  Exclusion exclusion = Exclusion::kUnreachable;
  uint32_t weight = 1;

  // Replication (replicas): lag measured by resplit from offsets, and Redis's own ACK age.
  uint64_t offset = 0;          // master: master_repl_offset; replica: processed offset
  uint64_t lag_bytes = 0;
  double lag_seconds = 0;
  double ack_age_seconds = 0;   // the master's `lag=` for this replica
  bool link_up = false;
  bool loading = false;
  bool sync_in_progress = false;
  bool listed_by_master = false;  // the master's INFO lists it (ack_age_seconds is its `lag=`)

  // Polling.
  uint32_t consecutive_failures = 0;
  uint64_t poll_errors = 0;  // failed polls since the address was first added (only grows)
  // Replicas: times taken out of read rotation, by the reason at that moment (indexed by Exclusion).
  std::array<uint64_t, kExclusionCount> exclusions{};

  // Read once per connection.
  std::string redis_version;  // empty until known
  uint32_t databases = 0;     // CONFIG GET databases; 0 when unknown (e.g. CONFIG not allowed)

  friend bool operator==(const BackendState&, const BackendState&) = default;
};

struct TopologySnapshot {
  uint64_t version = 0;  // grows with every publication
  std::vector<BackendState> backends;
  std::optional<size_t> master;            // index into backends, when a master is known
  std::vector<size_t> routable_replicas;   // indexes into backends, in a stable order
  bool replicas_out_for_lag = false;       // some replica takes no reads because it lags
  uint64_t master_offset = 0;
  std::string master_replid;    // offsets compare only within one replication history
  uint64_t master_changes = 0;  // how many times the master has changed since start

  // What the master says about itself (HELLO and SELECT answer with these).
  std::string redis_version = "7.0.15";
  int databases = 16;

  const BackendState* master_state() const {
    return master ? &backends[*master] : nullptr;
  }
  const BackendState* find(BackendId id) const;

  // Equal in everything but `version`.
  bool same_picture(const TopologySnapshot& other) const {
    return backends == other.backends && master == other.master &&
           routable_replicas == other.routable_replicas && master_offset == other.master_offset &&
           master_replid == other.master_replid && master_changes == other.master_changes;
  }
};

using SnapshotPtr = std::shared_ptr<const TopologySnapshot>;

}  // namespace resplit::topology
