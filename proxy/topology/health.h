// Health decisions with hysteresis: whether a backend counts as up (consecutive failed and good
// polls against thresholds), and whether a replica may serve reads (and if not, why not).
#pragma once

#include <cstdint>
#include <string_view>

#include "proxy/topology/snapshot.h"

namespace resplit::topology {

enum class Health : uint8_t {
  kDown,        // never seen up, or failure_threshold polls in a row failed
  kRecovering,  // good polls again, fewer than success_threshold in a row
  kUp,
};
std::string_view to_string(Health h);

// Consecutive poll outcomes of one backend. It goes down after `failure_threshold` failures in a
// row and comes back after `success_threshold` good polls in a row, so one lost poll does not
// drop a backend and one lucky poll does not bring a flapping one back.
class HealthTracker {
 public:
  HealthTracker(uint32_t failure_threshold, uint32_t success_threshold);

  // Each returns true when the state changed.
  bool record_success();
  bool record_failure();

  void set_thresholds(uint32_t failure_threshold, uint32_t success_threshold);

  Health state() const { return state_; }
  bool up() const { return state_ == Health::kUp; }
  uint32_t consecutive_failures() const { return failures_; }
  uint32_t consecutive_successes() const { return successes_; }

 private:
  uint32_t failure_threshold_;
  uint32_t success_threshold_;
  Health state_ = Health::kDown;
  bool seen_failing_ = false;
  uint32_t failures_ = 0;
  uint32_t successes_ = 0;
};

// What one poll of a replica showed, measured against the current master.
struct ReplicaFacts {
  bool polled_ok = false;  // the latest poll answered in time
  Role role = Role::kUnknown;
  bool follows_master = false;  // its master_replid is the current master's
  bool link_up = false;
  bool loading = false;
  bool sync_in_progress = false;
  double lag_seconds = 0;
  uint64_t lag_bytes = 0;
};

struct LagLimits {
  double max_seconds = 0;  // 0: no limit
  uint64_t max_bytes = 0;  // 0: no limit
};

// Why this replica must not serve reads now (the first reason that applies), or kNone.
// Following the current master is decided by replication id, not by address: on Kubernetes the
// replica knows its master by an IP or a pod name that differ from the address resplit uses.
Exclusion judge_replica(const ReplicaFacts& facts, const LagLimits& limits);

// The read rotation of one replica. Any bad verdict takes it out at once (a stale or silent
// replica must not serve reads while the monitor counts); it comes back only after
// `success_threshold` good verdicts in a row, showing kRecovering meanwhile.
class ReplicaGate {
 public:
  explicit ReplicaGate(uint32_t success_threshold);

  // Feeds one poll's verdict; returns the exclusion to publish (kNone when in rotation).
  Exclusion update(Exclusion verdict);

  void set_success_threshold(uint32_t n) { success_threshold_ = n == 0 ? 1 : n; }
  bool in_rotation() const { return in_rotation_; }
  Exclusion exclusion() const { return exclusion_; }

 private:
  uint32_t success_threshold_;
  uint32_t good_streak_ = 0;
  bool seen_excluded_ = false;
  bool in_rotation_ = false;
  Exclusion exclusion_ = Exclusion::kUnreachable;
};

}  // namespace resplit::topology
