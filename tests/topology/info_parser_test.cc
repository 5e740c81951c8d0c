#include "proxy/topology/info_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "tests/topology/resp_testdata.h"

namespace resplit::topology {
namespace {

using testdata::array;
using testdata::bulk;
using testdata::captured;
using testdata::captured_info;
using testdata::integer;
using testdata::parse;

constexpr const char* kReplid = "73996f4abb076e56a13c2f1128ad7fd76c0e38c6";

std::optional<RoleInfo> role_of(const std::string& bytes) {
  const testdata::ReplyPtr reply = parse(bytes);
  return parse_role(reply.get());
}

TEST(InfoParserTest, CapturedMasterReplicationAndPersistence) {
  const NodeInfo info = parse_info(captured_info("master-info-replication-persistence.resp"));
  EXPECT_EQ(info.role, Role::kMaster);
  EXPECT_EQ(info.master_replid, kReplid);
  EXPECT_EQ(info.master_replid2, std::string(40, '0'));
  EXPECT_EQ(info.master_repl_offset, 95u);
  EXPECT_EQ(info.connected_slaves, 2u);
  ASSERT_EQ(info.replicas.size(), 2u);
  EXPECT_EQ(info.replicas[0], (ListedReplica{"127.0.0.1", 27102, "online", 95, 1}));
  EXPECT_EQ(info.replicas[1], (ListedReplica{"127.0.0.1", 27101, "online", 95, 1}));
  EXPECT_EQ(info.loading, false);
  EXPECT_EQ(info.async_loading, false);
  EXPECT_FALSE(info.master_link_up.has_value());
  EXPECT_FALSE(info.slave_repl_offset.has_value());
  EXPECT_EQ(info.processed_offset(), 95u);
}

TEST(InfoParserTest, CapturedReplica) {
  const NodeInfo info = parse_info(captured_info("replica-info-replication-persistence.resp"));
  EXPECT_EQ(info.role, Role::kReplica);
  EXPECT_EQ(info.master_host, "127.0.0.1");
  EXPECT_EQ(info.master_port, 27100);
  EXPECT_EQ(info.master_link_up, true);
  EXPECT_EQ(info.master_last_io_seconds_ago, 3);
  EXPECT_EQ(info.master_sync_in_progress, false);
  EXPECT_EQ(info.slave_repl_offset, 95u);
  EXPECT_EQ(info.slave_read_repl_offset, 95u);
  EXPECT_EQ(info.master_replid, kReplid);  // the master's history: it follows that master
  EXPECT_EQ(info.connected_slaves, 0u);
  EXPECT_TRUE(info.replicas.empty());
  EXPECT_EQ(info.processed_offset(), 95u);
}

TEST(InfoParserTest, CapturedReplicaWithLinkDown) {
  const NodeInfo info =
      parse_info(captured_info("replica-link-down-info-replication-persistence.resp"));
  EXPECT_EQ(info.role, Role::kReplica);
  EXPECT_EQ(info.master_port, 27199);
  EXPECT_EQ(info.master_link_up, false);
  EXPECT_EQ(info.master_last_io_seconds_ago, -1);
  // While the link is down the replica reports its own replication id, not a master's.
  EXPECT_EQ(info.master_replid, "6fe73fdd5457dd2b2d9661cef933a8b4e8af1a38");
}

TEST(InfoParserTest, CapturedMasterWaitingForBgsaveListsReplicaState) {
  const NodeInfo info =
      parse_info(captured_info("master-wait-bgsave-info-replication-persistence.resp"));
  ASSERT_EQ(info.replicas.size(), 1u);
  EXPECT_EQ(info.replicas[0].state, "wait_bgsave");
  EXPECT_EQ(info.replicas[0].offset, 0u);
  EXPECT_EQ(info.replicas[0].ack_age, 0u);
}

TEST(InfoParserTest, CapturedPromotedReplicaKeepsOldHistoryAsReplid2) {
  const NodeInfo info = parse_info(captured_info("promoted-info-replication-persistence.resp"));
  EXPECT_EQ(info.role, Role::kMaster);
  EXPECT_EQ(info.master_replid, "10b2fd5feb92915d80c56073bc8832b6977557c0");
  EXPECT_EQ(info.master_replid2, "c0a58a53b5e884cac68b4c953c1da477b8f4fd80");
  EXPECT_EQ(info.master_repl_offset, 78u);
}

TEST(InfoParserTest, CapturedServerSection) {
  const NodeInfo info = parse_info(captured_info("master-info-server.resp"));
  EXPECT_EQ(info.redis_version, "7.0.15");
  EXPECT_EQ(info.run_id.size(), 40u);
  EXPECT_EQ(info.role, Role::kUnknown);
}

TEST(InfoParserTest, LfOnlyLinesAndMissingFields) {
  const NodeInfo info = parse_info("# Replication\nrole:slave\nmaster_link_status:up\n");
  EXPECT_EQ(info.role, Role::kReplica);
  EXPECT_EQ(info.master_link_up, true);
  EXPECT_FALSE(info.slave_repl_offset.has_value());
  EXPECT_FALSE(info.loading.has_value());
  EXPECT_FALSE(info.processed_offset().has_value());
  EXPECT_EQ(parse_info("").role, Role::kUnknown);
}

TEST(InfoParserTest, BadNumbersAreAbsent) {
  const NodeInfo info = parse_info(
      "role:slave\r\n"
      "slave_repl_offset:-5\r\n"
      "slave_read_repl_offset:99999999999999999999999\r\n"
      "master_repl_offset:12abc\r\n"
      "master_port:70000\r\n"
      "master_last_io_seconds_ago:-99999999999999999999\r\n"
      "master_sync_in_progress:2\r\n"
      "loading:\r\n"
      "connected_slaves:+3\r\n"
      "master_link_status:sideways\r\n");
  EXPECT_EQ(info.role, Role::kReplica);
  EXPECT_FALSE(info.slave_repl_offset.has_value());
  EXPECT_FALSE(info.slave_read_repl_offset.has_value());
  EXPECT_FALSE(info.master_repl_offset.has_value());
  EXPECT_FALSE(info.master_port.has_value());
  EXPECT_FALSE(info.master_last_io_seconds_ago.has_value());
  EXPECT_FALSE(info.master_sync_in_progress.has_value());
  EXPECT_FALSE(info.loading.has_value());
  EXPECT_FALSE(info.connected_slaves.has_value());
  EXPECT_FALSE(info.master_link_up.has_value());
}

TEST(InfoParserTest, LargestOffsetsParse) {
  const NodeInfo info = parse_info("role:master\nmaster_repl_offset:18446744073709551615\n");
  EXPECT_EQ(info.master_repl_offset, 18446744073709551615u);
  EXPECT_FALSE(parse_info("master_repl_offset:18446744073709551616").master_repl_offset);
}

TEST(InfoParserTest, ListedReplicaFields) {
  EXPECT_EQ(parse_listed_replica("ip=10.0.0.7,port=6379,state=online,offset=12,lag=0"),
            (ListedReplica{"10.0.0.7", 6379, "online", 12, 0}));
  // Fields in another order, unknown fields, missing lag.
  EXPECT_EQ(parse_listed_replica("port=7000,extra=1,ip=::1,offset=5"),
            (ListedReplica{"::1", 7000, "", 5, std::nullopt}));
  EXPECT_FALSE(parse_listed_replica("ip=10.0.0.7,state=online"));  // no port
  EXPECT_FALSE(parse_listed_replica("port=6379,state=online"));    // no ip
  EXPECT_FALSE(parse_listed_replica("ip=a,port=0"));               // port 0
  EXPECT_FALSE(parse_listed_replica("ip=a,port=-1"));
  EXPECT_FALSE(parse_listed_replica(""));
  EXPECT_FALSE(parse_listed_replica(",,,="));
  const auto bad_offset = parse_listed_replica("ip=a,port=1,offset=-3,lag=x");
  ASSERT_TRUE(bad_offset);
  EXPECT_FALSE(bad_offset->offset);
  EXPECT_FALSE(bad_offset->ack_age);
}

TEST(InfoParserTest, OnlySlaveNumberKeysAreReplicas) {
  const NodeInfo info = parse_info(
      "slave0:ip=a,port=1\nslave_x:ip=b,port=2\nslave:ip=c,port=3\nslave12:ip=d,port=4\n");
  ASSERT_EQ(info.replicas.size(), 2u);
  EXPECT_EQ(info.replicas[0].ip, "a");
  EXPECT_EQ(info.replicas[1].ip, "d");
}

TEST(InfoParserTest, GarbageNeverCrashes) {
  const std::string real = captured_info("master-info-replication-persistence.resp") +
                           captured_info("replica-info-replication-persistence.resp");
  for (size_t n = 0; n <= real.size(); ++n) (void)parse_info(std::string_view(real).substr(0, n));
  std::mt19937 rng(7);
  const std::string alphabet = "ab:=,\r\n#-0123456789slave_porti";
  for (int round = 0; round < 2000; ++round) {
    std::string text(rng() % 200, ' ');
    for (char& c : text) c = alphabet[rng() % alphabet.size()];
    (void)parse_info(text);
  }
}

TEST(RoleParserTest, CapturedMaster) {
  const std::optional<RoleInfo> role = role_of(captured("master-role.resp"));
  ASSERT_TRUE(role);
  EXPECT_EQ(role->role, Role::kMaster);
  EXPECT_EQ(role->master_offset, 95u);
  ASSERT_EQ(role->replicas.size(), 2u);
  EXPECT_EQ(role->replicas[0], (RoleReplica{"127.0.0.1", 27102, 95}));
  EXPECT_EQ(role->replicas[1], (RoleReplica{"127.0.0.1", 27101, 95}));
}

TEST(RoleParserTest, CapturedLoneMaster) {
  const std::optional<RoleInfo> role = role_of(captured("lone-master-role.resp"));
  ASSERT_TRUE(role);
  EXPECT_EQ(role->role, Role::kMaster);
  EXPECT_EQ(role->master_offset, 0u);
  EXPECT_TRUE(role->replicas.empty());
}

TEST(RoleParserTest, CapturedReplicaStates) {
  std::optional<RoleInfo> role = role_of(captured("replica-role.resp"));
  ASSERT_TRUE(role);
  EXPECT_EQ(role->role, Role::kReplica);
  EXPECT_EQ(role->master_host, "127.0.0.1");
  EXPECT_EQ(role->master_port, 27100);
  EXPECT_EQ(role->state, "connected");
  EXPECT_EQ(role->offset, 95u);

  role = role_of(captured("replica-link-down-role.resp"));
  ASSERT_TRUE(role);
  EXPECT_EQ(role->state, "connect");
  EXPECT_FALSE(role->offset);  // -1 before the first sync

  role = role_of(captured("replica-syncing-role.resp"));
  ASSERT_TRUE(role);
  EXPECT_EQ(role->state, "handshake");
}

TEST(RoleParserTest, SentinelAndUnknownRoles) {
  const std::optional<RoleInfo> role =
      role_of(array({bulk("sentinel"), array({bulk("mymaster")})}));
  ASSERT_TRUE(role);
  EXPECT_EQ(role->role, Role::kUnknown);
  EXPECT_EQ(role->name, "sentinel");
}

TEST(RoleParserTest, NotRoleReplies) {
  EXPECT_FALSE(parse_role(nullptr));
  EXPECT_FALSE(role_of("-NOPERM this user has no permissions to run the 'role' command\r\n"));
  EXPECT_FALSE(role_of("+OK\r\n"));
  EXPECT_FALSE(role_of("*0\r\n"));
  EXPECT_FALSE(role_of("*-1\r\n"));
  EXPECT_FALSE(role_of(array({integer(1)})));
  EXPECT_FALSE(role_of(array({array({bulk("master")})})));
}

TEST(RoleParserTest, MalformedEntriesAreSkippedOrAbsent) {
  // A master whose offset is not a number and whose replica list has broken entries.
  std::optional<RoleInfo> role = role_of(array({
      bulk("master"), bulk("x"),
      array({array({bulk("10.0.0.1"), bulk("6379"), bulk("17")}),               // good
             array({bulk("10.0.0.2")}),                                         // short
             bulk("not an entry"), array({bulk(""), bulk("6379"), bulk("1")}),  // empty host
             array({bulk("10.0.0.3"), bulk("99999"), bulk("1")}),               // bad port
             array({bulk("10.0.0.4"), integer(6380), integer(-1)})}),  // integers; no offset
  }));
  ASSERT_TRUE(role);
  EXPECT_FALSE(role->master_offset);
  ASSERT_EQ(role->replicas.size(), 2u);
  EXPECT_EQ(role->replicas[0], (RoleReplica{"10.0.0.1", 6379, 17}));
  EXPECT_EQ(role->replicas[1], (RoleReplica{"10.0.0.4", 6380, std::nullopt}));

  // A master with only its name; a replica with only its name.
  role = role_of(array({bulk("master")}));
  ASSERT_TRUE(role);
  EXPECT_TRUE(role->replicas.empty());
  role = role_of(array({bulk("slave")}));
  ASSERT_TRUE(role);
  EXPECT_EQ(role->role, Role::kReplica);
  EXPECT_FALSE(role->master_port);
  EXPECT_FALSE(role->offset);
}

TEST(RoleParserTest, EveryPrefixOfCapturedRepliesIsSafe) {
  for (const char* name : {"master-role.resp", "replica-role.resp", "lone-master-role.resp"}) {
    const std::string bytes = captured(name);
    for (size_t n = 0; n < bytes.size(); ++n) {
      const testdata::ReplyPtr reply = parse(bytes.substr(0, n));
      (void)parse_role(reply.get());  // an incomplete reply is nullptr
    }
  }
}

TEST(NumberParserTest, Ranges) {
  EXPECT_EQ(parse_unsigned("0"), 0u);
  EXPECT_FALSE(parse_unsigned(""));
  EXPECT_FALSE(parse_unsigned(" 1"));
  EXPECT_FALSE(parse_unsigned("1 "));
  EXPECT_FALSE(parse_unsigned("-1"));
  EXPECT_EQ(parse_signed("-1"), -1);
  EXPECT_EQ(parse_signed("9223372036854775807"), INT64_MAX);
  EXPECT_FALSE(parse_signed("9223372036854775808"));
  EXPECT_FALSE(parse_signed("--1"));
}

}  // namespace
}  // namespace resplit::topology
