// D1 and D2 under the checker: a master SIGKILLed, and a master paused past Sentinel's failover
// (a zombie that wakes up), while checker sessions write and read through resplit following
// Sentinel. The audit of the new master counts what the failover cost: no phantom, duplicated or
// reordered write, no misdelivered reply, and no acknowledged write lost beyond those acknowledged
// in the last instant before a SIGKILL (replication is asynchronous: they may not have reached a
// replica; the plain failover tests bound that with WAIT).
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <future>
#include <iostream>
#include <string>
#include <thread>

#include "tests/chaos/battery.h"
#include "tests/chaos/proxy_master_log.h"
#include "tests/integration/admin_client.h"
#include "tests/integration/proxy_fixture.h"
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

  struct ZombieRun {
    AuditResult audit;
    CheckerCounts counts;
    double master_changes = 0;  // resplit_master_changes_total over the run
  };
  // D2 under the checker: the master paused past Sentinel's failover and woken once the Sentinels
  // (with `await_proxy`, resplit too) name the new master; then the audit of the new master.
  ZombieRun run_zombie(const std::string& name, bool await_proxy) {
    const auto test_start = Clock::now();
    ZombieRun run;
    preload_dataset(master().port(), options_);
    EXPECT_TRUE(topology().wait_for_sync());
    const ProxyMasterLog proxy_master(proxy().admin_port());
    Checker checker(proxy().port(), options_);
    checker.start();
    EXPECT_TRUE(checker.wait_for_acks(2000, 20s));
    const double changes_before = master_changes();
    const auto paused_at = Clock::now();
    master().pause();  // throws if the state T is not reached
    std::string why;
    const uint16_t new_port = topology().wait_for_master_switch(master().port(), 60s, &why);
    bool proxy_switched = !await_proxy;
    for (int i = 0; i < 400 && !proxy_switched; ++i) {  // 20 s at most
      proxy_switched = proxy_master.switched_after(paused_at, master().address()).has_value();
      if (!proxy_switched) std::this_thread::sleep_for(50ms);
    }
    master().resume();
    EXPECT_NE(new_port, 0) << why;
    EXPECT_TRUE(proxy_switched) << "resplit did not name the new master within 20 s";
    // The zombie is awake and still believes it is the master until Sentinel tells it otherwise.
    EXPECT_TRUE(checker.wait_for_acks(2000, 30s)) << "writes did not resume on the new master";
    checker.stop();
    if (new_port == 0) return run;
    run.audit = checker.audit(new_port);
    run.counts = checker.counts();
    run.master_changes = master_changes() - changes_before;
    print(checker, run.audit, name, "test " + std::to_string(seconds_since(test_start)) + " s");
    return run;
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
  // Under load a Sentinel may fail the new master over once more at once (it tries a failover of
  // the master it has just switched to, from down flags of the old one); the audit then reads the
  // master the Sentinels name at the end, and resplit has followed two switches.
  const uint16_t final_port = topology().wait_for_master_switch(master().port(), 10s, &why);
  ASSERT_NE(final_port, 0) << why;
  const int sentinel_switches = final_port == new_port ? 1 : 2;
  if (sentinel_switches == 2) {
    std::cout << "  Sentinel failed over a second time, to port " << final_port << "\n";
  }

  const AuditResult audit = checker.audit(final_port);
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
  EXPECT_EQ(master_changes() - changes_before, sentinel_switches);
}

TEST_F(FailoverAuditTest, D2_ZombieMasterTakesNoWriteAfterTheSwitch) {
  const ZombieRun run = run_zombie("D2 zombie master (SIGSTOP past the failover, checker)", false);
  EXPECT_EQ(run.counts.wrong_replies, 0u);
  EXPECT_TRUE(run.audit.clean()) << describe(run.audit);
  EXPECT_EQ(run.audit.lost, 0u);
  EXPECT_EQ(run.master_changes, 1);
}

// A command timeout longer than the failover: writes a paused master holds in its socket are still
// awaited when it wakes up after resplit has moved to the new master, and it answers them OK. They
// ran on a node that is no longer the master and are gone with its next sync, so resplit must
// not pass that OK on: the client hears "outcome unknown" instead (indeterminate, never lost).
// Whether the zombie answers them or its connections close first (resplit drops a node Sentinel
// stops listing; Sentinel kills a reconfigured node's clients) is a race; MovedMasterTest below
// takes the first path always.
class LongTimeoutFailoverTest : public FailoverAuditTest {
 protected:
  std::string timeouts_config() const override { return "{command: 30s, failover_wait: 60s}"; }
};

TEST_F(LongTimeoutFailoverTest, D2_ZombieAnswersAfterTheSwitchAreNotAcknowledgements) {
  const ZombieRun run =
      run_zombie("D2 zombie master answering after the switch (command timeout 30 s)", true);
  EXPECT_EQ(run.counts.wrong_replies, 0u);
  EXPECT_TRUE(run.audit.clean()) << describe(run.audit);
  EXPECT_GT(run.audit.indeterminate, 0u) << "no write was waiting on the paused master";
}

// The master moved by a config reload while the old one hangs with writes in its socket: the old
// node stays in the config (as a replica), so its connections stay, and it answers OK once awake.
// Those writes are not on the successor; every client hears "outcome unknown", whether resplit
// already trusts the successor or still waits for its ROLE to say master.
class MovedMasterTest : public ProxyFixture {
 protected:
  std::string proxy_config() const override { return "timeouts: {command: 30s}\n"; }

  // Pauses the master with two writes and a PING of one client waiting in its socket until
  // resplit finds it down, names replica 0 as the master in a reloaded config (promoted first
  // when `promote_first`), wakes the old master once resplit no longer trusts it, and returns
  // what the client got.
  std::vector<Reply> writes_held_across_a_move(bool promote_first) {
    const ProxyMasterLog proxy_master(proxy().admin_port());
    EXPECT_EQ(proxy().client().command({"SET", "before", "1"}), Reply::status("OK"));
    const std::string old_master = master().address();
    const auto paused_at = Clock::now();
    master().pause();
    auto writes = std::async(std::launch::async, [this] {
      return proxy().client(40s).pipeline({{"SET", "held:1", "x"}, {"INCR", "held:2"}, {"PING"}});
    });
    // The writes wait in the paused master's socket while resplit's polls of it fail (hung).
    bool down = false;
    for (int i = 0; i < 100 && !down; ++i) {  // 5 s at most
      std::this_thread::sleep_for(50ms);
      down = scrape(proxy().admin_port())
                 .sum("resplit_backend_up", "backend=\"" + old_master + "\"") == 0;
    }
    EXPECT_TRUE(down) << "resplit never saw the paused master fail a poll";

    if (promote_first) {
      EXPECT_EQ(replica(0).client().command({"REPLICAOF", "NO", "ONE"}), Reply::status("OK"));
    }
    proxy().write_config(
        static_config(replica(0).address(), {old_master, replica(1).address()}, proxy_config()));
    proxy().signal(SIGHUP);
    // Promoted: resplit trusts the successor. Not yet: it trusts no master until the
    // successor's ROLE says master.
    const auto moved = [&](const std::string& m) {
      return promote_first ? m == replica(0).address() : m.empty();
    };
    bool trusted_moved = false;
    for (int i = 0; i < 200 && !trusted_moved; ++i) {  // 10 s at most
      trusted_moved = proxy_master.first_after(paused_at, moved).has_value();
      if (!trusted_moved) std::this_thread::sleep_for(50ms);
    }
    master().resume();
    EXPECT_TRUE(trusted_moved) << "resplit's master did not move\n" << proxy().log_tail();
    std::vector<Reply> replies = writes.get();
    if (promote_first) {
      // Promoted before the old master ran them: the successor never gets them.
      EXPECT_EQ(replica(0).client().command({"EXISTS", "held:1", "held:2"}), Reply::number(0));
    } else {
      // Still its replica when they ran: it has them. Unknown was the honest answer either way.
      EXPECT_EQ(replica(0).client().command({"REPLICAOF", "NO", "ONE"}), Reply::status("OK"));
    }
    return replies;
  }

  void expect_outcome_unknown(const std::vector<Reply>& replies) {
    const Reply unknown = Reply::error(
        "ERR resplit: answered by a master no longer trusted, outcome of the command unknown");
    ASSERT_EQ(replies.size(), 3u);
    EXPECT_EQ(replies[0], unknown);
    EXPECT_EQ(replies[1], unknown);
    EXPECT_EQ(replies[2], Reply::status("PONG"));  // not a write: passed on as it came
    // Writes go to the successor once it is master.
    RedisClient client = proxy().client();
    Reply after;
    for (int i = 0; i < 100 && after != Reply::status("OK"); ++i) {
      after = client.command({"SET", "after", "1"});
      if (after != Reply::status("OK")) std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(after, Reply::status("OK"));
    EXPECT_EQ(replica(0).client().command({"GET", "after"}), Reply::bulk("1"));
  }
};

TEST_F(MovedMasterTest, WritesTheFormerMasterAnswersAfterTheMoveAreNotAcknowledged) {
  expect_outcome_unknown(writes_held_across_a_move(/*promote_first=*/true));
}

TEST_F(MovedMasterTest, WritesAnsweredWhileNoMasterIsTrustedAreNotAcknowledged) {
  expect_outcome_unknown(writes_held_across_a_move(/*promote_first=*/false));
}

}  // namespace
}  // namespace resplit::testkit::chaos
