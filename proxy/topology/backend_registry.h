// The backends the monitor currently polls, each with what it has learnt about it, and the
// address -> BackendId map that keeps ids stable for the life of the process (never reused).
#pragma once

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proxy/base/clock.h"
#include "proxy/topology/health.h"
#include "proxy/topology/lag_tracker.h"
#include "proxy/topology/poll_result.h"
#include "proxy/topology/snapshot.h"

namespace resplit::topology {

struct BackendRecord {
  BackendRecord(BackendId i, Address a, uint32_t failure_threshold, uint32_t success_threshold)
      : id(i),
        address(std::move(a)),
        health(failure_threshold, success_threshold),
        gate(success_threshold) {}

  BackendId id = 0;
  Address address;
  uint32_t weight = 1;
  // Why it is polled (with "is master" and "is candidate", kept by TopologyState).
  bool configured_master = false;
  bool in_replica_set = false;
  Clock::time_point last_listed{};  // discovery by master: last time the master listed it

  HealthTracker health;
  ReplicaGate gate;
  std::optional<PollResult> last_good;  // the latest poll that answered
  bool last_ok = false;                 // the latest poll answered
  bool fresh = false;                   // a poll arrived that has not been judged yet
  uint64_t poll_errors = 0;
  std::string last_error;
  std::array<uint64_t, kExclusionCount> exclusions{};  // see BackendState::exclusions

  // Derived when judged.
  Lag lag;
  std::optional<uint64_t> ack_age;  // set when the master lists it
  bool routable = false;
  Exclusion exclusion = Exclusion::kUnreachable;

  // How the snapshot shows it.
  BackendState state() const;
};

class BackendRegistry {
 public:
  // The record for `address`, created (and logged, with `source`) when missing. A returning
  // address gets its old id.
  BackendRecord& ensure(const Address& address, std::string_view source, uint32_t failure_threshold,
                        uint32_t success_threshold);
  BackendRecord* find(std::optional<BackendId> id);
  const BackendRecord* find(std::optional<BackendId> id) const;
  std::optional<BackendId> id_of(const Address& address) const;

  // Drops (and logs) every record for which `keep` is false.
  void remove_unless(const std::function<bool(const BackendRecord&)>& keep);

  // In id order.
  std::map<BackendId, BackendRecord>& records() { return records_; }
  const std::map<BackendId, BackendRecord>& records() const { return records_; }

 private:
  std::map<std::string, BackendId> ids_;  // address -> id, kept for ever
  // Failed polls of removed records, carried into a record re-added for the same id, so a node's
  // count only grows (a write's trust check compares it with the count when the write left).
  std::map<BackendId, uint64_t> removed_poll_errors_;
  BackendId next_id_ = 1;
  std::map<BackendId, BackendRecord> records_;
};

}  // namespace resplit::topology
