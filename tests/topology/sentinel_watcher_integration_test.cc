// SentinelWatcher against real Sentinels: the master and replicas they agree on, a failover after
// SIGKILL followed by the topology monitor, a Sentinel lost, and no trust without a majority.
#include <gtest/gtest.h>

#include <iostream>
#include <mutex>

#include "proxy/topology/sentinel_watcher.h"
#include "tests/testing/free_port.h"
#include "tests/testing/redis_topology_fixture.h"
#include "tests/topology/monitor_harness.h"

namespace resplit::topology::testing {
namespace {

// A SentinelWatcher on its own event loop thread; what it reports is recorded (and forwarded to
// `monitor` when given).
class WatcherHarness {
 public:
  WatcherHarness(SentinelSettings settings, TopologyMonitor* monitor = nullptr)
      : watcher_(
            io_, std::move(settings),
            [this, monitor](Address a, std::string source) {
              {
                std::lock_guard lock(mutex_);
                masters_.push_back(a);
                master_times_.push_back(SteadyClock::now());
              }
              if (monitor != nullptr) monitor->set_master_address(a, source);
            },
            [this, monitor](std::vector<Address> list, std::string source) {
              {
                std::lock_guard lock(mutex_);
                replicas_ = list;
              }
              if (monitor != nullptr) monitor->set_replica_addresses(list, source);
            },
            [this, monitor](std::string source) {
              ++holds_;
              if (monitor != nullptr) monitor->hold_writes(source);
            }) {
    watcher_.start();
    thread_ = std::thread([this] { io_.run(); });
  }

  ~WatcherHarness() {
    watcher_.stop();
    const auto deadline = SteadyClock::now() + 5s;
    while (!io_.stopped() && SteadyClock::now() < deadline) std::this_thread::sleep_for(10ms);
    io_.stop();
    thread_.join();
  }

  std::vector<Address> masters() const {
    std::lock_guard lock(mutex_);
    return masters_;
  }
  std::vector<Address> replicas() const {
    std::lock_guard lock(mutex_);
    return replicas_;
  }
  int holds() const { return holds_.load(); }
  SteadyClock::time_point last_master_time() const {
    std::lock_guard lock(mutex_);
    return master_times_.empty() ? SteadyClock::time_point{} : master_times_.back();
  }

  // Until the last reported master is `a`.
  bool wait_for_master(const Address& a, std::chrono::milliseconds timeout) const {
    const auto deadline = SteadyClock::now() + timeout;
    for (int i = 0; i < 10000 && SteadyClock::now() < deadline; ++i) {
      if (auto m = masters(); !m.empty() && m.back() == a) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

 private:
  boost::asio::io_context io_;
  mutable std::mutex mutex_;
  std::vector<Address> masters_;
  std::vector<SteadyClock::time_point> master_times_;
  std::vector<Address> replicas_;
  std::atomic<int> holds_{0};
  SentinelWatcher watcher_;
  std::thread thread_;
};

class SentinelWatcherTest : public testkit::RedisTopologyFixture {
 protected:
  testkit::TopologyOptions topology_options() const override {
    return {.replicas = 2, .sentinels = 3, .quorum = 2};
  }

  SentinelSettings settings() {
    SentinelSettings s;
    for (size_t i = 0; i < topology().sentinel_count(); ++i) {
      s.sentinels.push_back(address_of(sentinel(i)));
    }
    s.master_name = topology().master_name();
    s.connect_timeout = 500ms;
    s.request_timeout = 500ms;
    s.poll_interval = 100ms;
    s.discover_replicas = true;
    s.replicas_interval = 500ms;
    return s;
  }

  std::shared_ptr<config::Config> monitor_config() {
    auto c = test_config();
    c->sentinel = config::Sentinel{};
    c->sentinel->master_name = topology().master_name();
    c->replicas.discovery = config::Discovery::kSentinel;
    return c;
  }
};

TEST_F(SentinelWatcherTest, ReportsTheMasterAndTheReplicasTheSentinelsAgreeOn) {
  WatcherHarness w(settings());
  ASSERT_TRUE(w.wait_for_master(address_of(master()), 5s));
  const auto deadline = SteadyClock::now() + 5s;
  while (w.replicas().size() < 2 && SteadyClock::now() < deadline) std::this_thread::sleep_for(5ms);
  auto replicas = w.replicas();
  std::sort(replicas.begin(), replicas.end(),
            [](const Address& a, const Address& b) { return a.port < b.port; });
  std::vector<Address> expected = {address_of(replica(0)), address_of(replica(1))};
  std::sort(expected.begin(), expected.end(),
            [](const Address& a, const Address& b) { return a.port < b.port; });
  EXPECT_EQ(replicas, expected);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(w.masters().size(), 1u);  // reported once, not on every poll
}

TEST_F(SentinelWatcherTest, TrustsNoMasterWithoutAMajority) {
  SentinelSettings s = settings();
  // One real Sentinel and two addresses where nothing listens.
  s.sentinels = {address_of(sentinel(0)), Address{"127.0.0.1", testkit::pick_free_port()},
                 Address{"127.0.0.1", testkit::pick_free_port()}};
  WatcherHarness w(s);
  std::this_thread::sleep_for(2s);
  EXPECT_TRUE(w.masters().empty());
}

TEST_F(SentinelWatcherTest, MonitorFollowsAFailoverAfterTheMasterIsKilled) {
  MonitorHarness h(monitor_config());
  WatcherHarness w(settings(), &h.monitor());
  const Address old_master = address_of(master());
  ASSERT_TRUE(h.wait_for(
      [&](const TopologySnapshot& s) {
        return master_is(s, old_master) && s.routable_replicas.size() == 2;
      },
      10s));

  testkit::RedisClient events = sentinel(1).client(200ms);
  ASSERT_EQ(events.command({"SUBSCRIBE", "+switch-master"}).elements.size(), 3u);
  const auto killed_at = SteadyClock::now();
  master().kill9();
  // The switch message, read as a client would see it.
  SteadyClock::time_point switched_at{};
  for (int i = 0; i < 300 && switched_at == SteadyClock::time_point{}; ++i) {
    testkit::Reply m = events.next_push();
    if (m.type == testkit::Reply::Type::kArray && m.elements.size() == 3) {
      switched_at = SteadyClock::now();
    }
  }
  ASSERT_NE(switched_at, SteadyClock::time_point{}) << "no +switch-master within 60 s";
  std::string why;
  const uint16_t new_port = topology().wait_for_master_switch(old_master.port, 60s, &why);
  ASSERT_NE(new_port, 0) << why;
  const Address new_master{testkit::RedisProcess::kHost, new_port};
  SnapshotPtr s =
      h.wait_for([&](const TopologySnapshot& t) { return master_is(t, new_master); }, 10s,
                 [&](const TopologySnapshot& t) {
                   EXPECT_FALSE(master_is(t, old_master) && SteadyClock::now() - switched_at > 1s);
                 });
  ASSERT_NE(s, nullptr);
  const double to_switch = std::chrono::duration<double>(switched_at - killed_at).count();
  const double to_monitor = std::chrono::duration<double>(SteadyClock::now() - switched_at).count();
  std::cout << "kill -> +switch-master: " << to_switch
            << " s; +switch-master -> monitor master: " << to_monitor
            << " s (upper bound, 5 ms polling)\n";
  EXPECT_LT(to_monitor, 1.0);
  EXPECT_EQ(w.masters().back(), new_master);
  EXPECT_GE(w.holds(), 1);  // +try-failover held writes before the promotion
}

TEST_F(SentinelWatcherTest, FollowsAFailoverWithOneSentinelGone) {
  WatcherHarness w(settings());
  ASSERT_TRUE(w.wait_for_master(address_of(master()), 5s));
  sentinel(0).kill9();
  const uint16_t old_port = master().port();
  master().kill9();
  std::string why;
  const uint16_t new_port = topology().wait_for_master_switch(old_port, 60s, &why);
  ASSERT_NE(new_port, 0) << why;
  EXPECT_TRUE(w.wait_for_master(Address{testkit::RedisProcess::kHost, new_port}, 5s));
}

TEST_F(SentinelWatcherTest, PlannedFailoverHoldsWritesFromItsStartUntilTheNewMaster) {
  MonitorHarness h(monitor_config());
  WatcherHarness w(settings(), &h.monitor());
  const Address old_master = address_of(master());
  ASSERT_TRUE(h.wait_for([&](const TopologySnapshot& s) { return master_is(s, old_master); }, 10s));
  // From the moment a replica is promoted, the old master must have no writes routed to it.
  std::atomic<bool> promoted{false};
  std::atomic<bool> written_after_promotion{false};
  std::thread watch([&] {
    const auto deadline = SteadyClock::now() + 20s;
    while (SteadyClock::now() < deadline && !promoted) {
      for (size_t i = 0; i < 2; ++i) {
        if (replica(i).client(200ms).info("replication")["role"] == "master") promoted = true;
      }
    }
  });
  ASSERT_EQ(sentinel(0).client().command({"SENTINEL", "FAILOVER", topology().master_name()}),
            testkit::Reply::status("OK"));
  SnapshotPtr s = h.wait_for(
      [&](const TopologySnapshot& t) { return t.master && !master_is(t, old_master); }, 20s,
      [&](const TopologySnapshot& t) {
        if (promoted && master_is(t, old_master)) written_after_promotion = true;
      });
  watch.join();
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(promoted);
  EXPECT_GE(w.holds(), 1);
  EXPECT_FALSE(written_after_promotion);
}

class SentinelAuthTest : public testkit::RedisTopologyFixture {};

TEST_F(SentinelAuthTest, AuthenticatesWithTheConfiguredPassword) {
  testkit::RedisProcess guarded(
      testkit::RedisProcessOptions{.mode = testkit::RedisProcessOptions::Mode::kSentinel,
                                   .name = "sentinel-auth",
                                   .sentinel_config = {"sentinel monitor mymaster 127.0.0.1 " +
                                                       std::to_string(master().port()) + " 1"}});
  // Sentinel has no CONFIG; its default user gets a password through ACL instead.
  ASSERT_EQ(guarded.client().command({"ACL", "SETUSER", "default", "resetpass", ">s3cret"}),
            testkit::Reply::status("OK"));
  SentinelSettings s;
  s.sentinels = {address_of(guarded)};
  s.master_name = "mymaster";
  s.connect_timeout = 500ms;
  s.request_timeout = 500ms;
  s.poll_interval = 100ms;
  {
    WatcherHarness without(s);
    std::this_thread::sleep_for(1s);
    EXPECT_TRUE(without.masters().empty());
  }
  s.password = "s3cret";
  WatcherHarness with(s);
  EXPECT_TRUE(with.wait_for_master(address_of(master()), 5s));
  s.username = "default";
  WatcherHarness with_user(s);
  EXPECT_TRUE(with_user.wait_for_master(address_of(master()), 5s));
}

}  // namespace
}  // namespace resplit::topology::testing
