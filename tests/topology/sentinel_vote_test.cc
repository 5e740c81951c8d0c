#include "proxy/topology/sentinel_vote.h"

#include <gtest/gtest.h>

namespace resplit::topology {
namespace {

const Address kA{"10.0.0.1", 6379};
const Address kB{"10.0.0.2", 6379};
const Address kC{"10.0.0.3", 6379};

SentinelAnswer names(const Address& a, uint64_t epoch = 0) { return SentinelAnswer{a, epoch}; }

TEST(SentinelVoteTest, TrustsTheFirstMasterOnlyWithAMajorityOfConfiguredSentinels) {
  SentinelVote vote(3);
  vote.record(0, names(kA));
  EXPECT_EQ(vote.decide(), std::nullopt);  // one of three, even if the others are down
  vote.record(1, names(kA));
  const std::optional<TrustedMaster> trusted = vote.decide();
  ASSERT_TRUE(trusted.has_value());
  EXPECT_EQ(trusted->address, kA);
  EXPECT_EQ(trusted->votes, 2u);
  EXPECT_EQ(vote.decide(), std::nullopt);  // already trusted: nothing new
  vote.record(2, names(kA));
  EXPECT_EQ(vote.decide(), std::nullopt);
  EXPECT_EQ(vote.trusted()->votes, 3u);
}

TEST(SentinelVoteTest, OneSentinelOfOneIsAMajority) {
  SentinelVote vote(1);
  vote.record(0, names(kA));
  ASSERT_TRUE(vote.decide().has_value());
}

TEST(SentinelVoteTest, TwoOfFourIsNoMajority) {
  SentinelVote vote(4);
  vote.record(0, names(kA));
  vote.record(1, names(kA));
  vote.record(2, names(kB));
  EXPECT_EQ(vote.decide(), std::nullopt);
}

TEST(SentinelVoteTest, ANewerEpochFromOneSentinelIsAFailoverThatHappened) {
  SentinelVote vote(3);
  for (size_t i = 0; i < 3; ++i) vote.record(i, names(kA, 1));
  ASSERT_TRUE(vote.decide().has_value());
  // The failover leader knows first; the others still name the old master at the old epoch.
  vote.record(0, names(kB, 2));
  const std::optional<TrustedMaster> moved = vote.decide();
  ASSERT_TRUE(moved.has_value());
  EXPECT_EQ(moved->address, kB);
  EXPECT_EQ(moved->epoch, 2u);
  EXPECT_EQ(moved->votes, 1u);
  // The stale majority does not win back, not even when the leader goes away.
  vote.record(1, names(kA, 1));
  EXPECT_EQ(vote.decide(), std::nullopt);
  vote.record(0, SentinelAnswer{});
  EXPECT_EQ(vote.decide(), std::nullopt);
  EXPECT_EQ(vote.trusted()->address, kB);
  // The others learn the new epoch.
  vote.record(1, names(kB, 2));
  vote.record(2, names(kB, 2));
  EXPECT_EQ(vote.decide(), std::nullopt);
  EXPECT_EQ(vote.trusted()->votes, 2u);
}

TEST(SentinelVoteTest, AStaleMinorityIsNeverTrustedOverTheMajority) {
  SentinelVote vote(3);
  vote.record(0, names(kB, 3));
  vote.record(1, names(kB, 3));
  ASSERT_EQ(vote.decide()->address, kB);
  vote.record(2, names(kA, 2));  // partitioned during the last failover
  EXPECT_EQ(vote.decide(), std::nullopt);
  EXPECT_EQ(vote.trusted()->address, kB);
}

TEST(SentinelVoteTest, TwoAddressesAtTheNewestEpochDecideNothing) {
  SentinelVote vote(3);
  for (size_t i = 0; i < 3; ++i) vote.record(i, names(kA, 1));
  ASSERT_TRUE(vote.decide().has_value());
  vote.record(0, names(kB, 2));
  vote.record(1, names(kC, 2));
  EXPECT_EQ(vote.decide(), std::nullopt);
  EXPECT_EQ(vote.trusted()->address, kA);
  vote.record(1, names(kB, 2));
  EXPECT_EQ(vote.decide()->address, kB);
}

TEST(SentinelVoteTest, WithoutEpochsOnlyAMajorityMovesTrust) {
  SentinelVote vote(3);
  vote.record(0, names(kA));
  vote.record(1, names(kA));
  ASSERT_TRUE(vote.decide().has_value());
  vote.record(2, names(kB));
  EXPECT_EQ(vote.decide(), std::nullopt);
  vote.record(1, names(kB));
  EXPECT_EQ(vote.decide()->address, kB);
}

TEST(SentinelVoteTest, UnreachableSentinelsDoNotCount) {
  SentinelVote vote(3);
  vote.record(0, names(kA));
  vote.record(1, names(kA));
  ASSERT_TRUE(vote.decide().has_value());
  vote.record(0, SentinelAnswer{});
  vote.record(1, SentinelAnswer{});
  EXPECT_EQ(vote.decide(), std::nullopt);  // keeps the last trusted master
  EXPECT_EQ(vote.trusted()->address, kA);
  vote.record(5, names(kB));  // out of range: ignored
  EXPECT_EQ(vote.votes_for(kB), 0u);
}

}  // namespace
}  // namespace resplit::topology
