// Which master address to believe when several Sentinels answer, some of them stale or down. An
// address is trusted when a majority of the configured Sentinels name it, or when a Sentinel names
// it with a config epoch newer than the trusted one: Sentinel raises the epoch only for a failover
// whose leader a majority elected, so a newer epoch is a failover that really happened (the other
// Sentinels learn it up to seconds later). An older epoch never wins back, and two addresses at the
// newest epoch decide nothing unless a majority names one of them. Pure: the watcher feeds it
// answers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "proxy/topology/snapshot.h"

namespace resplit::topology {

struct SentinelAnswer {
  std::optional<Address> master;  // GET-MASTER-ADDR-BY-NAME; nullopt: unreachable or unknown
  uint64_t epoch = 0;             // SENTINEL MASTER's config-epoch; 0 when not known
};

struct TrustedMaster {
  Address address;
  uint64_t epoch = 0;
  size_t votes = 0;  // Sentinels naming it when it was trusted
};

class SentinelVote {
 public:
  explicit SentinelVote(size_t sentinels) : answers_(sentinels) {}

  // The latest answer of Sentinel `i` (0-based, as configured); an empty answer forgets it.
  void record(size_t i, SentinelAnswer answer);

  // The newly trusted master when the answers now move trust to another address (or give the first
  // one); nullopt when nothing changes.
  std::optional<TrustedMaster> decide();

  const std::optional<TrustedMaster>& trusted() const { return trusted_; }
  // Whether `address` is the trusted master (false while none is trusted).
  bool trusts(const std::optional<Address>& address) const {
    return address && trusted_ && *address == trusted_->address;
  }
  // Sentinels whose latest answer names `address`.
  size_t votes_for(const Address& address) const;
  size_t sentinels() const { return answers_.size(); }
  // The latest answer of Sentinel `i` (0-based, as configured; must be in range).
  const SentinelAnswer& answer(size_t i) const { return answers_.at(i); }

 private:
  std::vector<SentinelAnswer> answers_;
  std::optional<TrustedMaster> trusted_;
};

}  // namespace resplit::topology
