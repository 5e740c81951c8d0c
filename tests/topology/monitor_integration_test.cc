// The monitor against a real master and two replicas: routable after sync, a paused replica under
// write load, a killed replica, and failovers done by hand with REPLICAOF.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "tests/testing/redis_topology_fixture.h"
#include "tests/topology/monitor_harness.h"

namespace resplit::topology::testing {
namespace {

double seconds_since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

class MonitorIntegrationTest : public testkit::RedisTopologyFixture {
 protected:
  std::shared_ptr<config::Config> static_config() {
    auto c = test_config();
    c->master = host_port_of(master());
    c->replicas.addresses = {host_port_of(replica(0)), host_port_of(replica(1))};
    return c;
  }

  bool all_routable(const TopologySnapshot& s) {
    return master_is(s, address_of(master())) && s.backends[*s.master].routable &&
           routable_replica(s, address_of(replica(0))) &&
           routable_replica(s, address_of(replica(1)));
  }

  // The master in a snapshot is always a node whose own ROLE said master.
  static void check_master_role(const TopologySnapshot& s) {
    if (s.master) {
      EXPECT_EQ(s.backends[*s.master].role, Role::kMaster)
          << s.backends[*s.master].address.to_string() << " is master in version " << s.version;
    }
  }
};

TEST_F(MonitorIntegrationTest, BothReplicasRoutableAfterSync) {
  const auto started = SteadyClock::now();
  MonitorHarness h(static_config());
  SnapshotPtr s = h.wait_for([&](const TopologySnapshot& t) { return all_routable(t); }, 5s);
  ASSERT_TRUE(s) << "not all routable within 5 s";
  std::printf("[ figures  ] all routable after %.3f s (version %llu)\n", seconds_since(started),
              static_cast<unsigned long long>(s->version));
  EXPECT_EQ(s->routable_replicas.size(), 2u);
  EXPECT_LT(s->routable_replicas[0], s->routable_replicas[1]);
  EXPECT_EQ(s->master_changes, 0u);
  EXPECT_EQ(s->master_replid.size(), 40u);
  EXPECT_EQ(s->backends[*s->master].redis_version, "7.0.15");
  EXPECT_EQ(s->backends[*s->master].databases, 16u);
  for (size_t i : s->routable_replicas) {
    const BackendState& r = s->backends[i];
    std::printf("[ figures  ] %s lag_bytes=%llu lag_seconds=%.3f ack_age=%.0f offset=%llu\n",
                r.address.to_string().c_str(), static_cast<unsigned long long>(r.lag_bytes),
                r.lag_seconds, r.ack_age_seconds, static_cast<unsigned long long>(r.offset));
    EXPECT_EQ(r.role, Role::kReplica);
    EXPECT_TRUE(r.link_up);
    EXPECT_TRUE(r.listed_by_master);
    EXPECT_LT(r.lag_bytes, 1024u);  // idle: at most a replication PING behind
    EXPECT_LT(r.lag_seconds, 0.5);
  }

  // After a write every offset moves to the master's, and the lag is back to zero.
  ASSERT_EQ(master().client().command({"SET", "k", "v"}), testkit::Reply::status("OK"));
  testkit::RedisClient direct(master().port());
  const uint64_t master_offset = info_number(direct, "replication", "master_repl_offset");
  s = h.wait_for(
      [&](const TopologySnapshot& t) {
        if (t.master_offset != master_offset || t.routable_replicas.size() != 2) return false;
        for (size_t i : t.routable_replicas) {
          if (t.backends[i].offset != master_offset || t.backends[i].lag_bytes != 0) return false;
        }
        return true;
      },
      3s);
  ASSERT_TRUE(s) << "offsets did not reach " << master_offset;
  std::printf("[ figures  ] after one SET every offset is %llu, lag 0\n",
              static_cast<unsigned long long>(master_offset));
}

TEST_F(MonitorIntegrationTest, PausedReplicaLeavesAndReturns) {
  auto config = static_config();
  // On a busy two-core machine a healthy replica can fall a megabyte behind for a moment under
  // this load; the pause must be what takes it out, so only the one-second limit applies.
  config->routing.max_replication_lag_bytes = 0;
  MonitorHarness h(config);
  ASSERT_TRUE(h.wait_for([&](const TopologySnapshot& t) { return all_routable(t); }, 5s));
  const Address paused = address_of(replica(1));

  testkit::RedisClient master_client(master().port());
  const uint64_t offset_before = info_number(master_client, "replication", "master_repl_offset");
  const auto writing_since = SteadyClock::now();
  Writer writer(master().port());
  std::this_thread::sleep_for(1s);
  ASSERT_TRUE(h.wait_for([&](const TopologySnapshot& t) { return routable_replica(t, paused); },
                         2s))
      << "the replica is out of rotation under load alone";

  const auto paused_at = SteadyClock::now();
  replica(1).pause();
  SnapshotPtr gone =
      h.wait_for([&](const TopologySnapshot& t) { return !routable_replica(t, paused); }, 3s);
  ASSERT_TRUE(gone);
  const double leave_s = seconds_since(paused_at);
  const BackendState* g = find_backend(*gone, paused);
  std::printf("[ figures  ] paused replica left rotation after %.3f s (exclusion %s)\n", leave_s,
              std::string(to_string(g->exclusion)).c_str());
  const double budget = std::chrono::duration<double>(config->health_check.timeout).count() +
                        1.1 * std::chrono::duration<double>(config->health_check.interval).count();
  EXPECT_LE(leave_s, budget + 0.15) << "budget: timeout + one (jittered) interval";
  EXPECT_EQ(g->exclusion, Exclusion::kUnreachable);
  // The other replica keeps serving reads.
  EXPECT_TRUE(routable_replica(*gone, address_of(replica(0))));

  std::this_thread::sleep_for(3s - (SteadyClock::now() - paused_at));
  // What the master says just before the replica wakes: its offset, and the replica's offset as
  // of its last ACK (up to a second old).
  const auto info = master_client.info("replication");
  const uint64_t m_before_resume = std::stoull(info.at("master_repl_offset"));
  uint64_t acked = 0;
  for (const auto& [key, value] : info) {
    const std::optional<ListedReplica> listed = parse_listed_replica(value);
    if (key.rfind("slave", 0) == 0 && listed && listed->port == paused.port) {
      acked = listed->offset.value_or(0);
      std::printf("[ figures  ] master lists the paused replica as %s\n", value.c_str());
    }
  }
  replica(1).resume();
  const auto resumed_at = SteadyClock::now();
  // Straight from the servers right after SIGCONT.
  testkit::RedisClient replica_client(replica(1).port());
  const uint64_t r_direct = info_number(replica_client, "replication", "slave_repl_offset");
  const uint64_t m_direct = info_number(master_client, "replication", "master_repl_offset");

  // When it has caught up with where the master was at SIGCONT, as the servers see it.
  std::atomic<double> caught_up_s{-1};
  std::thread catch_up([&] {
    testkit::RedisClient c(replica(1).port());
    for (int i = 0; i < 1000 && seconds_since(resumed_at) < 10; ++i) {
      if (info_number(c, "replication", "slave_repl_offset") >= m_direct) {
        caught_up_s = seconds_since(resumed_at);
        return;
      }
      std::this_thread::sleep_for(10ms);
    }
  });

  // Watch the replica until it is routable again, keeping the largest lag the monitor reported.
  double max_lag_s = 0;
  uint64_t max_lag_bytes = 0;
  SnapshotPtr back =
      h.wait_for([&](const TopologySnapshot& t) { return routable_replica(t, paused); }, 10s,
                 [&](const TopologySnapshot& t) {
                   if (const BackendState* b = find_backend(t, paused); b && b->reachable) {
                     max_lag_s = std::max(max_lag_s, b->lag_seconds);
                     max_lag_bytes = std::max(max_lag_bytes, b->lag_bytes);
                   }
                 });
  const double back_s = seconds_since(resumed_at);
  catch_up.join();
  ASSERT_TRUE(back) << "the replica did not come back within 10 s";

  writer.stop();
  const uint64_t offset_after = info_number(master_client, "replication", "master_repl_offset");
  const double bytes_per_s =
      static_cast<double>(offset_after - offset_before) / seconds_since(writing_since);

  std::printf("[ figures  ] write volume %.0f bytes/s (%llu SETs)\n", bytes_per_s,
              static_cast<unsigned long long>(writer.commands()));
  std::printf("[ figures  ] monitor: max lag_seconds %.3f, max lag_bytes %llu after resume\n",
              max_lag_s, static_cast<unsigned long long>(max_lag_bytes));
  std::printf(
      "[ figures  ] direct after SIGCONT: master_repl_offset %llu - slave_repl_offset "
      "%llu = %llu bytes\n",
      static_cast<unsigned long long>(m_direct), static_cast<unsigned long long>(r_direct),
      static_cast<unsigned long long>(m_direct - r_direct));
  std::printf("[ figures  ] master's view before SIGCONT: %llu - acked %llu = %llu bytes\n",
              static_cast<unsigned long long>(m_before_resume),
              static_cast<unsigned long long>(acked),
              static_cast<unsigned long long>(m_before_resume - acked));
  std::printf("[ figures  ] caught up %.3f s after SIGCONT, back in rotation after %.3f s\n",
              caught_up_s.load(), back_s);

  EXPECT_FALSE(writer.failed());
  EXPECT_GE(max_lag_s, 2.0);
  const double direct = static_cast<double>(m_direct - r_direct);
  EXPECT_NEAR(static_cast<double>(max_lag_bytes), direct, bytes_per_s)
      << "within one second of write volume";
  ASSERT_GE(caught_up_s.load(), 0) << "the replica did not catch up within 10 s";
  EXPECT_LE(back_s - caught_up_s.load(), 2.0) << "back in rotation within 2 s of catching up";
}

TEST_F(MonitorIntegrationTest, KilledReplicaLeavesQuicklyAndReturnsAfterRestart) {
  MonitorHarness h(static_config());
  ASSERT_TRUE(h.wait_for([&](const TopologySnapshot& t) { return all_routable(t); }, 5s));
  const Address killed = address_of(replica(0));
  const auto killed_at = SteadyClock::now();
  replica(0).kill9();
  SnapshotPtr gone =
      h.wait_for([&](const TopologySnapshot& t) { return !routable_replica(t, killed); }, 3s);
  ASSERT_TRUE(gone);
  const double leave_s = seconds_since(killed_at);
  std::printf("[ figures  ] killed replica left rotation after %.3f s\n", leave_s);
  EXPECT_LE(leave_s, 1.5);

  const auto restarted_at = SteadyClock::now();
  replica(0).restart();
  SnapshotPtr back =
      h.wait_for([&](const TopologySnapshot& t) { return routable_replica(t, killed); }, 10s,
                 [&](const TopologySnapshot& t) {
                   // Never in rotation before its link is up.
                   const BackendState* b = find_backend(t, killed);
                   if (b && b->routable) {
                     EXPECT_TRUE(b->link_up);
                   }
                 });
  ASSERT_TRUE(back);
  std::printf("[ figures  ] restarted replica routable %.3f s after restart\n",
              seconds_since(restarted_at));
}

TEST_F(MonitorIntegrationTest, ManualFailoverMovesTheMaster) {
  MonitorHarness h(static_config());
  ASSERT_TRUE(h.wait_for([&](const TopologySnapshot& t) { return all_routable(t); }, 5s));
  const Address old_master = address_of(master());
  const Address promoted = address_of(replica(0));

  // Promote replica 0, then point the old master and replica 1 at it.
  const auto failover_at = SteadyClock::now();
  ASSERT_EQ(replica(0).client().command({"REPLICAOF", "NO", "ONE"}), testkit::Reply::status("OK"));
  const std::string port = std::to_string(replica(0).port());
  ASSERT_EQ(master().client().command({"REPLICAOF", "127.0.0.1", port}),
            testkit::Reply::status("OK"));
  ASSERT_EQ(replica(1).client().command({"REPLICAOF", "127.0.0.1", port}),
            testkit::Reply::status("OK"));

  SnapshotPtr moved = h.wait_for(
      [&](const TopologySnapshot& t) {
        return master_is(t, promoted) && t.backends[*t.master].routable;
      },
      5s, check_master_role);
  ASSERT_TRUE(moved);
  std::printf("[ figures  ] master moved to the promoted replica %.3f s after the failover\n",
              seconds_since(failover_at));
  EXPECT_EQ(moved->master_changes, 1u);

  // The old master now serves reads as a replica of the new one.
  SnapshotPtr settled = h.wait_for(
      [&](const TopologySnapshot& t) {
        return routable_replica(t, old_master) && routable_replica(t, address_of(replica(1)));
      },
      10s, check_master_role);
  ASSERT_TRUE(settled);
  EXPECT_TRUE(master_is(*settled, promoted));
  EXPECT_FALSE(routable_replica(*settled, promoted));
}

TEST_F(MonitorIntegrationTest, PromotedStrayReplicaIsNotAMasterNorAReplica) {
  MonitorHarness h(static_config());
  ASSERT_TRUE(h.wait_for([&](const TopologySnapshot& t) { return all_routable(t); }, 5s));
  const Address stray = address_of(replica(1));
  ASSERT_EQ(replica(1).client().command({"REPLICAOF", "NO", "ONE"}), testkit::Reply::status("OK"));
  SnapshotPtr s = h.wait_for(
      [&](const TopologySnapshot& t) {
        const BackendState* b = find_backend(t, stray);
        return b && b->exclusion == Exclusion::kNotReplica;
      },
      3s, check_master_role);
  ASSERT_TRUE(s);
  EXPECT_TRUE(master_is(*s, address_of(master())));  // the master still says master
  EXPECT_TRUE(routable_replica(*s, address_of(replica(0))));
  EXPECT_EQ(s->master_changes, 0u);
}

TEST_F(MonitorIntegrationTest, DemotedMasterIsNoticedAndItsNewMasterFollowed) {
  // An outside node (not in the configuration) becomes the master; the old one follows it.
  testkit::RedisProcess outsider(testkit::RedisProcessOptions{.name = "outsider"});
  MonitorHarness h(static_config());
  ASSERT_TRUE(h.wait_for([&](const TopologySnapshot& t) { return all_routable(t); }, 5s));
  const auto demoted_at = SteadyClock::now();
  ASSERT_EQ(master().client().command({"REPLICAOF", "127.0.0.1", std::to_string(outsider.port())}),
            testkit::Reply::status("OK"));
  bool cleared = false;
  SnapshotPtr s =
      h.wait_for([&](const TopologySnapshot& t) { return master_is(t, address_of(outsider)); }, 5s,
                 [&](const TopologySnapshot& t) {
                   check_master_role(t);
                   if (!t.master) cleared = true;
                 });
  ASSERT_TRUE(s);
  std::printf("[ figures  ] demotion followed to the new master in %.3f s (cleared first: %s)\n",
              seconds_since(demoted_at), cleared ? "yes" : "no");
  EXPECT_EQ(s->master_changes, 1u);
  const BackendState* old = find_backend(*s, address_of(master()));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->role, Role::kReplica);
}

}  // namespace
}  // namespace resplit::topology::testing
