#include "proxy/topology/sentinel_settings.h"

namespace resplit::topology {

SentinelSettings sentinel_settings_from(const config::Config& config,
                                        std::shared_ptr<const net::TlsClient> tls) {
  SentinelSettings s;
  if (config.sentinel) {
    for (const config::HostPort& hp : config.sentinel->addresses) {
      s.sentinels.push_back(Address{hp.host, hp.port});
    }
    s.master_name = config.sentinel->master_name;
    s.username = config.sentinel->auth.username;
    s.password = config.sentinel->auth.password.value;
  }
  s.connect_timeout = config.timeouts.connect;
  s.request_timeout = config.health_check.timeout;
  s.poll_interval = config.health_check.interval;
  s.discover_replicas = config.replicas.discovery == config::Discovery::kSentinel;
  s.replicas_interval = config.replicas.refresh_interval;
  s.hold_limit = config.timeouts.failover_wait;
  s.tls = std::move(tls);
  return s;
}

}  // namespace resplit::topology
