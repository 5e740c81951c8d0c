#include "proxy/topology/failover_hold.h"

#include <gtest/gtest.h>

namespace resplit::topology {
namespace {

using namespace std::chrono_literals;

const Clock::time_point kT0 = Clock::time_point{} + 1h;

TEST(FailoverHoldTest, EndsWhenEverySentinelAnswersAfterwardsThatNothingRuns) {
  FailoverHold hold(3, 5s);
  EXPECT_TRUE(hold.begin(kT0));
  EXPECT_FALSE(hold.begin(kT0 + 1ms));  // already holding
  // Polls sent before the hold began tell nothing about it.
  EXPECT_FALSE(hold.observe(0, false, kT0 - 1ms, kT0 + 2ms));
  EXPECT_FALSE(hold.observe(0, false, kT0 + 1ms, kT0 + 3ms));
  EXPECT_FALSE(hold.observe(1, true, kT0 + 1ms, kT0 + 3ms));
  EXPECT_FALSE(hold.observe(2, false, kT0 + 1ms, kT0 + 3ms));
  EXPECT_TRUE(hold.active());
  EXPECT_TRUE(hold.observe(1, false, kT0 + 100ms, kT0 + 101ms));  // the failover was aborted
  EXPECT_FALSE(hold.active());
  EXPECT_FALSE(hold.observe(1, false, kT0 + 200ms, kT0 + 201ms));  // nothing to end
}

TEST(FailoverHoldTest, UnreachableSentinelsDoNotKeepWritesWaiting) {
  FailoverHold hold(3, 5s);
  ASSERT_TRUE(hold.begin(kT0));
  EXPECT_FALSE(hold.observe(0, std::nullopt, kT0, kT0));
  EXPECT_FALSE(hold.observe(1, std::nullopt, kT0, kT0));
  EXPECT_TRUE(hold.observe(2, false, kT0 + 1ms, kT0 + 2ms));
}

TEST(FailoverHoldTest, EndsAfterTheLimitEvenIfTheFailoverStillRuns) {
  FailoverHold hold(1, 5s);
  ASSERT_TRUE(hold.begin(kT0));
  EXPECT_FALSE(hold.observe(0, true, kT0 + 1s, kT0 + 1s));
  EXPECT_TRUE(hold.observe(0, true, kT0 + 5s, kT0 + 5s));
  EXPECT_FALSE(hold.active());
}

TEST(FailoverHoldTest, ANewMasterClearsIt) {
  FailoverHold hold(2, 5s);
  ASSERT_TRUE(hold.begin(kT0));
  hold.clear();
  EXPECT_FALSE(hold.active());
  EXPECT_TRUE(hold.begin(kT0 + 10s));  // a later failover holds again
}

}  // namespace
}  // namespace resplit::topology
