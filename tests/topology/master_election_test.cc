#include "proxy/topology/master_election.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace resplit::topology {
namespace {

NodeView master(BackendId id, uint16_t port, std::string replid) {
  NodeView n;
  n.id = id;
  n.address = Address{"127.0.0.1", port};
  n.connected_ip = "127.0.0.1";
  n.current = true;
  n.role = Role::kMaster;
  n.replid = std::move(replid);
  return n;
}

NodeView replica(BackendId id, uint16_t port, uint16_t follows_port, std::string replid,
                 bool link_up = true) {
  NodeView n = master(id, port, std::move(replid));
  n.role = Role::kReplica;
  n.follows = Address{"127.0.0.1", follows_port};
  n.link_up = link_up;
  return n;
}

NodeView silent(NodeView n) {
  n.current = false;
  return n;
}

struct Case {
  const char* name;
  ElectionState before;
  std::vector<NodeView> nodes;
  ElectionState after;
  std::optional<Address> follow = std::nullopt;
};

ElectionState st(std::optional<BackendId> master, std::optional<BackendId> candidate,
                 std::optional<BackendId> fenced = std::nullopt) {
  return ElectionState{master, candidate, fenced};
}

std::string text(std::optional<BackendId> id) {
  return id ? std::to_string(*id) : "none";
}

TEST(MasterElectionTest, Table) {
  const Case cases[] = {
      {"announced candidate verified by its ROLE",
       st(std::nullopt, 1),
       {master(1, 7000, "A"), replica(2, 7001, 7000, "A")},
       st(1, std::nullopt)},
      {"candidate not answering yet: wait",
       st(std::nullopt, 1),
       {silent(master(1, 7000, "A")), replica(2, 7001, 7000, "A")},
       st(std::nullopt, 1)},
      {"candidate says replica: the master it follows (by replid) takes over",
       st(std::nullopt, 1),
       {replica(1, 7000, 7002, "B"), master(2, 7002, "B")},
       st(2, std::nullopt)},
      {"candidate says replica of a known node that is no master yet: that node is the candidate",
       st(std::nullopt, 1),
       {replica(1, 7000, 7002, "own", false), replica(2, 7002, 7003, "own2", false)},
       st(std::nullopt, 2)},
      {"master healthy: nothing moves",
       st(1, std::nullopt),
       {master(1, 7000, "A"), replica(2, 7001, 7000, "A")},
       st(1, std::nullopt)},
      {"demoted master: the node it follows by replid is master",
       st(1, std::nullopt),
       {replica(1, 7000, 7001, "B"), master(2, 7001, "B"), replica(3, 7002, 7000, "B")},
       st(2, std::nullopt)},
      {"demoted master follows a known node by address that is still a replica",
       st(1, std::nullopt),
       {replica(1, 7000, 7001, "x", false), replica(2, 7001, 7009, "y", false)},
       st(std::nullopt, 2)},
      {"demoted master follows an unknown address: follow it",
       st(1, std::nullopt),
       {replica(1, 7000, 7777, "x", false), replica(2, 7001, 7000, "A")},
       st(std::nullopt, std::nullopt),
       Address{"127.0.0.1", 7777}},
      {"master says neither master nor replica: cleared",
       st(1, std::nullopt),
       {[] {
         NodeView n = master(1, 7000, "A");
         n.role = Role::kUnknown;
         return n;
       }()},
       st(std::nullopt, std::nullopt)},
      {"master silent, replicas follow another master: it takes over",
       st(1, std::nullopt),
       {silent(master(1, 7000, "A")), master(2, 7001, "B"), replica(3, 7002, 7001, "B")},
       st(2, std::nullopt)},
      {"master silent, replicas still follow it: it stays",
       st(1, std::nullopt),
       {silent(master(1, 7000, "A")), replica(2, 7001, 7000, "A"), replica(3, 7002, 7000, "A")},
       st(1, std::nullopt)},
      {"master answering as master: a promoted stray with followers does not take over",
       st(1, std::nullopt),
       {master(1, 7000, "A"), master(2, 7001, "B"), replica(3, 7002, 7001, "B")},
       st(1, std::nullopt)},
      {"no master, two masters with one follower each: a tie elects none",
       st(std::nullopt, std::nullopt),
       {master(1, 7000, "A"), master(2, 7001, "B"), replica(3, 7002, 7000, "A"),
        replica(4, 7003, 7001, "B")},
       st(std::nullopt, std::nullopt)},
      {"no master: the master most replicas follow",
       st(std::nullopt, std::nullopt),
       {master(1, 7000, "A"), master(2, 7001, "B"), replica(3, 7002, 7000, "A"),
        replica(4, 7003, 7001, "B"), replica(5, 7004, 7001, "B")},
       st(2, std::nullopt)},
      {"replicas with their link down elect nobody",
       st(std::nullopt, std::nullopt),
       {master(1, 7000, "A"), replica(2, 7001, 7000, "A", false)},
       st(std::nullopt, std::nullopt)},
      {"a node that says replica is never master, however many follow it",
       st(std::nullopt, std::nullopt),
       {replica(1, 7000, 7009, "A"), replica(2, 7001, 7000, "A"), replica(3, 7002, 7000, "A")},
       st(std::nullopt, std::nullopt)},
      {"candidate equal to master is dropped",
       st(1, 1),
       {master(1, 7000, "A")},
       st(1, std::nullopt)},
      {"fenced old master is not re-elected through the candidate it was announced over",
       st(std::nullopt, 2, 1),
       {master(1, 7000, "A"), replica(2, 7001, 7000, "A"), replica(3, 7002, 7000, "A")},
       st(std::nullopt, 2, 1)},
      {"fenced old master is not elected by its followers",
       st(std::nullopt, std::nullopt, 1),
       {master(1, 7000, "A"), replica(2, 7001, 7000, "A")},
       st(std::nullopt, std::nullopt, 1)},
      {"a verified candidate lifts the fence",
       st(std::nullopt, 2, 1),
       {master(1, 7000, "A"), master(2, 7001, "B")},
       st(2, std::nullopt, std::nullopt)},
      {"announced candidate wins over a master still answering as master",
       st(1, 2),
       {master(1, 7000, "A"), master(2, 7001, "B")},
       st(2, std::nullopt)},
  };
  for (const Case& c : cases) {
    const ElectionOutcome out = elect_master(c.before, c.nodes);
    EXPECT_EQ(text(out.state.master), text(c.after.master)) << c.name;
    EXPECT_EQ(text(out.state.candidate), text(c.after.candidate)) << c.name;
    EXPECT_EQ(text(out.state.fenced), text(c.after.fenced)) << c.name;
    EXPECT_EQ(out.follow.has_value(), c.follow.has_value()) << c.name;
    if (out.follow && c.follow) {
      EXPECT_EQ(*out.follow, *c.follow) << c.name;
    }
    if (!(out.state == c.before)) {
      EXPECT_FALSE(out.reason.empty()) << c.name;
    }
    // Whatever happens, the master is a node whose ROLE says master right now.
    if (out.state.master && out.state.master != c.before.master) {
      for (const NodeView& n : c.nodes) {
        if (n.id == *out.state.master) {
          EXPECT_TRUE(n.current && n.role == Role::kMaster) << c.name;
        }
      }
    }
  }
}

TEST(MasterElectionTest, ReplicaNamesItsMasterByConnectedIp) {
  NodeView m = master(1, 6379, "A");
  m.address = Address{"redis-0.redis.default.svc", 6379};
  m.connected_ip = "10.1.2.3";
  EXPECT_TRUE(names_node(Address{"10.1.2.3", 6379}, m));
  EXPECT_TRUE(names_node(Address{"redis-0.redis.default.svc", 6379}, m));
  EXPECT_FALSE(names_node(Address{"10.1.2.3", 6380}, m));
  EXPECT_FALSE(names_node(Address{"10.1.2.4", 6379}, m));
  m.connected_ip.clear();
  EXPECT_FALSE(names_node(Address{"", 6379}, m));
}

TEST(MasterElectionTest, DemotedMasterFollowedByIpOnKubernetes) {
  // The old master names its new master by pod IP; resplit knows that pod by its DNS name.
  NodeView old = replica(1, 6379, 6379, "own", false);
  old.address = Address{"redis-0.redis", 6379};
  old.connected_ip = "10.0.0.10";
  old.follows = Address{"10.0.0.11", 6379};
  NodeView promoted = master(2, 6379, "B");
  promoted.address = Address{"redis-1.redis", 6379};
  promoted.connected_ip = "10.0.0.11";
  const std::vector<NodeView> nodes = {old, promoted};
  const ElectionOutcome out = elect_master(st(1, std::nullopt), nodes);
  EXPECT_EQ(out.state.master, 2u);
  EXPECT_FALSE(out.follow);
}

}  // namespace
}  // namespace resplit::topology
