// A master, two replicas, three Sentinels and resplit following them (`sentinel:` config, replicas
// from SENTINEL REPLICAS), plus a listener that notes when a Sentinel first publishes
// +switch-master, for failover tests through the proxy.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/redis_topology_fixture.h"
#include "tests/testing/resplit_process.h"

namespace resplit::testkit {

// Subscribes to +switch-master on every Sentinel before it returns, then reads on its own thread.
class SwitchListener {
 public:
  explicit SwitchListener(RedisTopology& topology);
  ~SwitchListener();
  SwitchListener(const SwitchListener&) = delete;
  SwitchListener& operator=(const SwitchListener&) = delete;

  // When the first +switch-master arrived (waiting up to `timeout`); nullopt if none did.
  std::optional<std::chrono::steady_clock::time_point> wait(std::chrono::milliseconds timeout);

 private:
  void run();

  std::vector<RedisClient> clients_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::optional<std::chrono::steady_clock::time_point> first_;
  std::thread thread_;
};

class SentinelProxyFixture : public RedisTopologyFixture {
 protected:
  TopologyOptions topology_options() const override {
    return {.replicas = 2, .sentinels = 3, .quorum = 2};
  }
  // resplit's config: the Sentinels, replica discovery through them, fast health checks.
  std::string sentinel_config();
  // The `timeouts` section of that config, as a YAML flow map.
  virtual std::string timeouts_config() const { return "{command: 2s, failover_wait: 60s}"; }
  // The `routing` section, as a YAML flow map; empty: the defaults.
  virtual std::string routing_config() const { return ""; }

  // Starts resplit and waits until a write through it succeeds.
  void SetUp() override;
  void TearDown() override;

  ResplitProcess& proxy() { return *proxy_; }

  struct PausedSwitch {
    uint16_t old_port = 0;
    uint16_t new_port = 0;  // 0: the Sentinels named none in time (the master is resumed then)
    std::chrono::steady_clock::time_point paused_at;
    std::string why;  // what the Sentinels named, when new_port is 0
  };
  // SIGSTOPs the master and waits until a majority of the Sentinels name another one.
  PausedSwitch pause_master_until_switch(
      std::chrono::milliseconds timeout = std::chrono::seconds(60));

 private:
  std::unique_ptr<ResplitProcess> proxy_;
};

}  // namespace resplit::testkit
