#include "proxy/server/reply_queue.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace resplit::server {
namespace {

// Takes every released byte, in order, as the session's writer does.
std::string drain(ReplyQueue& q) {
  std::string all, buffer;
  while (q.has_ready()) {
    buffer.clear();
    q.take_ready(buffer);
    all += buffer;
  }
  return all;
}

TEST(ReplyQueueTest, InOrderRepliesGoStraightToTheOutput) {
  ReplyQueue q;
  auto a = q.push();
  auto b = q.push();
  EXPECT_TRUE(q.complete(a, "+A\r\n"));
  EXPECT_EQ(q.buffered_bytes(), 4u);
  EXPECT_TRUE(q.complete(b, "+B\r\n"));
  EXPECT_TRUE(q.idle());
  EXPECT_EQ(q.buffered_bytes(), 8u);
  EXPECT_EQ(drain(q), "+A\r\n+B\r\n");
  EXPECT_EQ(q.buffered_bytes(), 0u);
}

TEST(ReplyQueueTest, LaterReplyWaitsForEarlierOne) {
  ReplyQueue q;
  auto a = q.push();
  auto b = q.push();
  auto c = q.push();
  EXPECT_TRUE(q.complete(c, ":3\r\n"));
  EXPECT_TRUE(q.complete(b, ":2\r\n"));
  EXPECT_FALSE(q.has_ready());
  EXPECT_EQ(q.buffered_bytes(), 8u);
  EXPECT_EQ(q.waiting(), 3u);
  EXPECT_TRUE(q.complete(a, ":1\r\n"));
  EXPECT_EQ(drain(q), ":1\r\n:2\r\n:3\r\n");
  EXPECT_TRUE(q.idle());
}

TEST(ReplyQueueTest, DiscardingSlotsSwallowTheirReplyButKeepOrder) {
  ReplyQueue q;
  auto a = q.push(/*discard=*/true);
  auto b = q.push();
  EXPECT_TRUE(q.complete(b, "+B\r\n"));
  EXPECT_FALSE(q.has_ready());
  EXPECT_TRUE(q.complete(a, "+A\r\n"));
  EXPECT_EQ(drain(q), "+B\r\n");
}

TEST(ReplyQueueTest, RejectsUnknownAndRepeatedCompletions) {
  ReplyQueue q;
  auto a = q.push();
  auto b = q.push();
  EXPECT_TRUE(q.complete(b, "+B\r\n"));
  EXPECT_FALSE(q.complete(b, "+again\r\n"));
  EXPECT_FALSE(q.complete(b + 5, "+future\r\n"));
  EXPECT_TRUE(q.complete(a, "+A\r\n"));
  EXPECT_FALSE(q.complete(a, "+late\r\n"));
  EXPECT_EQ(drain(q), "+A\r\n+B\r\n");
}

TEST(ReplyQueueTest, LocalRepliesTakeTheirTurn) {
  ReplyQueue q;
  auto a = q.push();
  q.push_ready("+PONG\r\n");
  EXPECT_FALSE(q.has_ready());
  q.complete(a, "$1\r\nx\r\n");
  EXPECT_EQ(drain(q), "$1\r\nx\r\n+PONG\r\n");
}

// Thousands of slots completed in a random order come out in push order, across ring growth.
TEST(ReplyQueueTest, RandomCompletionOrderAlwaysReleasesInPushOrder) {
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    ReplyQueue q;
    const int n = 1 + static_cast<int>(rng() % 3000);
    std::vector<ReplyQueue::Seq> seqs;
    for (int i = 0; i < n; ++i) seqs.push_back(q.push());
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    std::string expected;
    for (int i = 0; i < n; ++i) expected += ":" + std::to_string(i) + "\r\n";
    for (int i : order) ASSERT_TRUE(q.complete(seqs[i], ":" + std::to_string(i) + "\r\n"));
    EXPECT_EQ(drain(q), expected);
    EXPECT_TRUE(q.idle());
  }
}

TEST(ReplyQueueTest, InterleavedPushAndCompleteKeepOrderWithRingWrap) {
  ReplyQueue q;
  std::string expected;
  std::vector<ReplyQueue::Seq> open;
  int next = 0;
  for (int step = 0; step < 10000; ++step) {
    if (open.size() < 5) {
      open.push_back(q.push());
      expected += ":" + std::to_string(next++) + "\r\n";
    } else {
      // Complete the newest first, then the rest oldest first.
      for (size_t i = open.size(); i-- > 1;) {
        q.complete(open[i], ":" + std::to_string(next - int(open.size()) + int(i)) + "\r\n");
      }
      q.complete(open[0], ":" + std::to_string(next - int(open.size())) + "\r\n");
      open.clear();
    }
  }
  for (size_t i = 0; i < open.size(); ++i) {
    q.complete(open[i], ":" + std::to_string(next - int(open.size()) + int(i)) + "\r\n");
  }
  EXPECT_EQ(drain(q), expected);
}

TEST(ReplyQueueTest, TrimReleasesMemoryOnlyWhenIdle) {
  ReplyQueue q;
  std::vector<ReplyQueue::Seq> seqs;
  for (int i = 0; i < 1000; ++i) seqs.push_back(q.push());
  q.trim();  // not idle: nothing happens
  for (auto s : seqs) q.complete(s, "+OK\r\n");
  EXPECT_EQ(drain(q).size(), 5000u);
  q.trim();
  EXPECT_TRUE(q.idle());
  auto s = q.push();
  q.complete(s, "+OK\r\n");
  EXPECT_EQ(drain(q), "+OK\r\n");
}

// A client that reads nothing while big replies arrive: its backlog is kept as a list of buffers
// of about 1 MiB (none copied again as the backlog grows), handed out oldest first.
TEST(ReplyQueueTest, ABigBacklogIsKeptInBuffersOfAboutOneMebibyte) {
  ReplyQueue q;
  std::string expected;
  for (int i = 0; i < 40; ++i) {
    const std::string reply = "$100000\r\n" + std::string(100000, 'a' + i % 26) + "\r\n";
    expected += reply;
    q.push_ready(reply);
  }
  EXPECT_EQ(q.buffered_bytes(), expected.size());
  EXPECT_EQ(q.only_ready(), nullptr) << "full buffers wait ahead of the open one";
  std::string all, buffer;
  int buffers = 0;
  while (q.has_ready()) {
    buffer.clear();
    q.take_ready(buffer);
    EXPECT_LT(buffer.size(), 1024u * 1024 + 100020);
    all += buffer;
    ++buffers;
  }
  EXPECT_EQ(all, expected);
  EXPECT_GE(buffers, 3);
  EXPECT_EQ(q.buffered_bytes(), 0u);
  ASSERT_NE(q.only_ready(), nullptr);
}

}  // namespace
}  // namespace resplit::server
