#include "proxy/topology/health.h"

namespace resplit::topology {

std::string_view to_string(Health h) {
  switch (h) {
    case Health::kDown: return "down";
    case Health::kRecovering: return "recovering";
    case Health::kUp: return "up";
  }
  return "unknown";
}

HealthTracker::HealthTracker(uint32_t failure_threshold, uint32_t success_threshold) {
  set_thresholds(failure_threshold, success_threshold);
}

void HealthTracker::set_thresholds(uint32_t failure_threshold, uint32_t success_threshold) {
  failure_threshold_ = failure_threshold == 0 ? 1 : failure_threshold;
  success_threshold_ = success_threshold == 0 ? 1 : success_threshold;
}

bool HealthTracker::record_success() {
  failures_ = 0;
  ++successes_;
  const Health before = state_;
  if (state_ != Health::kUp) {
    // Hysteresis is for coming back after a failure; a node never seen failing is up at once, so
    // that a restarted proxy does not send every read to the master for its first polls.
    const bool first_impression = !seen_failing_;
    state_ = first_impression || successes_ >= success_threshold_ ? Health::kUp
                                                                  : Health::kRecovering;
  }
  return state_ != before;
}

bool HealthTracker::record_failure() {
  seen_failing_ = true;
  successes_ = 0;
  ++failures_;
  const Health before = state_;
  if (state_ == Health::kRecovering) {
    // It has not earned its place back; one failure sends it down again.
    state_ = Health::kDown;
  } else if (state_ == Health::kUp && failures_ >= failure_threshold_) {
    state_ = Health::kDown;
  }
  return state_ != before;
}

Exclusion judge_replica(const ReplicaFacts& f, const LagLimits& limits) {
  if (!f.polled_ok) return Exclusion::kUnreachable;
  if (f.role != Role::kReplica) return Exclusion::kNotReplica;
  if (!f.link_up) return Exclusion::kLinkDown;
  if (f.loading) return Exclusion::kLoading;
  if (f.sync_in_progress) return Exclusion::kSyncing;
  if (!f.follows_master) return Exclusion::kWrongMaster;
  if (limits.max_seconds > 0 && f.lag_seconds > limits.max_seconds) return Exclusion::kLagSeconds;
  if (limits.max_bytes > 0 && f.lag_bytes > limits.max_bytes) return Exclusion::kLagBytes;
  return Exclusion::kNone;
}

ReplicaGate::ReplicaGate(uint32_t success_threshold) {
  set_success_threshold(success_threshold);
}

Exclusion ReplicaGate::update(Exclusion verdict) {
  if (verdict != Exclusion::kNone) {
    in_rotation_ = false;
    good_streak_ = 0;
    seen_excluded_ = true;
    exclusion_ = verdict;
    return exclusion_;
  }
  ++good_streak_;
  // As with HealthTracker: only a replica that has been out must earn its place back.
  if (!in_rotation_ && (!seen_excluded_ || good_streak_ >= success_threshold_)) in_rotation_ = true;
  exclusion_ = in_rotation_ ? Exclusion::kNone : Exclusion::kRecovering;
  return exclusion_;
}

}  // namespace resplit::topology
