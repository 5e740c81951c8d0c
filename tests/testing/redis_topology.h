// A master with N replicas and optionally M Sentinels, each a RedisProcess on its own port and
// directory, with bounded waits for replication sync and for the Sentinels to see everyone.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "tests/testing/redis_process.h"

namespace resplit::testkit {

struct TopologyOptions {
  size_t replicas = 2;
  size_t sentinels = 0;
  std::string master_name = "mymaster";
  // Sentinels that must agree the master is down; 0 means a majority of `sentinels`.
  int quorum = 0;
  std::chrono::milliseconds down_after{1000};
  std::chrono::milliseconds failover_timeout{5000};
  // Extra arguments per role, appended after the fixed ones.
  std::vector<std::string> master_args{};
  std::vector<std::string> replica_args{};
  std::vector<std::string> sentinel_args{};
  // More arguments for Sentinel i alone (after sentinel_args); may be shorter than `sentinels`.
  std::vector<std::vector<std::string>> per_sentinel_args{};
  // Master and replicas also listen for TLS (RedisProcessOptions::tls_port) and replicas follow
  // the master's TLS port; certificate arguments (and --tls-replication yes) go in *_args.
  bool tls = false;
  // Per server start-up, and for the replica sync that comes before the Sentinels start.
  std::chrono::milliseconds start_timeout{10000};
};

class RedisTopology {
 public:
  // Starts the master, then the replicas; with Sentinels, waits for the replicas to sync first so
  // every Sentinel learns them from its first INFO. Throws std::runtime_error when that fails.
  explicit RedisTopology(TopologyOptions options = {});
  ~RedisTopology();

  RedisTopology(const RedisTopology&) = delete;
  RedisTopology& operator=(const RedisTopology&) = delete;

  // Roles as started: after a failover `master()` is still the process started as master.
  RedisProcess& master() { return *master_; }
  RedisProcess& replica(size_t i) { return *replicas_.at(i); }
  RedisProcess& sentinel(size_t i) { return *sentinels_.at(i); }
  size_t replica_count() const { return replicas_.size(); }
  size_t sentinel_count() const { return sentinels_.size(); }
  const std::string& master_name() const { return options_.master_name; }
  const TopologyOptions& options() const { return options_; }
  // Every process: master, replicas, Sentinels.
  std::vector<RedisProcess*> processes();

  // Until the master lists every replica online, every replica reports master_link_status:up,
  // and each replica's slave_repl_offset equals the master's master_repl_offset.
  ::testing::AssertionResult wait_for_sync(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Until each Sentinel sees the master as up, the other Sentinels, and every replica.
  ::testing::AssertionResult wait_for_sentinels(
      std::chrono::milliseconds timeout = std::chrono::seconds(15));

  // The master port that Sentinel `i` names (SENTINEL GET-MASTER-ADDR-BY-NAME); 0 when it
  // does not answer or names none.
  uint16_t sentinel_master_port(size_t i);
  // Until a majority of the Sentinels name one master other than the one on `old_port`; returns
  // its port, or 0 on timeout (with `why` set when given).
  uint16_t wait_for_master_switch(uint16_t old_port,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(30),
                                  std::string* why = nullptr);
  // The master or replica process listening on `port`; nullptr when none is.
  RedisProcess* server_on_port(uint16_t port);

  // Stops everything (in parallel); also done by the destructor.
  void stop();

 private:
  std::string sync_state();
  std::string sentinel_state(RedisProcess& sentinel);

  TopologyOptions options_;
  std::unique_ptr<RedisProcess> master_;
  std::vector<std::unique_ptr<RedisProcess>> replicas_;
  std::vector<std::unique_ptr<RedisProcess>> sentinels_;
};

}  // namespace resplit::testkit
