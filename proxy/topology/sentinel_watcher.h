// Follows the master that Redis Sentinel names: keeps a connection to every configured Sentinel,
// asks each SENTINEL GET-MASTER-ADDR-BY-NAME (and the config epoch) every poll interval, and
// listens on a second connection for +switch-master, which makes it ask every Sentinel at once.
// SentinelVote decides which answer to trust; the trusted address goes to the master sink (the
// topology monitor, which fences the old master and sends no writes to the new one before its own
// ROLE says master). While a Sentinel fails the master over, writes are held (FailoverHold). With
// replica discovery on, SENTINEL REPLICAS goes to the replica sink. Every request has a deadline; a
// lost Sentinel is reconnected with backoff.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "proxy/base/clock.h"
#include "proxy/topology/sentinel_settings.h"
#include "proxy/topology/sentinel_status.h"
#include "proxy/topology/snapshot.h"

namespace resplit::topology {

class SentinelWatcher {
 public:
  // Called on the watcher's strand; `source` names the Sentinel(s) for the log.
  using MasterSink = std::function<void(Address, std::string source)>;
  using ReplicasSink = std::function<void(std::vector<Address>, std::string source)>;
  // A Sentinel is failing over the trusted master: writes must wait (FailoverHold says why). The
  // hold ends with the next master report, the new master or the old one again.
  using HoldSink = std::function<void(std::string source)>;
  // Every Sentinel's state, in configured order, each time any of it changes (and empty once
  // stopped).
  using StatusSink = std::function<void(SentinelStatusList)>;

  SentinelWatcher(boost::asio::io_context& io, SentinelSettings settings, MasterSink on_master,
                  ReplicasSink on_replicas, HoldSink on_hold, StatusSink on_status = nullptr);
  // Stops; the coroutines end on their own as `io` runs (or when it is destroyed).
  ~SentinelWatcher();

  SentinelWatcher(const SentinelWatcher&) = delete;
  SentinelWatcher& operator=(const SentinelWatcher&) = delete;

  // Safe from any thread.
  void start();
  void stop();

  class Core;

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace resplit::topology
