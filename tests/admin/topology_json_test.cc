#include "proxy/admin/topology_json.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace resplit::admin {
namespace {

TEST(TopologyJsonTest, ListsEveryBackendWithWhyItTakesNoTraffic) {
  topology::TopologySnapshot t;
  t.backends.resize(2);
  t.backends[0].id = 3;
  t.backends[0].address = {"10.0.0.1", 6379};
  t.backends[0].role = topology::Role::kMaster;
  t.backends[0].reachable = t.backends[0].routable = true;
  t.backends[0].exclusion = topology::Exclusion::kNone;
  t.backends[1].id = 4;
  t.backends[1].address = {"::1", 6380};
  t.backends[1].role = topology::Role::kReplica;
  t.backends[1].reachable = true;
  t.backends[1].exclusion = topology::Exclusion::kLagSeconds;
  t.backends[1].lag_seconds = 7.5;
  t.backends[1].lag_bytes = 1000;
  t.master = 0;
  const auto doc = boost::json::parse(topology_json(t, [](topology::BackendId id) {
    return static_cast<int64_t>(id * 10);
  }));
  EXPECT_EQ(doc.at("master").as_string(), "10.0.0.1:6379");
  const auto& b = doc.at("backends").as_array();
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].at("role").as_string(), "master");
  EXPECT_TRUE(b[0].at("not_routable_because").is_null());
  EXPECT_EQ(b[0].at("connections").as_int64(), 30);
  EXPECT_FALSE(b[0].as_object().contains("lag_seconds"));
  EXPECT_EQ(b[1].at("address").as_string(), "[::1]:6380");
  EXPECT_EQ(b[1].at("routable").as_bool(), false);
  EXPECT_EQ(b[1].at("not_routable_because").as_string(), "lag_seconds");
  EXPECT_EQ(b[1].at("lag_seconds").as_double(), 7.5);
  EXPECT_EQ(b[1].at("lag_bytes").to_number<uint64_t>(), 1000u);
}

TEST(TopologyJsonTest, NoMasterIsNull) {
  const auto doc = boost::json::parse(topology_json(topology::TopologySnapshot{}, nullptr));
  EXPECT_TRUE(doc.at("master").is_null());
  EXPECT_TRUE(doc.at("backends").as_array().empty());
  EXPECT_FALSE(doc.as_object().contains("sentinels"));  // no Sentinels configured
}

TEST(TopologyJsonTest, ShowsWhatEachSentinelNames) {
  const topology::SentinelStatusList sentinels = {
      {.address = {"10.0.1.1", 26379}, .up = true, .master = topology::Address{"10.0.0.2", 6379},
       .epoch = 3, .names_trusted = true},
      {.address = {"10.0.1.2", 26379}, .up = true, .master = topology::Address{"10.0.0.1", 6379},
       .epoch = 2},
      {.address = {"10.0.1.3", 26379}}};
  const auto doc =
      boost::json::parse(topology_json(topology::TopologySnapshot{}, nullptr, &sentinels));
  const auto& s = doc.at("sentinels").as_array();
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].at("address").as_string(), "10.0.1.1:26379");
  EXPECT_EQ(s[0].at("names_master").as_string(), "10.0.0.2:6379");
  EXPECT_EQ(s[0].at("config_epoch").to_number<uint64_t>(), 3u);
  EXPECT_TRUE(s[0].at("names_trusted_master").as_bool());
  EXPECT_EQ(s[1].at("names_master").as_string(), "10.0.0.1:6379");
  EXPECT_FALSE(s[1].at("names_trusted_master").as_bool());
  EXPECT_FALSE(s[2].at("up").as_bool());
  EXPECT_TRUE(s[2].at("names_master").is_null());
}

}  // namespace
}  // namespace resplit::admin
