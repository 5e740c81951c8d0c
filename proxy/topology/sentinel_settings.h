// How resplit talks to Redis Sentinel: which Sentinels, the master's name, credentials, and the
// intervals and deadlines the watcher uses, derived from the config.
#pragma once

#include <chrono>
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

}  // namespace resplit::topology
