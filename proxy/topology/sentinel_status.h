// What resplit last heard from each configured Sentinel, for metrics and the topology endpoint:
// whether it answers, which master it names at which config epoch, and whether that is the master
// resplit trusts. A Sentinel that answers but names another master is stale or cut off from the
// others; it is outvoted (SentinelVote), and an operator should hear about it before it matters.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "proxy/topology/snapshot.h"

namespace resplit::topology {

struct SentinelStatus {
  Address address;
  bool up = false;                // its last poll was answered
  std::optional<Address> master;  // what it names; nullopt when down or naming none
  uint64_t epoch = 0;             // the config epoch it reports
  bool names_trusted = false;     // it names the master resplit trusts
  friend bool operator==(const SentinelStatus&, const SentinelStatus&) = default;
};
using SentinelStatusList = std::vector<SentinelStatus>;

// The list of the running Sentinel watcher, read by the scrape thread. A watcher that a reload
// replaced may report once more before it stops: every watcher reports with the generation it was
// started under, and reports of an older generation are dropped.
class SentinelStatusBoard {
 public:
  // Forgets the list (no Sentinels, or a new watcher starting); the new generation.
  uint64_t restart() {
    std::lock_guard lock(mutex_);
    list_.reset();
    return ++generation_;
  }

  void publish(uint64_t generation, SentinelStatusList list) {
    auto next = std::make_shared<const SentinelStatusList>(std::move(list));
    std::lock_guard lock(mutex_);
    if (generation == generation_) list_ = std::move(next);
  }

  // Null when no watcher runs or it has not reported yet.
  std::shared_ptr<const SentinelStatusList> get() const {
    std::lock_guard lock(mutex_);
    return list_;
  }

 private:
  mutable std::mutex mutex_;
  uint64_t generation_ = 0;
  std::shared_ptr<const SentinelStatusList> list_;
};

}  // namespace resplit::topology
