// Runs a TopologyMonitor on its own io_context thread against real servers, with bounded waits on
// the snapshots it publishes, and a background writer that keeps the replication stream busy.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "proxy/base/published.h"
#include "proxy/config/config.h"
#include "proxy/topology/info_parser.h"
#include "proxy/topology/monitor.h"
#include "tests/testing/redis_client.h"
#include "tests/testing/redis_process.h"
#include "tests/testing/reply.h"

namespace resplit::topology::testing {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

inline Address address_of(const testkit::RedisProcess& p) {
  return Address{testkit::RedisProcess::kHost, p.port()};
}

inline config::HostPort host_port_of(const testkit::RedisProcess& p) {
  return config::HostPort{testkit::RedisProcess::kHost, p.port()};
}

// Fast polling so that a test sees many rounds in a few seconds.
inline std::shared_ptr<config::Config> test_config() {
  auto c = std::make_shared<config::Config>();
  c->source = "<test>";
  c->health_check.interval = 100ms;
  c->health_check.timeout = 500ms;
  c->health_check.failure_threshold = 3;
  c->health_check.success_threshold = 2;
  c->timeouts.connect = 500ms;
  c->routing.max_replication_lag = 1s;
  c->routing.max_replication_lag_bytes = 1 << 20;
  return c;
}

class MonitorHarness {
 public:
  explicit MonitorHarness(std::shared_ptr<const config::Config> config,
                          std::shared_ptr<Resolver> resolver = nullptr)
      : monitor_(io_, std::move(config), published_, Clock::steady(), std::move(resolver)) {
    monitor_.start();
    thread_ = std::thread([this] { io_.run(); });
  }

  ~MonitorHarness() {
    monitor_.stop();
    // The coroutines end within a poll deadline; do not wait for ever if one does not.
    const auto deadline = SteadyClock::now() + 5s;
    while (!io_.stopped() && SteadyClock::now() < deadline) std::this_thread::sleep_for(10ms);
    io_.stop();
    thread_.join();
  }

  TopologyMonitor& monitor() { return monitor_; }
  SnapshotPtr snapshot() const { return published_.get(); }

  // Polls the published snapshot every 5 ms until `done` holds or `timeout` passes; every
  // snapshot seen also goes to `watch` (for invariants that must hold throughout).
  SnapshotPtr wait_for(const std::function<bool(const TopologySnapshot&)>& done,
                       std::chrono::milliseconds timeout,
                       const std::function<void(const TopologySnapshot&)>& watch = {}) const {
    const auto deadline = SteadyClock::now() + timeout;
    const int max_polls = static_cast<int>(timeout / 5ms) + 2;
    uint64_t seen = 0;
    for (int i = 0; i < max_polls && SteadyClock::now() < deadline; ++i) {
      SnapshotPtr s = published_.get();
      if (s && s->version != seen) {
        seen = s->version;
        if (watch) watch(*s);
        if (done(*s)) return s;
      }
      std::this_thread::sleep_for(5ms);
    }
    return nullptr;
  }

 private:
  boost::asio::io_context io_;
  Published<TopologySnapshot> published_;
  TopologyMonitor monitor_;
  std::thread thread_;
};

inline const BackendState* find_backend(const TopologySnapshot& s, const Address& a) {
  for (const BackendState& b : s.backends) {
    if (b.address == a) return &b;
  }
  return nullptr;
}

inline bool routable_replica(const TopologySnapshot& s, const Address& a) {
  for (size_t i : s.routable_replicas) {
    if (s.backends[i].address == a) return true;
  }
  return false;
}

inline bool master_is(const TopologySnapshot& s, const Address& a) {
  return s.master && s.backends[*s.master].address == a;
}

// Pipelined SETs in batches until stopped, paced so the machine keeps room for the servers.
class Writer {
 public:
  explicit Writer(uint16_t port) : client_(port) {
    thread_ = std::thread([this] { run(); });
  }
  ~Writer() { stop(); }

  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  uint64_t commands() const { return commands_; }
  bool failed() const { return failed_; }

 private:
  void run() {
    const std::string value(100, 'v');
    std::vector<std::vector<std::string>> batch;
    for (int i = 0; i < 200; ++i) batch.push_back({"SET", "key:" + std::to_string(i), value});
    // Bounded: at most ten minutes of batches even if nobody stops it.
    for (int round = 0; round < 120000 && !stop_; ++round) {
      for (const testkit::Reply& r : client_.pipeline(batch)) {
        if (!r.from_server() || r.is_error()) failed_ = true;
      }
      commands_ += batch.size();
      std::this_thread::sleep_for(5ms);
    }
  }

  testkit::RedisClient client_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::atomic<uint64_t> commands_{0};
};

inline uint64_t info_number(testkit::RedisClient& c, const std::string& section,
                            const std::string& key) {
  const auto info = c.info(section);
  auto it = info.find(key);
  return it == info.end() ? 0 : std::stoull(it->second);
}

}  // namespace resplit::topology::testing
