// Consistency through resplit against a real master and two replicas: a read pipelined behind a
// write of the same key, read-your-writes while a replica pauses, and WAIT answered from the
// replicas' offsets with Redis's own replies for bad arguments. Each test prints its figures.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/proxy_fixture.h"
#include "tests/testing/reply.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

class ConsistencyTest : public ProxyFixture {
 protected:
  // Until resplit has polled both replicas and counts them for a fresh write (it answers PING
  // before its first poll round is done).
  void SetUp() override {
    ProxyFixture::SetUp();
    if (HasFatalFailure()) return;
    auto c = client();
    const auto deadline = Clock::now() + 10s;
    while (Clock::now() < deadline) {
      if (c.command({"SET", "warm-up", "1"}) == Reply::status("OK") &&
          c.command({"WAIT", "2", "100"}) == Reply::number(2)) {
        return;
      }
    }
    FAIL() << "resplit did not count both replicas within 10 s; resplit pid " << proxy().pid()
           << " state " << proxy().child().state() << " port " << proxy().port();
  }
  long long replica_gets() { return calls(replica(0), "get") + calls(replica(1), "get"); }
  long long master_gets() { return calls(master(), "get"); }
};

TEST_F(ConsistencyTest, GetPipelinedBehindSetAlwaysSeesTheValue) {
  constexpr int kClients = 4;
  constexpr int kTriesPerClient = 2500;
  const long long master_before = master_gets();
  const long long replicas_before = replica_gets();
  std::atomic<int> wrong{0}, errors{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      RedisClient client = proxy().client(10s);
      const std::string key = "pipelined:" + std::to_string(c);
      for (int i = 0; i < kTriesPerClient; ++i) {
        const std::string value = std::to_string(c) + "-" + std::to_string(i);
        const auto replies = client.pipeline({{"SET", key, value}, {"GET", key}});
        if (replies.size() != 2 || !replies[0].from_server() || !replies[1].from_server()) {
          ++errors;
          if (!client.connected() && !client.reconnect()) return;
          continue;
        }
        if (replies[0] != Reply::status("OK") || replies[1] != Reply::bulk(value)) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  const long long reads = kClients * kTriesPerClient;
  const long long on_master = master_gets() - master_before;
  const long long on_replicas = replica_gets() - replicas_before;
  std::printf("pipelined SET+GET tries: %lld; wrong: %d; errors: %d; GET calls on master: %lld, "
              "on replicas: %lld; reads answered by replicas: %.1f%%\n",
              reads, wrong.load(), errors.load(), on_master, on_replicas,
              100.0 * double(reads - on_master) / double(reads));
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(errors.load(), 0);
}

TEST_F(ConsistencyTest, ReadYourWritesHoldsWhileAReplicaPauses) {
  constexpr int kSessions = 16;
  constexpr int kPairsPerSession = 6250;  // 100,000 pairs in all
  constexpr auto kTimeLimit = 240s;
  const auto started = Clock::now();
  const long long master_before = master_gets();
  std::atomic<long long> pairs{0}, reads{0}, missed{0}, errors{0};
  std::vector<std::thread> threads;
  for (int s = 0; s < kSessions; ++s) {
    threads.emplace_back([&, s] {
      RedisClient client = proxy().client(10s);
      const std::string key = "ryw:" + std::to_string(s);
      for (int i = 0; i < kPairsPerSession && Clock::now() - started < kTimeLimit; ++i) {
        const std::string value = std::to_string(s) + ":" + std::to_string(i);
        const Reply set = client.command({"SET", key, value});
        if (set != Reply::status("OK")) {
          ++errors;
          if (!client.connected() && !client.reconnect()) return;
          continue;
        }
        const Reply got = client.command({"GET", key});
        ++pairs;
        if (got.type == Reply::Type::kString || got.type == Reply::Type::kNil) {
          ++reads;
          if (got != Reply::bulk(value)) ++missed;
        } else {
          ++errors;  // a read stuck on the paused replica past the command deadline
          if (!client.connected() && !client.reconnect()) return;
        }
      }
    });
  }
  // Midway, pause one replica for 2 s.
  while (pairs.load() < kSessions * kPairsPerSession / 2 && Clock::now() - started < kTimeLimit) {
    std::this_thread::sleep_for(5ms);
  }
  const double paused_at = ms_since(started);
  replica(0).pause();
  std::this_thread::sleep_for(2s);
  replica(0).resume();
  for (auto& t : threads) t.join();
  const long long on_master = master_gets() - master_before;
  std::printf("read-your-writes: %lld write-then-read pairs by %d sessions in %.0f ms (replica "
              "paused at %.0f ms for 2 s); reads: %lld; missed own write: %lld; errors: %lld; "
              "GETs on master: %lld; reads answered by replicas: %.1f%%\n",
              pairs.load(), kSessions, ms_since(started), paused_at, reads.load(), missed.load(),
              errors.load(), on_master,
              100.0 * double(reads.load() - on_master) / double(std::max(1LL, reads.load())));
  EXPECT_EQ(missed.load(), 0);
  // Only a read already sent to the replica when it stopped may time out: one per session.
  EXPECT_LE(errors.load(), kSessions);
  EXPECT_GE(pairs.load(), kSessions * kPairsPerSession - kSessions);
}

TEST_F(ConsistencyTest, WaitCountsReplicasFromTheirOffsets) {
  auto c = client();
  c.set_timeout(10s);
  EXPECT_EQ(c.command({"SET", "waited", "1"}), Reply::status("OK"));
  auto start = Clock::now();
  EXPECT_EQ(c.command({"WAIT", "2", "1000"}), Reply::number(2));
  std::printf("WAIT 2 1000 with both replicas up: answered in %.1f ms\n", ms_since(start));

  replica(1).pause();
  EXPECT_EQ(c.command({"SET", "waited", "2"}), Reply::status("OK"));
  start = Clock::now();
  EXPECT_EQ(c.command({"WAIT", "2", "1000"}), Reply::number(1));
  const double waited = ms_since(start);
  std::printf("WAIT 2 1000 with one replica paused: 1 after %.1f ms\n", waited);
  EXPECT_GE(waited, 950.0);
  EXPECT_EQ(c.command({"WAIT", "1", "1000"}), Reply::number(1));
  replica(1).resume();
  ASSERT_TRUE(topology().wait_for_sync());
}

TEST_F(ConsistencyTest, WaitArgumentsAreAnsweredLikeRedis) {
  auto proxied = client();
  auto direct = master().client();
  const std::vector<std::vector<std::string>> cases = {
      {"WAIT", "a", "b"},   {"WAIT", "1", "a"}, {"WAIT", "1", "-1"},
      {"WAIT", "1", "1.5"}, {"WAIT", "x", "-1"}, {"WAIT", "1"},
      {"WAIT", "1", "2", "3"}, {"WAIT", "99999999999999999999", "1"},
  };
  // Counts: Redis answers from its replicas' last ACKs (sent once a second), resplit from their
  // offsets; with nothing written by this client both replicas count.
  for (const auto& args : {std::vector<std::string>{"WAIT", "0", "0"},
                           std::vector<std::string>{"WAIT", "-1", "0"}}) {
    const Reply want = direct.command(args);
    const auto start = Clock::now();
    const Reply got = proxied.command(args);
    std::printf("%s %s %s -> redis: %s, resplit: %s in %.1f ms\n", args[0].c_str(), args[1].c_str(),
                args[2].c_str(), to_string(want).c_str(), to_string(got).c_str(), ms_since(start));
    EXPECT_EQ(want.type, Reply::Type::kInteger);
    EXPECT_EQ(got, Reply::number(2));
  }
  for (const auto& args : cases) {
    std::string line;
    for (const auto& a : args) line += a + " ";
    const Reply want = direct.command(args);
    const Reply got = proxied.command(args);
    std::printf("%s-> redis: %s, resplit: %s\n", line.c_str(), to_string(want).c_str(),
                to_string(got).c_str());
    EXPECT_EQ(got, want) << line;
  }
}

}  // namespace
}  // namespace resplit::testkit
