// route(): where one command goes, as a pure function of what the command is, the client session's
// state, the current topology and the routing policy. No sockets and no clocks, so every decision is
// tested as a table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "proxy/config/config.h"
#include "proxy/routing/command_kind.h"
#include "proxy/routing/reason.h"
#include "proxy/topology/snapshot.h"

namespace resplit::routing {

enum class Destination : uint8_t {
  kLocal,    // resplit answers
  kMaster,   // the master's shared connection
  kReplica,  // a replica's shared connection
  kPinned,   // the session's pinned connection (made on `backend` if the session has none)
  kFanout,   // every backend; the client gets the master's reply
  kError,    // resplit answers with `error`
};

std::string_view to_string(Destination destination);

inline constexpr size_t kNoBackend = static_cast<size_t>(-1);

struct SessionState {
  bool in_multi = false;
  bool watching = false;
  bool subscribed = false;       // Redis's subscribed mode: the pinned connection is passthrough
  bool monitoring = false;       // MONITOR: passthrough for the rest of the connection
  bool session_pinned = false;   // CLIENT TRACKING: everything to one connection
  // Read-your-writes: a write of this session is still waiting for its reply, and the master offset
  // that replicas must have reached to serve this session's reads (0: any).
  bool write_in_flight = false;
  uint64_t min_replica_offset = 0;
};

struct Policy {
  config::ReadPolicy read_policy = config::ReadPolicy::kPreferReplica;
  config::ReplicaSelection selection = config::ReplicaSelection::kLeastOutstanding;
  bool read_your_writes = true;
};

// Per-worker facts route() may weigh but not change: commands in flight per backend (indexed like
// snapshot.backends; missing entries count as 0), a ticket that grows with every choice, used for
// round-robin and for breaking ties, and the replica that the client's earlier reads of the same
// input batch went to.
struct Load {
  std::span<const uint32_t> outstanding;
  uint64_t ticket = 0;
  size_t batch_replica = kNoBackend;
};

struct Route {
  Destination destination = Destination::kError;
  Reason reason = Reason::kWrite;
  size_t backend = kNoBackend;  // index into snapshot.backends (kMaster, kReplica, kPinned)
  std::string_view error;       // complete RESP error line (kError)
};

Route route(const Classified& command, const SessionState& session,
            const topology::TopologySnapshot& topology, const Policy& policy, const Load& load);

// The replica a read goes to, or kNoBackend: among routable replicas that have reached
// `min_offset`, chosen by `selection`. With `include_master` the master is a candidate too.
size_t choose_replica(const topology::TopologySnapshot& topology, uint64_t min_offset,
                      config::ReplicaSelection selection, const Load& load, bool include_master);

}  // namespace resplit::routing
