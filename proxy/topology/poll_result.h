// What one poll of a backend brought back: its ROLE and INFO at a point in time, or why it failed.
// The seam between the socket side (Poller) and the decisions (TopologyState).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "proxy/base/clock.h"
#include "proxy/topology/info_parser.h"

namespace resplit::topology {

struct PollResult {
  bool ok = false;
  std::string error;       // on failure: "poll: Connection timed out", "auth: WRONGPASS ..."
  bool timed_out = false;  // on failure: a deadline passed (the node may be paused)
  Clock::time_point at{};  // when the replies arrived
  RoleInfo role;
  NodeInfo info;             // INFO replication and persistence
  std::string connected_ip;  // the peer address of the connection

  // Read once per connection (INFO server, CONFIG GET databases).
  std::string redis_version;
  std::optional<uint32_t> databases;

  // The role the node states: ROLE's answer, INFO's when ROLE gave none.
  Role stated_role() const { return role.role != Role::kUnknown ? role.role : info.role; }
  // Replica: master_link_status:up (ROLE's "connected" when INFO said nothing).
  bool link_up() const { return info.master_link_up.value_or(role.state == "connected"); }
  // The offset of the data the node serves.
  std::optional<uint64_t> offset() const {
    if (std::optional<uint64_t> o = info.processed_offset()) return o;
    return stated_role() == Role::kMaster ? role.master_offset : role.offset;
  }
};

}  // namespace resplit::topology
