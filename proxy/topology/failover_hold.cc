#include "proxy/topology/failover_hold.h"

#include <algorithm>

namespace resplit::topology {

bool FailoverHold::begin(Clock::time_point now) {
  if (since_) return false;
  since_ = now;
  std::fill(failing_.begin(), failing_.end(), Seen::kNothingYet);
  return true;
}

bool FailoverHold::observe(size_t i, std::optional<bool> failing_over, Clock::time_point sent,
                           Clock::time_point now) {
  if (!since_ || i >= failing_.size()) return false;
  if (now - *since_ >= limit_) {
    clear();
    return true;
  }
  if (!failing_over) {
    failing_[i] = Seen::kClear;  // an unreachable Sentinel cannot keep writes waiting
  } else if (sent >= *since_) {
    failing_[i] = *failing_over ? Seen::kFailing : Seen::kClear;
  }
  const bool over =
      std::all_of(failing_.begin(), failing_.end(), [](Seen s) { return s == Seen::kClear; });
  if (over) clear();
  return over;
}

void FailoverHold::clear() { since_.reset(); }

}  // namespace resplit::topology
