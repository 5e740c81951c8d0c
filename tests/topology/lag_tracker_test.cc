#include "proxy/topology/lag_tracker.h"

#include <gtest/gtest.h>

namespace resplit::topology {
namespace {

using namespace std::chrono_literals;

class LagTrackerTest : public ::testing::Test {
 protected:
  Clock::time_point at(std::chrono::milliseconds ms) const { return t0_ + ms; }

  const Clock::time_point t0_ = ManualClock().now();
};

TEST_F(LagTrackerTest, EmptyTimelineKnowsNothing) {
  LagTracker tracker;
  EXPECT_FALSE(tracker.lag(0, at(0ms)));
  EXPECT_FALSE(tracker.offset_at(at(0ms)));
  EXPECT_FALSE(tracker.latest_offset());
}

TEST_F(LagTrackerTest, CaughtUpReplicaHasNoLag) {
  LagTracker tracker;
  tracker.record(at(0ms), 1000);
  tracker.record(at(250ms), 2000);
  for (uint64_t offset : {2000u, 2500u}) {  // equal, or sampled a moment after the master
    const std::optional<Lag> lag = tracker.lag(offset, at(260ms));
    ASSERT_TRUE(lag);
    EXPECT_EQ(lag->bytes, 0u);
    EXPECT_EQ(lag->seconds, 0);
    EXPECT_FALSE(lag->beyond_timeline);
  }
}

TEST_F(LagTrackerTest, SecondsInterpolateBetweenSamples) {
  LagTracker tracker;
  tracker.record(at(0ms), 0);
  tracker.record(at(1000ms), 1000);
  tracker.record(at(2000ms), 2000);
  struct Case {
    uint64_t replica_offset;
    std::chrono::milliseconds sampled;
    uint64_t bytes;
    double seconds;
  };
  const Case cases[] = {
      {500, 2000ms, 1500, 1.5},   // the master passed 500 half-way between 0 s and 1 s
      {1000, 2000ms, 1000, 1.0},  // it stayed at 1000 until the 1 s sample, then moved on
      {0, 2000ms, 2000, 2.0},     // it left 0 at the first sample
      {1999, 2000ms, 1, 0.001},   // it passed 1999 a moment before the 2 s sample
      {900, 1500ms, 600, 0.6},    // master at 1500 at 1.5 s (interpolated); it passed 900 at 0.9 s
      {1500, 1200ms, 0, 0.0},     // the replica is ahead of the interpolated master: never negative
  };
  for (const Case& c : cases) {
    const std::optional<Lag> lag = tracker.lag(c.replica_offset, at(c.sampled));
    ASSERT_TRUE(lag);
    EXPECT_EQ(lag->bytes, c.bytes) << c.replica_offset;
    EXPECT_NEAR(lag->seconds, c.seconds, 1e-6) << c.replica_offset;
    EXPECT_FALSE(lag->beyond_timeline);
  }
}

TEST_F(LagTrackerTest, SampledAfterTheNewestSampleUsesIt) {
  LagTracker tracker;
  tracker.record(at(0ms), 0);
  tracker.record(at(1000ms), 1000);
  const std::optional<Lag> lag = tracker.lag(400, at(3000ms));
  ASSERT_TRUE(lag);
  EXPECT_EQ(lag->bytes, 600u);
  EXPECT_NEAR(lag->seconds, 2.6, 1e-6);  // passed 400 at 0.4 s; sampled at 3 s
}

TEST_F(LagTrackerTest, OffsetOlderThanTheTimelineReportsItsAgeAsLowerBound) {
  LagTracker tracker(4);
  for (int i = 0; i < 10; ++i) tracker.record(at(i * 1000ms), 100 + i * 100);
  EXPECT_EQ(tracker.size(), 4u);
  EXPECT_EQ(tracker.oldest_time(), at(6000ms));
  const std::optional<Lag> lag = tracker.lag(150, at(9500ms));
  ASSERT_TRUE(lag);
  EXPECT_TRUE(lag->beyond_timeline);
  EXPECT_NEAR(lag->seconds, 3.5, 1e-6);
  EXPECT_EQ(lag->bytes, 1000u - 150u);
}

TEST_F(LagTrackerTest, IdleRunsKeepFirstAndLastSample) {
  LagTracker tracker(8);
  tracker.record(at(0ms), 100);
  for (int i = 1; i <= 100; ++i) tracker.record(at(i * 250ms), 500);  // one write, then idle
  EXPECT_EQ(tracker.size(), 3u);
  tracker.record(at(25250ms), 600);
  // A replica still at 500 has been stale since the master left 500, just before 25.25 s.
  std::optional<Lag> lag = tracker.lag(500, at(26000ms));
  ASSERT_TRUE(lag);
  EXPECT_NEAR(lag->seconds, 1.0, 1e-6);
  EXPECT_EQ(lag->bytes, 100u);
  // A replica at 100 missed the write made between 0 s and 0.25 s.
  lag = tracker.lag(100, at(26000ms));
  ASSERT_TRUE(lag);
  EXPECT_NEAR(lag->seconds, 26.0, 1e-6);
  EXPECT_FALSE(lag->beyond_timeline);
}

TEST_F(LagTrackerTest, OffsetGoingBackStartsANewHistory) {
  LagTracker tracker;
  tracker.record(at(0ms), 5000);
  tracker.record(at(1000ms), 6000);
  tracker.record(at(2000ms), 100);  // a new master, or a restart without data
  EXPECT_EQ(tracker.size(), 1u);
  EXPECT_EQ(tracker.latest_offset(), 100u);
  // A replica still at the old history's offset is "ahead": the offsets say nothing any more;
  // the monitor keeps it out by replication id, not by this figure.
  const std::optional<Lag> lag = tracker.lag(5500, at(2100ms));
  ASSERT_TRUE(lag);
  EXPECT_EQ(lag->bytes, 0u);
  EXPECT_EQ(lag->seconds, 0);
}

TEST_F(LagTrackerTest, ResetAndOutOfOrderSamples) {
  LagTracker tracker;
  tracker.record(at(1000ms), 10);
  tracker.record(at(500ms), 20);  // older than the newest: ignored
  EXPECT_EQ(tracker.size(), 1u);
  EXPECT_EQ(tracker.latest_offset(), 10u);
  tracker.reset();
  EXPECT_TRUE(tracker.empty());
}

TEST_F(LagTrackerTest, OffsetAtInterpolates) {
  LagTracker tracker;
  tracker.record(at(0ms), 0);
  tracker.record(at(1000ms), 1000);
  EXPECT_EQ(tracker.offset_at(at(-5ms)), 0u);
  EXPECT_EQ(tracker.offset_at(at(250ms)), 250u);
  EXPECT_EQ(tracker.offset_at(at(5000ms)), 1000u);
}

}  // namespace
}  // namespace resplit::topology
