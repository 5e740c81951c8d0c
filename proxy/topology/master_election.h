// Who the master is, decided from what the nodes themselves say: an announced master (config,
// Sentinel) counts only once its own ROLE says master, a node that says it is a replica is never
// the master, and a demoted master is followed to the node it now replicates from. Pure.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "proxy/topology/snapshot.h"

namespace resplit::topology {

// One backend as far as choosing the master goes.
struct NodeView {
  BackendId id = 0;
  Address address;           // as resplit knows it (configured or discovered)
  std::string connected_ip;  // the peer IP of the monitor's connection, when connected
  bool current = false;      // its latest poll answered, so `role` is what it says now
  Role role = Role::kUnknown;
  std::string replid;    // its master_replid
  Address follows;       // replica: the master host and port it reports
  bool link_up = false;  // replica: master_link_status:up
};

struct ElectionState {
  std::optional<BackendId> master;
  std::optional<BackendId> candidate;  // announced or followed; master once its ROLE agrees
  // The master an announcement replaced: whatever its ROLE says, only a new announcement naming
  // it makes it master again (a paused old master wakes up still saying master).
  std::optional<BackendId> fenced;
  friend bool operator==(const ElectionState&, const ElectionState&) = default;
};

struct ElectionOutcome {
  ElectionState state;
  // The master or candidate follows an address that no backend has: the caller adds a backend
  // for it and makes that the candidate.
  std::optional<Address> follow;
  std::string_view reason;  // what moved the state, for the log; empty when nothing did
};

// One step of the decision, taken after every round of polls:
// 1. the master, if its ROLE now says replica (or anything but master), is the master no more;
//    the node it follows takes its place if that node says master, else becomes the candidate;
// 2. the candidate becomes master when its ROLE says master; if it says replica, the node it
//    follows becomes the candidate instead (unless that is the fenced node: then it waits);
// 3. with no candidate, and no master answering, a node whose ROLE says master and which the
//    replicas follow (same replication id, link up) becomes master; with a tie, none does.
// The fenced node is never chosen by rules 1-3; setting any master lifts the fence.
ElectionOutcome elect_master(const ElectionState& state, std::span<const NodeView> nodes);

// Whether `node` is the node at `address` as a replica names it: by port and by host name or by
// the IP the monitor is connected to.
bool names_node(const Address& address, const NodeView& node);

}  // namespace resplit::topology
