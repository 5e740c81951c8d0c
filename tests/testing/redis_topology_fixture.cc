#include "tests/testing/redis_topology_fixture.h"

#include <iostream>

namespace resplit::testkit {

void RedisTopologyFixture::SetUp() {
  topology_ = std::make_unique<RedisTopology>(topology_options());
  ASSERT_TRUE(topology_->wait_for_sync());
  if (topology_->sentinel_count() > 0) {
    ASSERT_TRUE(topology_->wait_for_sentinels());
  }
}

void RedisTopologyFixture::TearDown() {
  if (!topology_) return;
  if (HasFailure()) {
    for (RedisProcess* process : topology_->processes()) {
      std::cerr << "--- " << process->name() << " (" << process->address() << ", "
                << process->log_path() << ") ---\n"
                << process->log_tail();
    }
  }
  topology_.reset();
}

}  // namespace resplit::testkit
