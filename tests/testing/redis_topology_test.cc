#include "tests/testing/redis_topology.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <set>

#include "tests/testing/redis_topology_fixture.h"
#include "tests/testing/reply.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

class ReplicationTest : public RedisTopologyFixture {};

TEST_F(ReplicationTest, StartsAMasterAndTwoSyncedReplicasOnDistinctPorts) {
  ASSERT_EQ(topology().replica_count(), 2u);
  EXPECT_EQ(topology().sentinel_count(), 0u);
  std::set<uint16_t> ports;
  std::set<std::string> dirs;
  for (RedisProcess* process : topology().processes()) {
    EXPECT_TRUE(process->running()) << process->name();
    ports.insert(process->port());
    dirs.insert(process->dir());
  }
  EXPECT_EQ(ports.size(), 3u);
  EXPECT_EQ(dirs.size(), 3u);
  EXPECT_EQ(master().client().info("replication")["connected_slaves"], "2");
  for (size_t i = 0; i < 2; ++i) {
    auto info = replica(i).client().info("replication");
    EXPECT_EQ(info["role"], "slave");
    EXPECT_EQ(info["master_port"], std::to_string(master().port()));
  }
}

TEST_F(ReplicationTest, WritesOnTheMasterAreReadOnEveryReplica) {
  RedisClient writer = master().client();
  ASSERT_EQ(writer.command({"SET", "greeting", "hello"}), Reply::status("OK"));
  ASSERT_EQ(writer.command({"RPUSH", "list", "a", "b", "c"}), Reply::number(3));
  ASSERT_TRUE(topology().wait_for_sync(5s));
  for (size_t i = 0; i < topology().replica_count(); ++i) {
    RedisClient reader = replica(i).client();
    EXPECT_EQ(reader.command({"GET", "greeting"}), Reply::bulk("hello")) << replica(i).name();
    EXPECT_EQ(reader.command({"LLEN", "list"}), Reply::number(3)) << replica(i).name();
    EXPECT_EQ(reader.command({"SET", "x", "1"}),
              Reply::error("READONLY You can't write against a read only replica."));
  }
}

TEST_F(ReplicationTest, PausedReplicaTimesOutAndBlocksSyncUntilResumed) {
  replica(1).pause();
  EXPECT_EQ(replica(1).state(), 'T');
  EXPECT_EQ(replica(1).client(300ms).command({"PING"}).type, Reply::Type::kTimeout);
  EXPECT_EQ(replica(0).client().command({"PING"}), Reply::status("PONG"));

  ASSERT_EQ(master().client().command({"SET", "during-pause", "1"}), Reply::status("OK"));
  auto synced = topology().wait_for_sync(300ms);
  EXPECT_FALSE(synced);
  EXPECT_NE(std::string(synced.message()).find("replica1"), std::string::npos) << synced.message();

  replica(1).resume();
  EXPECT_EQ(replica(1).client().command({"PING"}), Reply::status("PONG"));
  ASSERT_TRUE(topology().wait_for_sync(5s));
  EXPECT_EQ(replica(1).client().command({"GET", "during-pause"}), Reply::bulk("1"));
}

TEST_F(ReplicationTest, RestartedReplicaKeepsItsPortAndResyncs) {
  const uint16_t port = replica(0).port();
  const pid_t old_pid = replica(0).pid();
  replica(0).restart();
  EXPECT_EQ(replica(0).port(), port);
  EXPECT_NE(replica(0).pid(), old_pid);
  ASSERT_EQ(master().client().command({"SET", "after-restart", "yes"}), Reply::status("OK"));
  ASSERT_TRUE(topology().wait_for_sync(5s));
  EXPECT_EQ(replica(0).client().command({"GET", "after-restart"}), Reply::bulk("yes"));
}

TEST_F(ReplicationTest, KilledMasterComesBackOnItsPortAndReplicasFollow) {
  const uint16_t port = master().port();
  master().kill9();
  EXPECT_EQ(replica(0).client().info("replication")["role"], "slave");
  master().restart();
  EXPECT_EQ(master().port(), port);
  ASSERT_EQ(master().client().command({"SET", "reborn", "1"}), Reply::status("OK"));
  ASSERT_TRUE(topology().wait_for_sync(10s));
  EXPECT_EQ(replica(1).client().command({"GET", "reborn"}), Reply::bulk("1"));
}

TEST(RedisTopologyTest, StopEndsEveryProcess) {
  RedisTopology topology({.replicas = 1});
  std::vector<pid_t> pids;
  for (RedisProcess* process : topology.processes()) pids.push_back(process->pid());
  ASSERT_EQ(pids.size(), 2u);
  topology.stop();
  for (pid_t pid : pids) {
    const bool gone = ::kill(pid, 0) == -1 && errno == ESRCH;
    EXPECT_TRUE(gone) << pid;
  }
}

class SentinelTest : public RedisTopologyFixture {
 protected:
  TopologyOptions topology_options() const override {
    return {.replicas = 2, .sentinels = 3, .quorum = 2};
  }
};

TEST_F(SentinelTest, SentinelsAgreeOnTheMasterAndSeeEveryone) {
  ASSERT_EQ(topology().sentinel_count(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    RedisClient client = sentinel(i).client();
    EXPECT_EQ(
        client.command({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"}),
        Reply::array({Reply::bulk("127.0.0.1"), Reply::bulk(std::to_string(master().port()))}))
        << sentinel(i).name();
    EXPECT_EQ(client.command({"SENTINEL", "REPLICAS", "mymaster"}).elements.size(), 2u);
    EXPECT_EQ(client.command({"SENTINEL", "SENTINELS", "mymaster"}).elements.size(), 2u);
    EXPECT_EQ(client.command({"SENTINEL", "CKQUORUM", "mymaster"}).type, Reply::Type::kStatus);
  }
}

TEST_F(SentinelTest, KilledMasterIsReplacedAndTheSwitchIsPublished) {
  RedisClient events = sentinel(0).client(200ms);
  ASSERT_EQ(events.command({"SUBSCRIBE", "+switch-master"}).elements.size(), 3u);
  const uint16_t old_port = master().port();
  master().kill9();

  std::string why;
  const uint16_t new_port = topology().wait_for_master_switch(old_port, 60s, &why);
  ASSERT_NE(new_port, 0) << why;
  RedisProcess* promoted = topology().server_on_port(new_port);
  ASSERT_NE(promoted, nullptr);
  EXPECT_EQ(promoted->client().info("replication")["role"], "master");

  // The message may have come before the majority agreed; it is buffered on the connection.
  const std::string expected = "mymaster 127.0.0.1 " + std::to_string(old_port) +
                               " 127.0.0.1 " + std::to_string(new_port);
  std::string seen;
  for (int i = 0; i < 50 && seen.empty(); ++i) {
    Reply message = events.next_push();
    if (message.type == Reply::Type::kArray && message.elements.size() == 3) {
      seen = message.elements[2].str;
    } else {
      ASSERT_EQ(message.type, Reply::Type::kTimeout) << message;
    }
  }
  EXPECT_EQ(seen, expected);
}

}  // namespace
}  // namespace resplit::testkit
