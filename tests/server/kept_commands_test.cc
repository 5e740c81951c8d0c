#include "proxy/server/kept_commands.h"

#include <string>

#include <gtest/gtest.h>

namespace resplit::server {
namespace {

TEST(KeptCommandsTest, TakesWhatWasKeptOnceInAnyOrder) {
  KeptCommands kept;
  kept.keep(1, "GET a", 10, 7);
  kept.keep(2, "GET bb", 20, 8);
  kept.keep(3, "GET ccc", 0, 9);
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

TEST(KeptCommandsTest, TakenBytesStayValidUntilTheNextKeep) {
  KeptCommands kept;
  kept.keep(1, "SET x", 0, 0);
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
  for (; next < 4; ++next) kept.keep(next, text(next), 0, 0);
  for (int round = 0; round < 10000; ++round, ++next, ++oldest) {
    KeptCommands::Kept k;
    ASSERT_TRUE(kept.take(oldest, k));
    ASSERT_EQ(k.command, text(oldest));
    kept.keep(next, text(next), 0, 0);
  }
  EXPECT_FALSE(kept.empty());
  EXPECT_LT(kept.buffered_bytes(), 64u * 1024);
}

}  // namespace
}  // namespace resplit::server
