#include "proxy/base/clock.h"

#include <gtest/gtest.h>

namespace resplit {
namespace {

using namespace std::chrono_literals;

TEST(ClockTest, SteadyClockNeverGoesBack) {
  const Clock& clock = Clock::steady();
  auto a = clock.now();
  auto b = clock.now();
  EXPECT_LE(a, b);
}

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
  ManualClock clock;
  auto start = clock.now();
  EXPECT_EQ(clock.now(), start);
  clock.advance(250ms);
  EXPECT_EQ(clock.now() - start, 250ms);
  clock.set(start);
  EXPECT_EQ(clock.now(), start);
}

}  // namespace
}  // namespace resplit
