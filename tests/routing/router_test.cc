// route() and classify() on the built-in command table and hand-made topology snapshots: where each
// kind of command goes under each read policy, and why.
#include "proxy/routing/router.h"

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "proxy/commands/command_table.h"
#include "proxy/routing/command_kind.h"

namespace resplit::routing {
namespace {

using config::ReadPolicy;
using config::ReplicaSelection;
using topology::Exclusion;
using topology::Role;
using topology::TopologySnapshot;

constexpr size_t kMaster = 0;
constexpr size_t kReplicaA = 1;
constexpr size_t kReplicaB = 2;

// Master at index 0, two replicas at 1 and 2, both routable and caught up at offset 1000.
TopologySnapshot healthy() {
  TopologySnapshot t;
  for (size_t i = 0; i < 3; ++i) {
    topology::BackendState b;
    b.id = i + 1;
    b.role = i == kMaster ? Role::kMaster : Role::kReplica;
    b.reachable = true;
    b.routable = true;
    b.exclusion = Exclusion::kNone;
    b.offset = 1000;
    t.backends.push_back(b);
  }
  t.master = kMaster;
  t.routable_replicas = {kReplicaA, kReplicaB};
  t.master_offset = 1000;
  return t;
}

void exclude(TopologySnapshot& t, size_t replica, Exclusion why) {
  t.backends[replica].routable = false;
  t.backends[replica].exclusion = why;
  std::erase(t.routable_replicas, replica);
  if (why == Exclusion::kLagSeconds || why == Exclusion::kLagBytes) t.replicas_out_for_lag = true;
}

class RouterTest : public ::testing::Test {
 protected:
  Route route_of(std::initializer_list<std::string_view> command, const TopologySnapshot& t) {
    const std::vector<std::string_view> args(command);
    return route(classify(*table_, args), session_, t, policy_, Load{outstanding_, ticket_++});
  }

  std::shared_ptr<const commands::CommandTable> table_ = commands::CommandTable::builtin();
  SessionState session_;
  Policy policy_;
  std::array<uint32_t, 3> outstanding_{};
  uint64_t ticket_ = 0;
};

TEST_F(RouterTest, WritesGoToTheMasterAndReadsToAReplica) {
  const auto t = healthy();
  const Route set = route_of({"SET", "k", "v"}, t);
  EXPECT_EQ(set.destination, Destination::kMaster);
  EXPECT_EQ(set.backend, kMaster);
  EXPECT_EQ(set.reason, Reason::kWrite);

  const Route get = route_of({"get", "k"}, t);
  EXPECT_EQ(get.destination, Destination::kReplica);
  EXPECT_TRUE(get.backend == kReplicaA || get.backend == kReplicaB);
  EXPECT_EQ(get.reason, Reason::kRead);

  EXPECT_EQ(route_of({"CONFIG", "SET", "maxmemory", "0"}, t).reason, Reason::kAdmin);
  EXPECT_EQ(route_of({"NOSUCHCOMMAND"}, t).reason, Reason::kUnknownCommand);
}

TEST_F(RouterTest, LeastOutstandingPicksTheIdleReplicaAndSpreadsTies) {
  const auto t = healthy();
  outstanding_[kReplicaA] = 5;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(route_of({"GET", "k"}, t).backend, kReplicaB);

  outstanding_[kReplicaA] = 0;
  int on_a = 0;
  for (int i = 0; i < 10; ++i) on_a += route_of({"GET", "k"}, t).backend == kReplicaA;
  EXPECT_EQ(on_a, 5);
}

// A pipeline's reads stay on the replica its first read went to while that replica can serve
// them, so that a pipeline of big reads keeps one replica busy and not both.
TEST_F(RouterTest, LeastOutstandingKeepsAPipelineOnOneReplica) {
  auto t = healthy();
  const std::vector<std::string_view> get{"GET", "k"};
  Load load{outstanding_, 0, kReplicaA};
  outstanding_[kReplicaA] = 7;  // its earlier reads
  EXPECT_EQ(route(classify(*table_, get), session_, t, policy_, load).backend, kReplicaA);

  exclude(t, kReplicaA, Exclusion::kLagBytes);  // no longer fit to read from: the others choose
  EXPECT_EQ(route(classify(*table_, get), session_, t, policy_, load).backend, kReplicaB);

  t = healthy();
  policy_.selection = ReplicaSelection::kRoundRobin;  // spreads every read, as asked
  int on_b = 0;
  for (uint64_t i = 0; i < 10; ++i) {
    on_b += route(classify(*table_, get), session_, t, policy_, Load{outstanding_, i, kReplicaA})
                .backend == kReplicaB;
  }
  EXPECT_EQ(on_b, 5);
}

TEST_F(RouterTest, ReadPolicies) {
  const auto t = healthy();
  policy_.read_policy = ReadPolicy::kMaster;
  EXPECT_EQ(route_of({"GET", "k"}, t).destination, Destination::kMaster);
  policy_.read_policy = ReadPolicy::kPreferMaster;
  EXPECT_EQ(route_of({"GET", "k"}, t).backend, kMaster);

  policy_.read_policy = ReadPolicy::kAny;
  bool saw_master = false;
  for (int i = 0; i < 9; ++i) saw_master |= route_of({"GET", "k"}, t).backend == kMaster;
  EXPECT_TRUE(saw_master);
}

TEST_F(RouterTest, NoRoutableReplicaFallsBackToTheMasterAndSaysWhy) {
  auto t = healthy();
  exclude(t, kReplicaA, Exclusion::kUnreachable);
  exclude(t, kReplicaB, Exclusion::kLinkDown);
  Route r = route_of({"GET", "k"}, t);
  EXPECT_EQ(r.destination, Destination::kMaster);
  EXPECT_EQ(r.reason, Reason::kReadFallbackNoReplica);

  exclude(t, kReplicaB, Exclusion::kLagSeconds);
  r = route_of({"GET", "k"}, t);
  EXPECT_EQ(r.destination, Destination::kMaster);
  EXPECT_EQ(r.reason, Reason::kReadFallbackLag);
  EXPECT_EQ(to_string(r.reason), "read_fallback_lag");

  policy_.read_policy = ReadPolicy::kReplica;
  r = route_of({"GET", "k"}, t);
  EXPECT_EQ(r.destination, Destination::kError);
  EXPECT_EQ(r.reason, Reason::kNoReplica);
  EXPECT_FALSE(r.error.empty());
}

TEST_F(RouterTest, ReadYourWritesWaitsForTheSessionsOffset) {
  auto t = healthy();
  session_.write_in_flight = true;
  EXPECT_EQ(route_of({"GET", "k"}, t).reason, Reason::kReadYourWrites);

  session_.write_in_flight = false;
  session_.min_replica_offset = 1500;
  t.backends[kReplicaB].offset = 1500;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(route_of({"GET", "k"}, t).backend, kReplicaB);

  t.backends[kReplicaB].offset = 1200;
  const Route r = route_of({"GET", "k"}, t);
  EXPECT_EQ(r.backend, kMaster);
  EXPECT_EQ(r.reason, Reason::kReadYourWrites);

  policy_.read_your_writes = false;
  EXPECT_NE(route_of({"GET", "k"}, t).backend, kMaster);
}

TEST_F(RouterTest, WithoutAMasterWritesSayNoMaster) {
  auto t = healthy();
  t.master.reset();
  const Route r = route_of({"SET", "k", "v"}, t);
  EXPECT_EQ(r.reason, Reason::kNoMaster);
  EXPECT_EQ(r.backend, kNoBackend);
  EXPECT_EQ(route_of({"GET", "k"}, t).reason, Reason::kRead);  // replicas still serve reads
}

TEST_F(RouterTest, TransactionsSubscriptionsAndBlockingCommandsArePinned) {
  const auto t = healthy();
  const Route multi = route_of({"MULTI"}, t);
  EXPECT_EQ(multi.destination, Destination::kPinned);
  EXPECT_EQ(multi.backend, kMaster);
  EXPECT_EQ(route_of({"SUBSCRIBE", "ch"}, t).reason, Reason::kPubSub);
  EXPECT_EQ(route_of({"BLPOP", "k", "0"}, t).destination, Destination::kPinned);
  EXPECT_EQ(route_of({"BLPOP", "k", "0"}, t).backend, kMaster);

  session_.in_multi = true;
  EXPECT_EQ(route_of({"GET", "k"}, t).destination, Destination::kPinned);
  EXPECT_EQ(route_of({"AUTH", "pw"}, t).destination, Destination::kLocal);

  session_ = {};
  session_.subscribed = true;
  EXPECT_EQ(route_of({"QUIT"}, t).destination, Destination::kPinned);
}

TEST_F(RouterTest, LocalAndRefusedCommands) {
  const auto t = healthy();
  EXPECT_EQ(route_of({"PING"}, t).destination, Destination::kLocal);
  EXPECT_EQ(route_of({"EXEC"}, t).destination, Destination::kError);
  EXPECT_EQ(route_of({"SYNC"}, t).destination, Destination::kError);
  EXPECT_EQ(route_of({"EVAL_RO", "return 1", "0"}, t).destination, Destination::kReplica);
  EXPECT_EQ(route_of({"SCRIPT", "LOAD", "return 1"}, t).destination, Destination::kFanout);
}

}  // namespace
}  // namespace resplit::routing
