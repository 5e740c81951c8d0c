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
#include "proxy/config/config.h"
#include "proxy/net/tls_contexts.h"
#include "proxy/topology/snapshot.h"

namespace resplit::topology {

struct SentinelSettings {
  std::vector<Address> sentinels;
  std::string master_name;
  std::string username;  // empty: AUTH with the password alone
  std::string password;  // empty: no AUTH
  Clock::duration connect_timeout = std::chrono::seconds(1);
  Clock::duration request_timeout = std::chrono::seconds(1);
  Clock::duration poll_interval = std::chrono::milliseconds(250);
  bool discover_replicas = false;                                // replicas.discovery: sentinel
  Clock::duration replicas_interval = std::chrono::seconds(10);  // replicas.refresh_interval
  // Longest wait for a running failover before writes go to the old master again
  // (timeouts.failover_wait); 0: writes are never held.
  Clock::duration hold_limit = std::chrono::seconds(5);
  std::shared_ptr<const net::TlsClient> tls;  // server_tls; null: plain TCP
  friend bool operator==(const SentinelSettings&, const SentinelSettings&) = default;
};
// From the `sentinel` section (which must be set), timeouts, health_check.interval and replicas.
SentinelSettings sentinel_settings_from(const config::Config& config,
                                        std::shared_ptr<const net::TlsClient> tls = nullptr);

class SentinelWatcher {
 public:
  // Called on the watcher's strand; `source` names the Sentinel(s) for the log.
  using MasterSink = std::function<void(Address, std::string source)>;
  using ReplicasSink = std::function<void(std::vector<Address>, std::string source)>;
  // A Sentinel is failing over the trusted master: writes must wait (FailoverHold says why). The
  // hold ends with the next master report, the new master or the old one again.
  using HoldSink = std::function<void(std::string source)>;

  SentinelWatcher(boost::asio::io_context& io, SentinelSettings settings, MasterSink on_master,
                  ReplicasSink on_replicas, HoldSink on_hold);
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
