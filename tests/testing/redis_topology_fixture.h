// The gtest base fixture for tests against real Redis: a fresh topology (master + 2 replicas by
// default) started and synced in SetUp, stopped in TearDown even when the test fails or throws.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "tests/testing/redis_client.h"
#include "tests/testing/redis_topology.h"

namespace resplit::testkit {

class RedisTopologyFixture : public ::testing::Test {
 protected:
  // Override to change the topology (replicas, Sentinels, extra arguments).
  virtual TopologyOptions topology_options() const { return {}; }

  // Starts the topology, waits for replication sync and, with Sentinels, for their discovery.
  void SetUp() override;
  // Prints the servers' log tails if the test failed, then stops every server.
  void TearDown() override;

  RedisTopology& topology() { return *topology_; }
  RedisProcess& master() { return topology_->master(); }
  RedisProcess& replica(size_t i) { return topology_->replica(i); }
  RedisProcess& sentinel(size_t i) { return topology_->sentinel(i); }

 private:
  std::unique_ptr<RedisTopology> topology_;
};

}  // namespace resplit::testkit
