// D1 and D2 under the checker: a master SIGKILLed, and a master paused past Sentinel's failover
// (a zombie that wakes up), while checker sessions write and read through resplit following
// Sentinel. The audit of the new master counts what the failover cost: no phantom, duplicated or
// reordered write, no misdelivered reply, and no acknowledged write lost beyond those acknowledged
// in the last instant before a SIGKILL (replication is asynchronous: they may not have reached a
// replica; the plain failover tests bound that with WAIT).
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>

#include "tests/chaos/battery.h"
#include "tests/integration/admin_client.h"
#include "tests/integration/sentinel_proxy_fixture.h"
#include "tests/testing/checker_client.h"
#include "tests/testing/reply.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;

class FailoverAuditTest : public SentinelProxyFixture {
 protected:
  CheckerOptions options_{.sessions = 4, .reader_sessions = 4, .target_ops_per_second = 3000,
                          .client_timeout = 15s};

  // resplit_master_changes_total: H2 wants it to move by exactly one per failover.
  double master_changes() {
    return scrape(proxy().admin_port()).value("resplit_master_changes_total");
  }

  void print(const Checker& checker, const AuditResult& audit, const std::string& name,
             const std::string& extra) {
    std::cout << checker.figures(name, audit, proxy().pid()) << "\n  " << extra << "\n";
    for (const auto& s : checker.counts().samples) std::cout << "  sample: " << s << "\n";
    if (!audit.samples.empty()) std::cout << describe(audit) << "\n";
  }
};

TEST_F(FailoverAuditTest, D1_KilledMasterFailoverAuditIsClean) {
  const auto test_start = Clock::now();
  preload_dataset(master().port(), options_);
  ASSERT_TRUE(topology().wait_for_sync());
  Checker checker(proxy().port(), options_);
  checker.start();
  ASSERT_TRUE(checker.wait_for_acks(2000, 20s));
  const uint64_t acked_100ms_before = checker.acked_count();
  std::this_thread::sleep_for(100ms);
  const uint64_t acked_at_kill = checker.acked_count();
  const double changes_before = master_changes();
  master().kill9();
  const auto killed = Clock::now();
  std::string why;
  const uint16_t new_port = topology().wait_for_master_switch(master().port(), 60s, &why);
  ASSERT_NE(new_port, 0) << why;
  const double switched_after = seconds_since(killed);
  ASSERT_TRUE(checker.wait_for_acks(1000, 30s)) << "writes did not resume on the new master";
  const double resumed_after = seconds_since(killed);
  checker.stop();

  const AuditResult audit = checker.audit(new_port);
  const CheckerCounts c = checker.counts();
  const uint64_t last_instant = acked_at_kill - acked_100ms_before;
  print(checker, audit, "D1 master SIGKILL, Sentinel failover (checker)",
        "Sentinels switched " + std::to_string(switched_after) + " s after the kill, 1000 more "
        "writes acked by " + std::to_string(resumed_after) + " s; acked in the last 100 ms "
        "before the kill: " + std::to_string(last_instant) + "; test " +
        std::to_string(seconds_since(test_start)) + " s");
  EXPECT_EQ(c.wrong_replies, 0u);
  EXPECT_EQ(audit.phantom, 0u);
  EXPECT_EQ(audit.duplicates, 0u);
  EXPECT_EQ(audit.order_violations, 0u);
  EXPECT_EQ(audit.foreign, 0u);
  EXPECT_LE(audit.lost, last_instant);
  EXPECT_EQ(master_changes() - changes_before, 1);
}

TEST_F(FailoverAuditTest, D2_ZombieMasterTakesNoWriteAfterTheSwitch) {
  const auto test_start = Clock::now();
  preload_dataset(master().port(), options_);
  ASSERT_TRUE(topology().wait_for_sync());
  Checker checker(proxy().port(), options_);
  checker.start();
  ASSERT_TRUE(checker.wait_for_acks(2000, 20s));
  const double changes_before = master_changes();
  master().pause();  // throws if the state T is not reached
  std::string why;
  const uint16_t new_port = topology().wait_for_master_switch(master().port(), 60s, &why);
  master().resume();
  ASSERT_NE(new_port, 0) << why;
  // The zombie is awake and still believes it is the master until Sentinel tells it otherwise.
  ASSERT_TRUE(checker.wait_for_acks(2000, 30s)) << "writes did not resume on the new master";
  checker.stop();

  const AuditResult audit = checker.audit(new_port);
  const CheckerCounts c = checker.counts();
  print(checker, audit, "D2 zombie master (SIGSTOP past the failover, checker)",
        "test " + std::to_string(seconds_since(test_start)) + " s");
  EXPECT_EQ(c.wrong_replies, 0u);
  EXPECT_TRUE(audit.clean()) << describe(audit);
  EXPECT_EQ(audit.lost, 0u);
  EXPECT_EQ(master_changes() - changes_before, 1);
}

}  // namespace
}  // namespace resplit::testkit::chaos
