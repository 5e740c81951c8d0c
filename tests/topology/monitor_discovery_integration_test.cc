// How the monitor learns its backends against real servers: DNS answers that change (through a
// resolver the test controls), the master's own replica list, an outside master announcement
// (the Sentinel hook) and a reloaded configuration.
#include <gtest/gtest.h>

#include <boost/asio/this_coro.hpp>
#include <cstdio>
#include <mutex>

#include "tests/testing/redis_topology_fixture.h"
#include "tests/topology/monitor_harness.h"

namespace resplit::topology::testing {
namespace {

double seconds_since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

// Answers every name with whatever the test set last; safe to change from the test thread.
class FakeResolver final : public Resolver {
 public:
  void answer(std::vector<Address> addresses, boost::system::error_code error = {}) {
    std::lock_guard lock(mutex_);
    answer_ = ResolveResult{error, std::move(addresses)};
  }
  int calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

  boost::asio::awaitable<ResolveResult> resolve(std::string host, uint16_t port,
                                                Clock::duration timeout) override {
    std::lock_guard lock(mutex_);
    ++calls_;
    co_return answer_;
  }

 private:
  mutable std::mutex mutex_;
  ResolveResult answer_;
  int calls_ = 0;
};

class MonitorDiscoveryTest : public testkit::RedisTopologyFixture {};

TEST_F(MonitorDiscoveryTest, DnsDiscoveryFollowsAnAddressChange) {
  auto config = test_config();
  config->master = host_port_of(master());
  config->replicas.discovery = config::Discovery::kDns;
  config->replicas.address = config::HostPort{"replicas.resplit.test", 6379};
  config->replicas.refresh_interval = 500ms;
  auto resolver = std::make_shared<FakeResolver>();
  const Address first = address_of(replica(0));
  const Address second = address_of(replica(1));
  resolver->answer({first});

  MonitorHarness h(config, resolver);
  SnapshotPtr s =
      h.wait_for([&](const TopologySnapshot& t) { return routable_replica(t, first); }, 5s);
  ASSERT_TRUE(s);
  EXPECT_FALSE(find_backend(*s, second));
  const BackendId first_id = find_backend(*s, first)->id;

  // A failed lookup keeps the replicas that were there.
  resolver->answer({}, boost::asio::error::host_not_found);
  const int calls = resolver->calls();
  for (int i = 0; i < 300 && resolver->calls() < calls + 2; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_GE(resolver->calls(), calls + 2) << "no two lookups within 3 s";
  EXPECT_TRUE(routable_replica(*h.snapshot(), first));

  const auto changed_at = SteadyClock::now();
  resolver->answer({second});
  s = h.wait_for(
      [&](const TopologySnapshot& t) { return find_backend(t, second) && !find_backend(t, first); },
      3s);
  ASSERT_TRUE(s);
  const double followed_s = seconds_since(changed_at);
  std::printf("[ figures  ] DNS change followed after %.3f s (refresh_interval 0.5 s)\n",
              followed_s);
  EXPECT_LE(followed_s, 0.5 + 1.0);
  s = h.wait_for([&](const TopologySnapshot& t) { return routable_replica(t, second); }, 3s);
  ASSERT_TRUE(s);
  std::printf("[ figures  ] new address routable after %.3f s\n", seconds_since(changed_at));

  // The old address comes back: it gets its old id again.
  resolver->answer({first, second});
  s = h.wait_for([&](const TopologySnapshot& t) { return routable_replica(t, first); }, 3s);
  ASSERT_TRUE(s);
  EXPECT_EQ(find_backend(*s, first)->id, first_id);
}

TEST_F(MonitorDiscoveryTest, ReplicasFromTheMastersList) {
  auto config = test_config();
  config->master = host_port_of(master());
  config->replicas.discovery = config::Discovery::kMaster;
  const auto started = SteadyClock::now();
  MonitorHarness h(config);
  SnapshotPtr s = h.wait_for(
      [&](const TopologySnapshot& t) {
        return routable_replica(t, address_of(replica(0))) &&
               routable_replica(t, address_of(replica(1)));
      },
      5s);
  ASSERT_TRUE(s);
  std::printf("[ figures  ] both replicas found through the master and routable after %.3f s\n",
              seconds_since(started));
  EXPECT_EQ(s->backends.size(), 3u);
}

TEST_F(MonitorDiscoveryTest, AnnouncedMasterIsVerifiedByRoleBeforeWrites) {
  auto config = test_config();
  config->master = host_port_of(master());
  config->replicas.addresses = {host_port_of(replica(0)), host_port_of(replica(1))};
  MonitorHarness h(config);
  ASSERT_TRUE(h.wait_for(
      [&](const TopologySnapshot& t) {
        return master_is(t, address_of(master())) && t.backends[*t.master].routable;
      },
      5s));

  // The announcement comes before replica 0 is promoted: no master (the old one is fenced) and
  // never a node that says replica.
  const Address next = address_of(replica(0));
  h.monitor().set_master_address(next, "test");
  auto never_a_replica = [&](const TopologySnapshot& t) {
    if (t.master) {
      EXPECT_EQ(t.backends[*t.master].role, Role::kMaster);
      EXPECT_FALSE(master_is(t, address_of(master()))) << "fenced master came back";
    }
  };
  ASSERT_TRUE(h.wait_for([&](const TopologySnapshot& t) { return !t.master; }, 2s));
  EXPECT_FALSE(h.wait_for([&](const TopologySnapshot& t) { return t.master.has_value(); }, 1s,
                          never_a_replica))
      << "a master appeared before the announced node said master";

  const auto promoted_at = SteadyClock::now();
  ASSERT_EQ(replica(0).client().command({"REPLICAOF", "NO", "ONE"}), testkit::Reply::status("OK"));
  SnapshotPtr s = h.wait_for(
      [&](const TopologySnapshot& t) {
        return master_is(t, next) && t.backends[*t.master].routable;
      },
      3s, never_a_replica);
  ASSERT_TRUE(s);
  std::printf("[ figures  ] announced master took writes %.3f s after its promotion\n",
              seconds_since(promoted_at));
  EXPECT_EQ(s->master_changes, 1u);
}

TEST_F(MonitorDiscoveryTest, ReloadKeepsIdsOfBackendsThatStay) {
  auto config = test_config();
  config->master = host_port_of(master());
  config->replicas.addresses = {host_port_of(replica(0)), host_port_of(replica(1))};
  MonitorHarness h(config);
  SnapshotPtr s =
      h.wait_for([&](const TopologySnapshot& t) { return t.routable_replicas.size() == 2; }, 5s);
  ASSERT_TRUE(s);
  const BackendId id0 = find_backend(*s, address_of(replica(0)))->id;
  const BackendId id1 = find_backend(*s, address_of(replica(1)))->id;

  auto fewer = std::make_shared<config::Config>(*config);
  fewer->replicas.addresses = {host_port_of(replica(0))};
  fewer->replicas.weights = {5};
  h.monitor().apply(fewer);
  s = h.wait_for([&](const TopologySnapshot& t) { return t.backends.size() == 2; }, 3s);
  ASSERT_TRUE(s);
  EXPECT_EQ(find_backend(*s, address_of(replica(0)))->id, id0);
  EXPECT_EQ(find_backend(*s, address_of(replica(0)))->weight, 5u);
  EXPECT_TRUE(routable_replica(*s, address_of(replica(0))));  // kept its state: no new warm-up

  h.monitor().apply(config);
  s = h.wait_for([&](const TopologySnapshot& t) { return t.routable_replicas.size() == 2; }, 3s);
  ASSERT_TRUE(s);
  EXPECT_EQ(find_backend(*s, address_of(replica(1)))->id, id1);
}

}  // namespace
}  // namespace resplit::topology::testing
