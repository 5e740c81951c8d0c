#include "proxy/topology/topology_state.h"

#include <gtest/gtest.h>

namespace resplit::topology {
namespace {

using namespace std::chrono_literals;

const Address kMaster{"127.0.0.1", 7000};
const Address kReplicaA{"127.0.0.1", 7001};
const Address kReplicaB{"127.0.0.1", 7002};
constexpr const char* kReplid = "1111111111111111111111111111111111111111";

class TopologyStateTest : public ::testing::Test {
 protected:
  TopologyStateTest() : state_(clock_, settings()) {}

  static StateSettings settings() {
    StateSettings s;
    s.failure_threshold = 3;
    s.success_threshold = 2;
    s.limits = LagLimits{1.0, 1000};
    s.refresh_interval = 10s;
    return s;
  }

  PollResult master_poll(uint64_t offset, std::string replid = kReplid) {
    PollResult p;
    p.ok = true;
    p.at = clock_.now();
    p.connected_ip = "127.0.0.1";
    p.role.role = Role::kMaster;
    p.role.master_offset = offset;
    p.info.role = Role::kMaster;
    p.info.master_repl_offset = offset;
    p.info.master_replid = std::move(replid);
    p.info.loading = false;
    p.redis_version = "7.0.15";
    p.databases = 16;
    return p;
  }

  PollResult replica_poll(uint64_t offset, const Address& follows = kMaster,
                          std::string replid = kReplid, bool link_up = true) {
    PollResult p;
    p.ok = true;
    p.at = clock_.now();
    p.connected_ip = "127.0.0.1";
    p.role.role = Role::kReplica;
    p.role.master_host = follows.host;
    p.role.master_port = follows.port;
    p.role.state = link_up ? "connected" : "connect";
    p.role.offset = offset;
    p.info.role = Role::kReplica;
    p.info.master_link_up = link_up;
    p.info.master_sync_in_progress = false;
    p.info.slave_repl_offset = offset;
    p.info.master_replid = std::move(replid);
    p.info.loading = false;
    return p;
  }

  static PollResult failed() {
    PollResult p;
    p.error = "poll: Connection timed out";
    return p;
  }

  BackendId id(const Address& a) const { return *state_.id_of(a); }

  // One round: every backend answers as given, then the state decides.
  void round(uint64_t master_offset, uint64_t a_offset, uint64_t b_offset) {
    state_.record(id(kMaster), master_poll(master_offset));
    state_.record(id(kReplicaA), replica_poll(a_offset));
    state_.record(id(kReplicaB), replica_poll(b_offset));
    state_.evaluate();
  }

  void start_static() {
    state_.set_configured_master(kMaster);
    state_.set_replicas({{kReplicaA, 1}, {kReplicaB, 3}}, "static");
  }

  const BackendState& backend(const TopologySnapshot& s, const Address& a) const {
    return *s.find(id(a));
  }

  ManualClock clock_;
  TopologyState state_;
};

TEST_F(TopologyStateTest, StaticTopologyBecomesRoutable) {
  start_static();
  TopologySnapshot s = state_.build();
  ASSERT_EQ(s.backends.size(), 3u);
  EXPECT_FALSE(s.master);  // not before its ROLE says master
  EXPECT_TRUE(s.routable_replicas.empty());

  round(100, 100, 100);
  s = state_.build();
  ASSERT_TRUE(s.master);
  EXPECT_EQ(s.backends[*s.master].address, kMaster);
  // Never seen failing: routable on the first good poll, no hysteresis to earn.
  EXPECT_TRUE(s.backends[*s.master].routable);
  EXPECT_EQ(backend(s, kReplicaA).exclusion, Exclusion::kNone);

  clock_.advance(250ms);
  round(100, 100, 100);
  s = state_.build();
  EXPECT_TRUE(s.backends[*s.master].routable);
  EXPECT_EQ(s.routable_replicas, (std::vector<size_t>{1, 2}));
  EXPECT_EQ(backend(s, kReplicaB).weight, 3u);
  EXPECT_EQ(backend(s, kReplicaA).lag_bytes, 0u);
  EXPECT_EQ(backend(s, kReplicaA).lag_seconds, 0);
  EXPECT_EQ(s.master_offset, 100u);
  EXPECT_EQ(s.master_replid, kReplid);
  EXPECT_EQ(s.master_changes, 0u);
  EXPECT_EQ(s.backends[*s.master].redis_version, "7.0.15");
  EXPECT_EQ(s.backends[*s.master].databases, 16u);
}

TEST_F(TopologyStateTest, LaggingReplicaLeavesAtOnceAndReturnsWithHysteresis) {
  start_static();
  round(100, 100, 100);
  clock_.advance(250ms);
  round(100, 100, 100);
  ASSERT_EQ(state_.build().routable_replicas.size(), 2u);

  // Writes continue; replica B stops at 100 for 1.5 s.
  for (int i = 1; i <= 6; ++i) {
    clock_.advance(250ms);
    round(100 + i * 100, 100 + i * 100, 100);
  }
  TopologySnapshot s = state_.build();
  EXPECT_EQ(backend(s, kReplicaB).exclusion, Exclusion::kLagSeconds);
  EXPECT_FALSE(backend(s, kReplicaB).routable);
  EXPECT_NEAR(backend(s, kReplicaB).lag_seconds, 1.5, 1e-6);
  EXPECT_EQ(backend(s, kReplicaB).lag_bytes, 600u);
  EXPECT_EQ(s.routable_replicas, (std::vector<size_t>{1}));

  // Caught up: recovering for one poll, back on the second.
  clock_.advance(250ms);
  round(700, 700, 700);
  EXPECT_EQ(backend(state_.build(), kReplicaB).exclusion, Exclusion::kRecovering);
  clock_.advance(250ms);
  round(700, 700, 700);
  EXPECT_EQ(state_.build().routable_replicas, (std::vector<size_t>{1, 2}));
}

TEST_F(TopologyStateTest, ByteLimitAppliesToo) {
  start_static();
  round(100, 100, 100);
  clock_.advance(250ms);
  round(5000, 5000, 3000);  // B is 2000 bytes behind but only 0.25 s old
  const TopologySnapshot s = state_.build();
  EXPECT_EQ(backend(s, kReplicaB).exclusion, Exclusion::kLagBytes);
  EXPECT_EQ(backend(s, kReplicaB).lag_bytes, 2000u);
}

TEST_F(TopologyStateTest, FailedPollExcludesReplicaAtOnceButMasterAfterThreshold) {
  start_static();
  round(100, 100, 100);
  clock_.advance(250ms);
  round(100, 100, 100);

  for (int i = 1; i <= 3; ++i) {
    clock_.advance(250ms);
    state_.record(id(kMaster), failed());
    state_.record(id(kReplicaA), failed());
    state_.record(id(kReplicaB), replica_poll(100));
    state_.evaluate();
    const TopologySnapshot s = state_.build();
    const BackendState& m = s.backends[*s.master];
    EXPECT_FALSE(m.reachable);
    EXPECT_EQ(m.routable, i < 3) << "failure " << i;
    EXPECT_EQ(m.consecutive_failures, static_cast<uint32_t>(i));
    EXPECT_EQ(backend(s, kReplicaA).exclusion, Exclusion::kUnreachable);
    EXPECT_FALSE(backend(s, kReplicaA).reachable);
    EXPECT_EQ(backend(s, kReplicaA).poll_errors, static_cast<uint64_t>(i));
    // B still follows the master's history and its offset matches: reads go on there.
    EXPECT_TRUE(backend(s, kReplicaB).routable);
  }
}

TEST_F(TopologyStateTest, ReplicaOfAnotherHistoryIsWrongMaster) {
  start_static();
  for (int i = 0; i < 2; ++i) {
    state_.record(id(kMaster), master_poll(100));
    state_.record(id(kReplicaA), replica_poll(100));
    state_.record(id(kReplicaB),
                  replica_poll(100, kMaster, "2222222222222222222222222222222222222222"));
    state_.evaluate();
  }
  const TopologySnapshot s = state_.build();
  EXPECT_EQ(backend(s, kReplicaB).exclusion, Exclusion::kWrongMaster);
  EXPECT_TRUE(backend(s, kReplicaA).routable);
}

TEST_F(TopologyStateTest, DemotedMasterIsFollowedToTheNewOne) {
  start_static();
  round(100, 100, 100);
  clock_.advance(250ms);
  round(100, 100, 100);

  // A is promoted, the old master and B now replicate from it (new history "3...").
  const std::string next(40, '3');
  clock_.advance(250ms);
  state_.record(id(kMaster), replica_poll(100, kReplicaA, next));
  state_.record(id(kReplicaA), master_poll(120, next));
  state_.record(id(kReplicaB), replica_poll(120, kReplicaA, next));
  state_.evaluate();
  TopologySnapshot s = state_.build();
  ASSERT_TRUE(s.master);
  EXPECT_EQ(s.backends[*s.master].address, kReplicaA);
  EXPECT_TRUE(s.backends[*s.master].routable);  // A was polled healthy before
  EXPECT_EQ(s.master_changes, 1u);
  EXPECT_EQ(s.master_replid, next);
  EXPECT_EQ(backend(s, kMaster).exclusion, Exclusion::kRecovering);  // now judged as a replica

  clock_.advance(250ms);
  state_.record(id(kMaster), replica_poll(140, kReplicaA, next));
  state_.record(id(kReplicaA), master_poll(140, next));
  state_.record(id(kReplicaB), replica_poll(140, kReplicaA, next));
  state_.evaluate();
  s = state_.build();
  // The old master serves reads as a replica of the new one.
  EXPECT_EQ(s.routable_replicas.size(), 2u);
  EXPECT_TRUE(backend(s, kMaster).routable);
  EXPECT_EQ(s.backends[*s.master].address, kReplicaA);
  for (size_t i : s.routable_replicas) EXPECT_NE(s.backends[i].address, kReplicaA);
}

TEST_F(TopologyStateTest, AnnouncedMasterIsFencedUntilItsRoleSaysMaster) {
  start_static();
  round(100, 100, 100);
  clock_.advance(250ms);
  round(100, 100, 100);

  state_.announce_master(kReplicaB, "sentinel");
  TopologySnapshot s = state_.build();
  EXPECT_FALSE(s.master);  // the old master takes no more writes
  EXPECT_FALSE(backend(s, kMaster).routable);  // nor reads
  EXPECT_EQ(backend(s, kMaster).exclusion, Exclusion::kNotReplica);
  EXPECT_EQ(s.routable_replicas.size(), 2u);
  EXPECT_EQ(state_.candidate(), id(kReplicaB));

  // B still says replica (the announcement came before the promotion finished): no master.
  clock_.advance(250ms);
  state_.record(id(kReplicaB), replica_poll(100));
  state_.evaluate();
  EXPECT_FALSE(state_.build().master);

  clock_.advance(250ms);
  state_.record(id(kReplicaB), master_poll(100, std::string(40, '4')));
  state_.evaluate();
  s = state_.build();
  ASSERT_TRUE(s.master);
  EXPECT_EQ(s.backends[*s.master].address, kReplicaB);
  EXPECT_EQ(s.master_changes, 1u);
}

TEST_F(TopologyStateTest, NodeSayingReplicaIsNeverMaster) {
  state_.set_configured_master(kMaster);
  for (int i = 0; i < 5; ++i) {
    state_.record(id(kMaster), replica_poll(100, Address{"10.9.9.9", 6379}, "x", false));
    state_.evaluate();
    const TopologySnapshot s = state_.build();
    EXPECT_FALSE(s.master);
    for (const BackendState& b : s.backends) EXPECT_NE(b.role, Role::kMaster);
  }
  // The node it names is polled as the candidate.
  EXPECT_TRUE(state_.id_of(Address{"10.9.9.9", 6379}));
  EXPECT_EQ(state_.candidate(), state_.id_of(Address{"10.9.9.9", 6379}));
}

TEST_F(TopologyStateTest, BackendIdsAreStableAndNeverReused) {
  start_static();
  const BackendId a = id(kReplicaA);
  const BackendId b = id(kReplicaB);
  state_.set_replicas({{kReplicaA, 1}}, "static");
  EXPECT_EQ(state_.members().size(), 2u);
  const Address c{"127.0.0.1", 7003};
  state_.set_replicas({{kReplicaA, 1}, {c, 1}, {kReplicaB, 1}}, "static");
  EXPECT_EQ(id(kReplicaA), a);
  EXPECT_EQ(id(kReplicaB), b);
  EXPECT_NE(id(c), a);
  EXPECT_NE(id(c), b);
  EXPECT_NE(id(c), id(kMaster));
  const auto members = state_.members();
  for (size_t i = 1; i < members.size(); ++i) EXPECT_LT(members[i - 1].first, members[i].first);
}

TEST_F(TopologyStateTest, MasterDiscoveryFollowsTheMastersList) {
  StateSettings s = settings();
  s.discovery = config::Discovery::kMaster;
  state_.set_settings(s);
  state_.set_configured_master(kMaster);
  PollResult p = master_poll(100);
  p.info.replicas = {ListedReplica{"127.0.0.1", 7001, "online", 100, 1},
                     ListedReplica{"127.0.0.1", 7002, "online", 90, 0}};
  state_.record(id(kMaster), p);
  state_.evaluate();
  EXPECT_EQ(state_.members().size(), 3u);

  state_.record(id(kReplicaA), replica_poll(100));
  state_.evaluate();
  TopologySnapshot snap = state_.build();
  EXPECT_TRUE(backend(snap, kReplicaA).listed_by_master);
  EXPECT_EQ(backend(snap, kReplicaA).ack_age_seconds, 1.0);

  // B disappears from the list; it goes after refresh_interval.
  p.info.replicas.pop_back();
  for (int i = 0; i < 3; ++i) {
    clock_.advance(6s);
    p.at = clock_.now();
    state_.record(id(kMaster), p);
    state_.evaluate();
  }
  EXPECT_EQ(state_.members().size(), 2u);
  EXPECT_FALSE(state_.id_of(kReplicaB) && state_.build().find(*state_.id_of(kReplicaB)));
}

TEST_F(TopologyStateTest, MasterChangeRestartsTheLagTimeline) {
  start_static();
  round(1000, 1000, 1000);
  clock_.advance(250ms);
  round(2000, 2000, 2000);
  EXPECT_EQ(state_.build().master_offset, 2000u);
  state_.announce_master(kReplicaA, "test");
  EXPECT_EQ(state_.build().master_offset, 0u);
  EXPECT_TRUE(state_.build().master_replid.empty());
}

TEST_F(TopologyStateTest, HeldMasterTakesNoWritesButStaysUntilAMasterIsAnnounced) {
  start_static();
  round(100, 100, 100);
  clock_.advance(250ms);
  round(100, 100, 100);
  ASSERT_TRUE(state_.build().master);

  state_.hold_writes("sentinel");
  TopologySnapshot s = state_.build();
  EXPECT_FALSE(s.master);
  EXPECT_FALSE(state_.candidate());
  // Still polled and present: its connections answer what they carry.
  ASSERT_NE(s.find(id(kMaster)), nullptr);
  // Still saying master does not make it master again.
  clock_.advance(250ms);
  round(100, 100, 100);
  EXPECT_FALSE(state_.build().master);

  // The failover was aborted: Sentinel names the same master again.
  state_.announce_master(kMaster, "sentinel");
  clock_.advance(250ms);
  round(100, 100, 100);
  s = state_.build();
  ASSERT_TRUE(s.master);
  EXPECT_EQ(s.backends[*s.master].address, kMaster);
}

TEST_F(TopologyStateTest, HeldMasterLeavesWhenTheNewOneIsAnnounced) {
  start_static();
  state_.set_configured_master(std::nullopt);  // as with Sentinel
  round(100, 100, 100);
  clock_.advance(250ms);
  round(100, 100, 100);
  state_.hold_writes("sentinel");
  state_.announce_master(kReplicaB, "sentinel");
  state_.record(id(kReplicaB), master_poll(100, std::string(40, '4')));
  state_.evaluate();
  const TopologySnapshot s = state_.build();
  ASSERT_TRUE(s.master);
  EXPECT_EQ(s.backends[*s.master].address, kReplicaB);
  EXPECT_EQ(s.find(id(kMaster)), nullptr);
}

}  // namespace
}  // namespace resplit::topology
