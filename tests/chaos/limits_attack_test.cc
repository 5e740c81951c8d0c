// A6: configured protocol limits. Input over a limit gets Redis's own protocol error and the
// connection is closed, as Redis does; input within them passes; and counts on the wire size
// nothing: connections announcing 2,000,000,000 elements or a 512 MiB bulk cost no memory up front.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "tests/chaos/battery.h"
#include "tests/chaos/probe.h"
#include "tests/integration/proxy_fixture.h"
#include "tests/testing/raw_client.h"
#include "tests/testing/reply.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;

struct LimitCase {
  std::string name;
  std::string input;
  std::string reply;  // exact bytes expected before the close
  bool closed;
};

class LimitsAttackTest : public ProxyFixture {
 protected:
  std::string proxy_config() const override {
    return "limits: {max_bulk_length: 1MiB, max_multibulk_length: 1000, max_inline_length: 1KiB, "
           "max_query_buffer: 4MiB}\n";
  }
};

TEST_F(LimitsAttackTest, A6_OverLimitInputGetsRedisErrorAndCloseWithinLimitPasses) {
  const auto test_start = Clock::now();
  const std::string mib(1 << 20, 'x');
  const std::vector<LimitCase> cases = {
      {"array over max_multibulk_length", "*1001\r\n",
       "-ERR Protocol error: invalid multibulk length\r\n", true},
      {"array at max_multibulk_length", "*1000\r\n" + [] {
         std::string args = "$4\r\nECHO\r\n$1\r\nx\r\n";
         for (int i = 2; i < 1000; ++i) args += "$1\r\ny\r\n";
         return args;
       }(),
       "-ERR wrong number of arguments for 'echo' command\r\n", false},
      {"bulk over max_bulk_length", "*2\r\n$4\r\nECHO\r\n$1048577\r\n",
       "-ERR Protocol error: invalid bulk length\r\n", true},
      {"bulk at max_bulk_length", "*2\r\n$4\r\nECHO\r\n$1048576\r\n" + mib + "\r\n",
       "$1048576\r\n" + mib + "\r\n", false},
      {"inline over max_inline_length", std::string(2048, 'A'),
       "-ERR Protocol error: too big inline request\r\n", true},
      {"inline within max_inline_length", "ECHO " + std::string(1000, 'i') + "\r\n",
       "$1000\r\n" + std::string(1000, 'i') + "\r\n", false},
  };
  size_t matched = 0;
  for (const LimitCase& c : cases) {
    RawClient client(proxy().port());
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send(c.input)) << c.name;
    // A closing case reads until the close; an open one until its reply (generous deadlines:
    // a loaded machine is slow, not wrong).
    const auto got = c.closed ? client.read_for(5s) : client.read_until(1, 5s);
    const bool ok = got.bytes == c.reply && got.closed == c.closed;
    matched += ok;
    EXPECT_EQ(escape(got.bytes), escape(c.reply)) << c.name;
    EXPECT_EQ(got.closed, c.closed) << c.name;
  }
  std::cout << "FIGURES A6 configured limits: " << matched << " of " << cases.size()
            << " cases answered as Redis does (reply bytes and close); test "
            << seconds_since(test_start) << " s\n";
  // resplit survives all of it.
  RedisClient after = client();
  EXPECT_EQ(after.command({"PING"}), Reply::status("PONG"));
}

// With Redis's default limits: counts that a naive parser would allocate from.
TEST_F(LimitsAttackTest, A6_HugeCountsAllocateNothingUpFront) {
  constexpr int kConnections = 100;
  ResplitOptions defaults;
  defaults.config = config_for(topology());
  ResplitProcess proxy(defaults);
  {
    RedisClient warm = proxy.client();
    for (int i = 0; i < 100; ++i) ASSERT_EQ(warm.command({"PING"}), Reply::status("PONG"));
  }
  // Every connection costs its buffers; the control group, holding a small partial frame each,
  // measures that, so that only memory sized from the counts remains.
  const long before = process_rss_kib(proxy.pid());
  std::vector<std::unique_ptr<RawClient>> control;
  for (int i = 0; i < kConnections; ++i) {
    control.push_back(std::make_unique<RawClient>(proxy.port()));
    ASSERT_TRUE(control.back()->connected());
    ASSERT_TRUE(control.back()->send("*2\r\n$3\r\nSET\r\n$5\r\nab"));
  }
  for (auto& c : control) c->read_for(20ms);
  const long with_control = process_rss_kib(proxy.pid());
  std::vector<std::unique_ptr<RawClient>> attackers;
  for (int i = 0; i < kConnections; ++i) {
    attackers.push_back(std::make_unique<RawClient>(proxy.port()));
    ASSERT_TRUE(attackers.back()->connected());
    ASSERT_TRUE(attackers.back()->send(i % 2 == 0 ? "*2000000000\r\n"
                                                  : "*2\r\n$3\r\nSET\r\n$536870912\r\n"));
  }
  size_t answered = 0, closed = 0;
  for (auto& a : attackers) {
    const auto got = a->read_for(20ms);
    answered += !got.bytes.empty();
    closed += got.closed;
  }
  const long during = process_rss_kib(proxy.pid());
  RedisClient other = proxy.client();
  EXPECT_EQ(other.command({"PING"}), Reply::status("PONG"));
  std::cout << "FIGURES A6 count attack: " << kConnections
            << " connections announcing 2e9 elements or a 512 MiB bulk: RSS +" << during - with_control
            << " KiB, against +" << with_control - before << " KiB for as many holding a 12-byte "
            << "partial frame; " << answered
            << " answered, " << closed << " closed (Redis waits silently)\n";
  EXPECT_LT((during - with_control) - (with_control - before), 2048)
      << "memory sized from a count on the wire";
  EXPECT_EQ(answered, 0u);
  EXPECT_EQ(closed, 0u);
}

}  // namespace
}  // namespace resplit::testkit::chaos
