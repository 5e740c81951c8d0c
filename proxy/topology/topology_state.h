// Everything the monitor knows about the backends and every decision it takes from polls, with no
// sockets and no timers: membership (configured, discovered, announced), health, who is master,
// lag, read rotation. The monitor feeds it poll results and publishes what build() returns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/base/clock.h"
#include "proxy/config/config.h"
#include "proxy/topology/backend_registry.h"
#include "proxy/topology/health.h"
#include "proxy/topology/lag_tracker.h"
#include "proxy/topology/master_election.h"
#include "proxy/topology/poll_result.h"
#include "proxy/topology/snapshot.h"

namespace resplit::topology {

struct StateSettings {
  config::Discovery discovery = config::Discovery::kStatic;
  uint32_t failure_threshold = 3;
  uint32_t success_threshold = 2;
  LagLimits limits;
  // Discovery from the master: a replica it stops listing leaves after this long.
  Clock::duration refresh_interval = std::chrono::seconds(10);
};
StateSettings settings_from(const config::Config& config);

struct WeightedAddress {
  Address address;
  uint32_t weight = 1;
};

class TopologyState {
 public:
  TopologyState(const Clock& clock, StateSettings settings);

  void set_settings(StateSettings settings);

  // The master from the configuration (nullopt with Sentinel). A new address is announced.
  void set_configured_master(const std::optional<Address>& address);
  // Someone (the configuration, Sentinel) says the master is now at `address`. A different node
  // than the current master is fenced at once: no writes until the announced node's own ROLE says
  // master. `source` goes to the log.
  void announce_master(const Address& address, std::string_view source);
  // Someone (Sentinel) is failing the master over: fenced at once like an announced change, with
  // no candidate until the next announcement (of a new master, or of the same one again).
  void hold_writes(std::string_view source);
  // The replica set of the discovery source; replaces the previous one.
  void set_replicas(const std::vector<WeightedAddress>& replicas, std::string_view source);

  // A completed poll of backend `id` (ignored when it is no longer a member).
  void record(BackendId id, PollResult result);
  // Takes every decision that the polls recorded since the last call allow.
  void evaluate();
  // The picture to publish; `version` left 0.
  TopologySnapshot build() const;

  // Current members in id order; the monitor keeps one poller per member.
  std::vector<std::pair<BackendId, Address>> members() const;
  std::optional<BackendId> master() const { return election_.master; }
  std::optional<BackendId> candidate() const { return election_.candidate; }
  // Stable per address for the life of the process; never given to another address.
  std::optional<BackendId> id_of(const Address& address) const;

 private:
  using Record = BackendRecord;

  Record& ensure(const Address& address, std::string_view source);
  Record* find(std::optional<BackendId> id);
  const Record* find(std::optional<BackendId> id) const;
  bool is_member(const Record& r) const;
  void prune();
  void run_election();
  void feed_master_sample();
  void discover_from_master();
  void judge(Record& r);
  void set_master(std::optional<BackendId> id, std::string_view reason);

  const Clock& clock_;
  StateSettings settings_;
  BackendRegistry backends_;
  std::optional<Address> configured_master_;
  ElectionState election_;
  std::optional<BackendId> held_;  // the master hold_writes() took writes from, until announced
  std::optional<BackendId> last_master_;  // the last non-empty master, to count changes
  uint64_t master_changes_ = 0;
  std::string master_replid_;
  LagTracker lag_;
};

}  // namespace resplit::topology
