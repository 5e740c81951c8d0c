#include "proxy/server/kept_commands.h"

#include <gtest/gtest.h>

#include <string>

namespace resplit::server {
namespace {

TEST(KeptCommandsTest, KeepsBytesUntilForgottenInAnyOrder) {
  KeptCommands kept;
  kept.add(1, 7, "first");
  kept.add(2, 8, "second");
  kept.add(3, 7, "third");
  ASSERT_NE(kept.find(2), nullptr);
  EXPECT_EQ(kept.bytes(*kept.find(2)), "second");
  EXPECT_EQ(kept.find(2)->backend_id, 8u);
  EXPECT_EQ(kept.kept_bytes(), 16u);

  kept.forget(2);  // answered out of order: its bytes stay until those before it go
  EXPECT_EQ(kept.find(2), nullptr);
  EXPECT_EQ(kept.bytes(*kept.find(3)), "third");
  kept.forget(1);
  EXPECT_EQ(kept.kept_bytes(), 5u);
  EXPECT_EQ(kept.bytes(*kept.find(3)), "third");
  kept.forget(3);
  EXPECT_TRUE(kept.empty());
  EXPECT_EQ(kept.kept_bytes(), 0u);
  EXPECT_EQ(kept.find(4), nullptr);
  kept.forget(4);  // not kept: nothing happens
}

TEST(KeptCommandsTest, AQueueThatNeverEmptiesKeepsOnlyWhatIsInFlight) {
  KeptCommands kept;
  const std::string command(1000, 'c');
  // Always eight commands in flight, 100,000 sent: 100 MB went through, a few KiB are held.
  for (uint64_t seq = 0; seq < 100'000; ++seq) {
    kept.add(seq, 1, command);
    if (seq >= 8) kept.forget(seq - 8);
    ASSERT_LE(kept.kept_bytes(), 9 * command.size());
    ASSERT_LE(kept.held_bytes(), 2 * (64 * 1024 + 9 * command.size()));
  }
  ASSERT_NE(kept.find(99'999), nullptr);
  EXPECT_EQ(kept.bytes(*kept.find(99'999)), command);
  EXPECT_EQ(kept.bytes(*kept.find(99'992)), command);
}

}  // namespace
}  // namespace resplit::server
