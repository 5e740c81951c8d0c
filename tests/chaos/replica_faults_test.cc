// C1 and C6: replicas that die under checker load. A SIGKILLed replica leaves read rotation, its
// in-flight reads fail with an error (never a wrong value), and it takes reads again once it has
// synced after its restart; with every replica gone, reads fall back to the master (or, with
// read_policy replica, get resplit's error in their slot), and nothing hangs.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "tests/chaos/battery.h"
#include "tests/integration/proxy_fixture.h"
#include "tests/testing/checker_client.h"
#include "tests/testing/process_probe.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;

class ReplicaFaultsTest : public ProxyFixture {
 protected:
  void SetUp() override {
    ProxyFixture::SetUp();
    if (HasFatalFailure()) return;
    preload_dataset(master().port(), options_);
    ASSERT_TRUE(topology().wait_for_sync());
    std::this_thread::sleep_for(500ms);  // both replicas back in rotation after the preload
  }

  CheckerOptions options_{.sessions = 4, .reader_sessions = 8, .target_ops_per_second = 4000};
};

TEST_F(ReplicaFaultsTest, C1_KilledReplicaFailsOnlyItsInFlightReadsAndReturnsAfterSync) {
  const auto test_start = Clock::now();
  const ProcessBaseline baseline = warmed_baseline(proxy().port(), proxy().pid(), options_);
  Checker checker(proxy().port(), options_);
  checker.start();
  std::this_thread::sleep_for(1s);
  const CheckerCounts before = checker.counts();

  replica(0).kill9();
  const auto killed = Clock::now();
  std::this_thread::sleep_for(4s);
  const CheckerCounts during = checker.counts();
  const long long gets_on_other = command_calls(replica(1), "get");

  replica(0).restart();
  ASSERT_TRUE(topology().wait_for_sync(15s));
  const auto synced = Clock::now();
  const double back_after = seconds_until_gets(replica(0), 0, 100, 10s);
  std::this_thread::sleep_for(1s);
  checker.stop();

  const AuditResult audit = checker.audit(master().port());
  const CheckerCounts c = checker.counts();
  std::cout << checker.figures("C1 replica SIGKILL+restart", audit, proxy().pid()) << "\n"
            << "  read errors at the kill: " << during.read_errors - before.read_errors
            << ", replica down for " << std::chrono::duration<double>(synced - killed).count()
            << " s, reads on it again " << back_after << " s after sync, test "
            << seconds_since(test_start) << " s\n";
  for (const auto& s : c.samples) std::cout << "  sample: " << s << "\n";
  EXPECT_EQ(c.wrong_replies, 0u);
  EXPECT_TRUE(audit.clean()) << describe(audit);
  EXPECT_EQ(audit.lost, 0u);
  EXPECT_GT(gets_on_other, 0);
  // Reads in flight on the killed replica may fail; later ones must not. With 8 sessions of 4
  // reads, at most one round per session can have been on it.
  EXPECT_LE(during.read_errors - before.read_errors,
            (options_.sessions + options_.reader_sessions) * options_.reads_per_round);
  EXPECT_GE(back_after, 0) << "the restarted replica never took reads again";
  EXPECT_LE(back_after, 3.0);
  EXPECT_TRUE(no_leaks_after_fault(baseline, topology()));
}

TEST_F(ReplicaFaultsTest, C6_AllReplicasDownReadsFallBackToTheMasterAndRecover) {
  const auto test_start = Clock::now();
  const ProcessBaseline baseline = warmed_baseline(proxy().port(), proxy().pid(), options_);
  Checker checker(proxy().port(), options_);
  checker.start();
  std::this_thread::sleep_for(1s);
  const CheckerCounts before = checker.counts();

  replica(0).kill9();
  replica(1).kill9();
  std::this_thread::sleep_for(1s);
  const long long master_gets = command_calls(master(), "get");
  const CheckerCounts at_kill = checker.counts();
  std::this_thread::sleep_for(2s);
  const CheckerCounts later = checker.counts();
  const long long master_gets_later = command_calls(master(), "get");

  // read_policy replica: the error takes the read's slot, in order, and nothing hangs.
  ResplitOptions strict;
  strict.config = config_for(topology(), "routing: {read_policy: replica}\n");
  {
    ResplitProcess strict_proxy(strict);
    RedisClient c = strict_proxy.client(2s);
    // (A write last: after it, read-your-writes sends this client's reads to the master.)
    const auto replies = c.pipeline({{"PING"},
                                     {"GET", options_.prefix + "d:1"},
                                     {"GET", options_.prefix + "d:2"},
                                     {"SET", "c6:x", "1"}});
    ASSERT_EQ(replies.size(), 4u);
    EXPECT_EQ(replies[0], Reply::status("PONG"));
    EXPECT_EQ(replies[1], Reply::error("ERR resplit: no routable replica for a read (read_policy: "
                                       "replica)"));
    EXPECT_EQ(replies[2], replies[1]);
    EXPECT_EQ(replies[3], Reply::status("OK"));
  }

  replica(0).restart();
  replica(1).restart();
  ASSERT_TRUE(topology().wait_for_sync(15s));
  const double back_after = seconds_until_gets(replica(0), 0, 100, 10s);
  checker.stop();

  const AuditResult audit = checker.audit(master().port());
  const CheckerCounts c = checker.counts();
  std::cout << checker.figures("C6 all replicas down", audit, proxy().pid()) << "\n"
            << "  read errors at the kill: " << at_kill.read_errors - before.read_errors
            << ", after it: " << later.read_errors - at_kill.read_errors << "; master GETs in 2 s "
            << master_gets_later - master_gets << "; replica back in rotation " << back_after
            << " s after sync; test " << seconds_since(test_start) << " s\n";
  for (const auto& s : c.samples) std::cout << "  sample: " << s << "\n";
  EXPECT_EQ(c.wrong_replies, 0u);
  EXPECT_TRUE(audit.clean()) << describe(audit);
  EXPECT_EQ(later.read_errors, at_kill.read_errors) << "reads failed with no replica up";
  EXPECT_GT(master_gets_later - master_gets, 1000) << "reads did not fall back to the master";
  EXPECT_GE(back_after, 0);
  EXPECT_LE(back_after, 2.0);
  EXPECT_TRUE(no_leaks_after_fault(baseline, topology()));
}

}  // namespace
}  // namespace resplit::testkit::chaos
