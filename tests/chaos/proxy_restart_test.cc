// F3: resplit SIGKILLed under checker load and started again. Clients see broken connections
// only (every write they had in flight is indeterminate, none acknowledged is lost), and the new
// process serves reads and writes within 2 s of its start.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "tests/chaos/battery.h"
#include "tests/chaos/loaded_proxy_fixture.h"
#include "tests/testing/checker_client.h"
#include "tests/testing/reply.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;

class ProxyRestartTest : public LoadedProxyFixture {
 protected:
  ProxyRestartTest()
      : LoadedProxyFixture({.sessions = 8, .reader_sessions = 4, .target_ops_per_second = 4000}) {}
};

TEST_F(ProxyRestartTest, F3_KilledProxyLosesNoAcknowledgedWriteAndServesAgainQuickly) {
  const auto test_start = Clock::now();
  Checker checker(proxy().port(), options_);
  checker.start();
  ASSERT_TRUE(checker.wait_for_acks(2000, 10s));
  const CheckerCounts before = checker.counts();

  proxy().child().kill9();
  const auto killed = Clock::now();
  std::this_thread::sleep_for(500ms);
  const uint64_t acked_while_down = checker.acked_count();

  const auto spawned = Clock::now();
  ResplitOptions options;
  options.config = config_for(topology());
  ResplitProcess restarted(options);
  const double answers_after = seconds_since(spawned);
  checker.set_port(restarted.port());
  const uint64_t acked_at_restart = checker.acked_count();
  ASSERT_TRUE(checker.wait_for_acks(1, 5s)) << "no write went through the new process";
  const double writes_after = seconds_since(spawned);
  std::this_thread::sleep_for(2s);
  checker.stop();

  const AuditResult audit = checker.audit(master().port());
  const CheckerCounts c = checker.counts();
  std::cout << checker.figures("F3 proxy SIGKILL+restart", audit, restarted.pid()) << "\n"
            << "  in flight at the kill: " << c.indeterminate - before.indeterminate
            << " writes indeterminate, " << c.read_errors - before.read_errors
            << " reads failed; new process answered " << answers_after << " s and took writes "
            << writes_after << " s after its start (down for "
            << std::chrono::duration<double>(spawned - killed).count() << " s); test "
            << seconds_since(test_start) << " s\n";
  for (const auto& s : c.samples) std::cout << "  sample: " << s << "\n";
  EXPECT_EQ(c.wrong_replies, 0u);
  EXPECT_TRUE(audit.clean()) << describe(audit);
  EXPECT_EQ(audit.lost, 0u);
  EXPECT_EQ(checker.acked_count(), checker.counts().acked);
  EXPECT_LE(acked_at_restart - acked_while_down, 0u) << "writes acknowledged with no proxy up";
  EXPECT_LE(writes_after, 2.0);
}

}  // namespace
}  // namespace resplit::testkit::chaos
