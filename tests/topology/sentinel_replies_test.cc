#include "proxy/topology/sentinel_replies.h"

#include <gtest/gtest.h>

#include "tests/topology/resp_testdata.h"

namespace resplit::topology {
namespace {

using testdata::array;
using testdata::bulk;
using testdata::captured;
using testdata::parse;

const Address kOld{"127.0.0.1", 18601};
const Address kNew{"127.0.0.1", 18602};

TEST(SentinelRepliesTest, MasterAddressFromCapturedReplies) {
  EXPECT_EQ(parse_master_addr(parse(captured("sentinel-get-master-addr.resp")).get()), kOld);
  EXPECT_EQ(
      parse_master_addr(parse(captured("sentinel-get-master-addr-after-failover.resp")).get()),
      kNew);
  EXPECT_EQ(parse_master_addr(parse(captured("sentinel-get-master-addr-unknown.resp")).get()),
            std::nullopt);
}

TEST(SentinelRepliesTest, MasterAddressRejectsMalformedReplies) {
  EXPECT_EQ(parse_master_addr(nullptr), std::nullopt);
  EXPECT_EQ(parse_master_addr(parse("-ERR unknown command\r\n").get()), std::nullopt);
  EXPECT_EQ(parse_master_addr(parse(array({bulk("127.0.0.1")})).get()), std::nullopt);
  for (const char* port : {"0", "65536", "-1", "x", ""}) {
    EXPECT_EQ(parse_master_addr(parse(array({bulk("127.0.0.1"), bulk(port)})).get()), std::nullopt)
        << port;
  }
  EXPECT_EQ(parse_master_addr(parse(array({bulk(""), bulk("6379")})).get()), std::nullopt);
  EXPECT_EQ(parse_master_addr(parse(array({bulk("redis-0.redis"), bulk("6379")})).get()),
            (Address{"redis-0.redis", 6379}));
}

TEST(SentinelRepliesTest, ConfigEpochFromCapturedReplies) {
  EXPECT_EQ(parse_config_epoch(parse(captured("sentinel-master.resp")).get()), 0u);
  EXPECT_EQ(parse_config_epoch(parse(captured("sentinel-master-after-failover.resp")).get()), 1u);
  EXPECT_EQ(parse_config_epoch(parse(captured("sentinel-master-unknown.resp")).get()),
            std::nullopt);
  EXPECT_EQ(parse_config_epoch(parse(array({bulk("config-epoch")})).get()), std::nullopt);
  EXPECT_EQ(parse_config_epoch(parse(array({bulk("config-epoch"), bulk("-3")})).get()),
            std::nullopt);
}

TEST(SentinelRepliesTest, ReplicaListFromCapturedReply) {
  EXPECT_EQ(parse_replica_list(parse(captured("sentinel-replicas.resp")).get()),
            std::vector<Address>{kNew});
}

TEST(SentinelRepliesTest, ReplicaListSkipsBadEntriesAndDuplicates) {
  const std::string entry_a = array({bulk("ip"), bulk("10.0.0.1"), bulk("port"), bulk("6379")});
  const std::string entry_b = array({bulk("port"), bulk("6380"), bulk("ip"), bulk("10.0.0.2")});
  const std::string no_port = array({bulk("ip"), bulk("10.0.0.3")});
  const std::string odd = array({bulk("ip"), bulk("10.0.0.4"), bulk("port")});
  const auto reply = parse(array({entry_a, no_port, entry_b, odd, entry_a, bulk("junk")}));
  EXPECT_EQ(parse_replica_list(reply.get()),
            (std::vector<Address>{{"10.0.0.1", 6379}, {"10.0.0.2", 6380}}));
  EXPECT_TRUE(parse_replica_list(parse("-ERR No such master with that name\r\n").get()).empty());
  EXPECT_TRUE(parse_replica_list(parse("*0\r\n").get()).empty());
}

TEST(SentinelRepliesTest, SwitchMasterMessageFromCapturedPush) {
  const auto push = parse(captured("sentinel-switch-master-message.resp"));
  const std::optional<std::string_view> payload = message_payload(push.get(), "+switch-master");
  ASSERT_TRUE(payload.has_value());
  EXPECT_EQ(parse_switch_master(*payload, "mymaster"), (MasterSwitch{kOld, kNew}));
  EXPECT_EQ(parse_switch_master(*payload, "other"), std::nullopt);
  EXPECT_EQ(message_payload(push.get(), "+sdown"), std::nullopt);
}

TEST(SentinelRepliesTest, SwitchMasterRejectsMalformedPayloads) {
  for (const char* payload :
       {"", "mymaster", "mymaster 127.0.0.1 1 127.0.0.1", "mymaster a 1 b 2 extra",
        "mymaster a x b 2", "mymaster a 1 b 0", "mymaster  1 b 2"}) {
    EXPECT_EQ(parse_switch_master(payload, "mymaster"), std::nullopt) << payload;
  }
  EXPECT_EQ(parse_switch_master("m a 1 b 2", "m"), (MasterSwitch{{"a", 1}, {"b", 2}}));
}

TEST(SentinelRepliesTest, SubscribeConfirmationIsNotAMessage) {
  const auto confirm =
      parse(array({bulk("subscribe"), bulk("+switch-master"), testdata::integer(1)}));
  EXPECT_EQ(message_payload(confirm.get(), "+switch-master"), std::nullopt);
  const auto pong = parse(array({bulk("pong"), bulk("")}));
  EXPECT_EQ(message_payload(pong.get(), "+switch-master"), std::nullopt);
}

TEST(SentinelRepliesTest, FailoverInProgressNamesTheMasterBeingFailedOver) {
  EXPECT_EQ(parse_failover_of(parse(captured("sentinel-master.resp")).get()), std::nullopt);
  const auto running =
      parse(array({bulk("name"), bulk("mymaster"), bulk("ip"), bulk("127.0.0.1"), bulk("port"),
                   bulk("18601"), bulk("flags"), bulk("master,o_down,failover_in_progress")}));
  EXPECT_EQ(parse_failover_of(running.get()), kOld);
  const auto other_flag = parse(array({bulk("ip"), bulk("127.0.0.1"), bulk("port"), bulk("18601"),
                                       bulk("flags"), bulk("master,failover")}));
  EXPECT_EQ(parse_failover_of(other_flag.get()), std::nullopt);
  EXPECT_EQ(parse_failover_of(parse("-ERR No such master with that name\r\n").get()), std::nullopt);
}

TEST(SentinelRepliesTest, TryFailoverPayload) {
  EXPECT_EQ(parse_try_failover("master mymaster 127.0.0.1 18601", "mymaster"), kOld);
  EXPECT_EQ(parse_try_failover("master other 127.0.0.1 18601", "mymaster"), std::nullopt);
  EXPECT_EQ(parse_try_failover("slave mymaster 127.0.0.1 18601", "mymaster"), std::nullopt);
  EXPECT_EQ(parse_try_failover("master mymaster 127.0.0.1", "mymaster"), std::nullopt);
  EXPECT_EQ(parse_try_failover("master mymaster 127.0.0.1 1 x", "mymaster"), std::nullopt);
}

}  // namespace
}  // namespace resplit::topology
