#include "proxy/topology/sentinel_vote.h"

#include <algorithm>

namespace resplit::topology {

void SentinelVote::record(size_t i, SentinelAnswer answer) {
  if (i < answers_.size()) answers_[i] = std::move(answer);
}

size_t SentinelVote::votes_for(const Address& address) const {
  return static_cast<size_t>(std::count_if(answers_.begin(), answers_.end(), [&](const auto& a) {
    return a.master && *a.master == address;
  }));
}

std::optional<TrustedMaster> SentinelVote::decide() {
  uint64_t newest_epoch = 0;
  bool any = false;
  for (const SentinelAnswer& a : answers_) {
    if (!a.master) continue;
    newest_epoch = any ? std::max(newest_epoch, a.epoch) : a.epoch;
    any = true;
  }
  if (!any) return std::nullopt;
  // The address named at the newest epoch; with several, only one named by a majority counts.
  const SentinelAnswer* newest = nullptr;
  bool conflict = false;
  for (const SentinelAnswer& a : answers_) {
    if (!a.master || a.epoch != newest_epoch) continue;
    if (newest == nullptr) {
      newest = &a;
    } else if (*a.master != *newest->master) {
      conflict = true;
    }
  }
  if (conflict) {
    newest = nullptr;
    for (const SentinelAnswer& a : answers_) {
      if (a.master && a.epoch == newest_epoch && votes_for(*a.master) * 2 > answers_.size()) {
        newest = &a;
      }
    }
    if (newest == nullptr) return std::nullopt;
  }
  const Address& address = *newest->master;
  const size_t votes = votes_for(address);
  if (trusted_ && trusted_->address == address) {
    trusted_->epoch = std::max(trusted_->epoch, newest->epoch);
    trusted_->votes = votes;
    return std::nullopt;
  }
  const bool majority = votes * 2 > answers_.size();
  const bool not_older = !trusted_ || newest->epoch >= trusted_->epoch;
  const bool newer_failover = trusted_ && newest->epoch > trusted_->epoch;
  if (!(majority && not_older) && !newer_failover) return std::nullopt;
  trusted_ = TrustedMaster{address, newest->epoch, votes};
  return trusted_;
}

}  // namespace resplit::topology
