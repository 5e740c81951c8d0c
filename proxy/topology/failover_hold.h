// Whether writes must wait because a Sentinel is failing over the trusted master. Sentinel
// promotes a replica before it demotes the old master (which stays writable for seconds), so every
// write the old master takes after the promotion is lost. A failover starts (+try-failover, or
// failover_in_progress in SENTINEL MASTER) a few Sentinel ticks before the promotion, so writes
// held from then on are never lost. The hold ends when a new master is trusted, when every
// reachable Sentinel answers (to a poll sent after the hold began) that no failover of the master
// is running, or after `limit`, whichever comes first. Pure: the watcher feeds it.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "proxy/base/clock.h"

namespace resplit::topology {

class FailoverHold {
 public:
  FailoverHold(size_t sentinels, Clock::duration limit) : failing_(sentinels), limit_(limit) {}

  // A Sentinel reports a failover of the trusted master. True when this starts a hold.
  bool begin(Clock::time_point now);
  // Sentinel `i` answered a poll sent at `sent`: whether it is failing over the trusted master
  // (nullopt: unreachable). True when the hold ends now.
  bool observe(size_t i, std::optional<bool> failing_over, Clock::time_point sent,
               Clock::time_point now);
  // A new master is trusted: the failover is over.
  void clear();

  bool active() const { return since_.has_value(); }

 private:
  enum class Seen { kNothingYet, kFailing, kClear };
  std::vector<Seen> failing_;
  Clock::duration limit_;
  std::optional<Clock::time_point> since_;
};

}  // namespace resplit::topology
