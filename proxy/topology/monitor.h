// Watches the master and the replicas and publishes the TopologySnapshot that workers route by:
// polls ROLE / INFO on every backend, measures each replica's lag from its own offset, keeps
// replicas that are too far behind, unreachable or following another master out of rotation,
// discovers replicas (static, DNS, the master's list, or an external source such as Sentinel)
// and follows failovers, checking every new master's ROLE before it takes writes.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "proxy/base/clock.h"
#include "proxy/base/published.h"
#include "proxy/config/config.h"
#include "proxy/net/tls_contexts.h"
#include "proxy/topology/resolver.h"
#include "proxy/topology/snapshot.h"

namespace resplit::topology {

class MonitorCore;

class TopologyMonitor {
 public:
  // Runs on a strand of `io`. `resolver` answers DNS discovery (replicas.discovery: dns);
  // nullptr means the system resolver. The first snapshot is published by start().
  TopologyMonitor(boost::asio::io_context& io, std::shared_ptr<const config::Config> config,
                  Published<TopologySnapshot>& out, const Clock& clock,
                  std::shared_ptr<Resolver> resolver = nullptr);
  // Stops; the coroutines end on their own as `io` runs (or when it is destroyed).
  ~TopologyMonitor();

  TopologyMonitor(const TopologyMonitor&) = delete;
  TopologyMonitor& operator=(const TopologyMonitor&) = delete;

  // Every method is safe to call from any thread: the work is posted to the monitor's strand.
  void start();
  void stop();

  // A reloaded configuration: backends that stay keep their id, state and connection (a changed
  // credential or timeout reconnects); others are added or dropped. A new master address is
  // treated like set_master_address(…, "config").
  void apply(std::shared_ptr<const config::Config> config);

  // TLS toward the backends (server_tls; null: plain TCP). Pollers reconnect with a changed
  // context at their next poll. Call before start() and, on reload, before apply().
  void set_tls(std::shared_ptr<const net::TlsClient> tls);

  // An outside source (Sentinel's +switch-master, an operator) says the master is now at
  // `address`. The current master, if it is another node, takes no more writes at once; the new
  // one becomes the snapshot's master when its own ROLE says master (a node whose ROLE says
  // replica never does). `source` appears in the log.
  void set_master_address(Address address, std::string source);

  // An outside source (Sentinel) is failing the master over: it takes no more writes, and writes
  // wait (timeouts.failover_wait) until set_master_address names the master, new or the same.
  void hold_writes(std::string source);

  // The replica set from an outside source (Sentinel's SENTINEL REPLICAS); used only with
  // replicas.discovery: sentinel, ignored with a warning otherwise. Replaces the previous set.
  void set_replica_addresses(std::vector<Address> addresses, std::string source);

 private:
  std::shared_ptr<MonitorCore> core_;
};

}  // namespace resplit::topology
