#include "proxy/server/kept_commands.h"

#include <string>

#include <gtest/gtest.h>

namespace resplit::server {
namespace {

TEST(KeptCommandsTest, TakesWhatWasKeptOnceInAnyOrder) {
  KeptCommands kept;
  kept.add(1, 7, "GET a", 10);
  kept.add(2, 8, "GET bb", 20);
  kept.add(3, 9, "GET ccc", 0);
  KeptCommands::Kept k;
  ASSERT_TRUE(kept.take(2, k));
  EXPECT_EQ(k.command, "GET bb");
  EXPECT_EQ(k.required_offset, 20u);
  EXPECT_EQ(k.backend_id, 8u);
  EXPECT_FALSE(kept.take(2, k));
  ASSERT_TRUE(kept.take(1, k));
  EXPECT_EQ(k.command, "GET a");
  EXPECT_FALSE(kept.empty());
  ASSERT_TRUE(kept.take(3, k));
  EXPECT_EQ(k.command, "GET ccc");
  EXPECT_TRUE(kept.empty());
  EXPECT_FALSE(kept.take(4, k));
}

TEST(KeptCommandsTest, TakenBytesStayValidUntilTheNextAdd) {
  KeptCommands kept;
  kept.add(1, 0, "SET x", 0);
  KeptCommands::Kept k;
  ASSERT_TRUE(kept.take(1, k));
  EXPECT_TRUE(kept.empty());
  EXPECT_EQ(k.command, "SET x");  // the buffer is reset only by the next keep()
}

// A client that never stops pipelining always has something kept: answered bytes are dropped
// from the front as it goes, and every command still reads back whole.
TEST(KeptCommandsTest, EndlessPipelineKeepsItsBytesBounded) {
  KeptCommands kept;
  const std::string command(1000, 'r');
  auto text = [&](uint64_t seq) { return command + std::to_string(seq); };
  uint64_t next = 0;
  uint64_t oldest = 0;
  for (; next < 4; ++next) kept.add(next, 0, text(next), 0);
  for (int round = 0; round < 10000; ++round, ++next, ++oldest) {
    KeptCommands::Kept k;
    ASSERT_TRUE(kept.take(oldest, k));
    ASSERT_EQ(k.command, text(oldest));
    kept.add(next, 0, text(next), 0);
  }
  EXPECT_FALSE(kept.empty());
  EXPECT_LT(kept.held_bytes(), 64u * 1024);
}

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
