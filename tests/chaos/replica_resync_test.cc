// C5 and D7: replicas that resynchronise under checker load.
//  C5: a replica restarted empty in front of a 200 MB dataset: it transfers and then loads the
//      master's snapshot, answering -LOADING meanwhile. No client may see -LOADING
//      or -MASTERDOWN, and it may serve no read before it is whole again. (Reads that reach it
//      before resplit's next poll are refused with -LOADING; resplit asks the master instead.)
//  D7: the replication link of a replica broken again and again (CLIENT KILL TYPE master every 2 s
//      while writers flood): Redis 7 reconnects at once and continues with a partial resync, so
//      the breaks are shorter than a poll; nothing a client sees may be wrong, and the data must
//      end identical on every node.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>

#include "tests/chaos/battery.h"
#include "tests/integration/admin_client.h"
#include "tests/chaos/loaded_proxy_fixture.h"
#include "tests/testing/checker_client.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;

class ReplicaResyncTest : public LoadedProxyFixture {
 protected:
  ReplicaResyncTest()
      : LoadedProxyFixture({.sessions = 4, .reader_sessions = 8, .target_ops_per_second = 4000}) {}
  double exclusions_of(const RedisProcess& node) {
    return replica_exclusions(proxy().admin_port(), node);
  }
};

TEST_F(ReplicaResyncTest, C5_ReplicaResyncingABigDatasetTakesNoReadsUntilItIsWhole) {
  const auto test_start = Clock::now();
  // 200 MB the replicas get by a full resync (DEBUG POPULATE is not replicated).
  {
    RedisClient m = master().client(60s);
    ASSERT_EQ(m.command({"DEBUG", "POPULATE", "200000", "c5:big", "1000"}), Reply::status("OK"));
  }
  for (int r = 0; r < 2; ++r) {
    RedisClient c = replica(r).client(10s);
    ASSERT_EQ(c.command({"REPLICAOF", "NO", "ONE"}), Reply::status("OK"));
    ASSERT_EQ(c.command({"REPLICAOF", RedisProcess::kHost, std::to_string(master().port())}),
              Reply::status("OK"));
  }
  ASSERT_TRUE(topology().wait_for_sync(60s));
  std::this_thread::sleep_for(500ms);  // both back in rotation

  const ProcessBaseline baseline = warmed_baseline(proxy().port(), proxy().pid(), options_);
  Checker checker(proxy().port(), options_);
  checker.start();
  std::this_thread::sleep_for(1s);
  // Round 1 keeps the snapshot its last sync left: it loads that at start (-LOADING to anything
  // that reaches it before resplit's next poll), then catches up. Round 2 removes it: it starts
  // empty and needs a full resync, which it receives and then loads.
  for (const bool keep_snapshot : {true, false}) {
    const double retried_before = scrape(proxy().admin_port()).value("resplit_reads_retried_total");
    const CheckerCounts before = checker.counts();
    replica(0).kill9();
    if (!keep_snapshot) {
      std::filesystem::remove(std::filesystem::path(replica(0).dir()) / "dump.rdb");
    }
    replica(0).restart();
    const auto restarted = Clock::now();
    // The restarted server's GET count starts at 0; until it is whole: link up, not loading.
    double whole_after = -1;
    while (Clock::now() - restarted < 60s) {
      auto info = replica(0).client().info("replication");
      auto persistence = replica(0).client().info("persistence");
      if (info["master_link_status"] == "up" && persistence["loading"] == "0") {
        whole_after = seconds_since(restarted);
        break;
      }
      std::this_thread::sleep_for(20ms);
    }
    const long long gets_while_syncing = command_calls(replica(0), "get");
    const double back_after = seconds_until_gets(replica(0), gets_while_syncing, 100, 10s);
    std::this_thread::sleep_for(500ms);
    const CheckerCounts after = checker.counts();
    const double reads_retried =
        scrape(proxy().admin_port()).value("resplit_reads_retried_total") - retried_before;
    std::cout << "FIGURES C5 replica restarted " << (keep_snapshot ? "with" : "without")
              << " its snapshot of 200 MB: whole again " << whole_after
              << " s after its restart; GETs it served before: " << gets_while_syncing
              << "; reads on it again " << back_after << " s after; -LOADING "
              << error_replies(replica(0), "LOADING")  // a new process: its counts start at 0
              << ", -MASTERDOWN " << error_replies(replica(0), "MASTERDOWN")
              << " answered by it; reads asked again of the master " << reads_retried
              << "; client read errors " << after.read_errors - before.read_errors << "\n";
    ASSERT_GE(whole_after, 0) << "the replica never finished its resync";
    EXPECT_EQ(gets_while_syncing, 0);
    EXPECT_EQ(after.read_errors - before.read_errors, 0u)
        << "a -LOADING or -MASTERDOWN reached a client";
    EXPECT_GE(back_after, 0) << "the resynced replica never took reads again";
    EXPECT_LE(back_after, 3.0);
  }
  checker.stop();
  const AuditResult audit = checker.audit(master().port());
  const CheckerCounts c = checker.counts();
  std::cout << checker.figures("C5 replica resyncing 200 MB, twice", audit, proxy().pid())
            << "\n  test " << seconds_since(test_start) << " s\n";
  for (const auto& s : c.samples) std::cout << "  sample: " << s << "\n";
  EXPECT_EQ(c.wrong_replies, 0u);
  EXPECT_TRUE(audit.clean()) << describe(audit);
  EXPECT_TRUE(no_leaks_after_fault(baseline, topology()));
}

TEST_F(ReplicaResyncTest, D7_BrokenReplicationLinksLeaveEveryNodeWithTheSameData) {
  constexpr int kBreaks = 6;  // every 2 s, alternating between the replicas
  const auto test_start = Clock::now();
  const ProcessBaseline baseline = warmed_baseline(proxy().port(), proxy().pid(), options_);
  CheckerOptions flood = options_;
  flood.sessions = 8;
  flood.target_ops_per_second = 8000;
  Checker checker(proxy().port(), flood);
  const double excluded_before[2] = {exclusions_of(replica(0)), exclusions_of(replica(1))};
  const long long partial_before = std::stoll(master().client().info("stats")["sync_partial_ok"]);
  checker.start();
  std::this_thread::sleep_for(1s);
  int breaks[2] = {0, 0};
  for (int i = 0; i < kBreaks; ++i) {
    const int r = i % 2;
    const Reply killed = replica(r).client().command({"CLIENT", "KILL", "TYPE", "master"});
    EXPECT_EQ(killed, Reply::number(1));
    breaks[r] += killed == Reply::number(1);
    std::this_thread::sleep_for(2s);
  }
  checker.stop();
  ASSERT_TRUE(topology().wait_for_sync(20s));

  std::string digests[3];
  digests[0] = master().client().command({"DEBUG", "DIGEST"}).str;
  for (int r = 0; r < 2; ++r) digests[r + 1] = replica(r).client().command({"DEBUG", "DIGEST"}).str;
  const double excluded[2] = {exclusions_of(replica(0)) - excluded_before[0],
                              exclusions_of(replica(1)) - excluded_before[1]};
  const long long partial_resyncs =
      std::stoll(master().client().info("stats")["sync_partial_ok"]) - partial_before;
  const AuditResult audit = checker.audit(master().port());
  const CheckerCounts c = checker.counts();
  std::cout << checker.figures("D7 replication links broken every 2 s", audit, proxy().pid())
            << "\n  breaks " << breaks[0] << " + " << breaks[1] << ", partial resyncs "
            << partial_resyncs << ", times resplit saw a replica out of rotation " << excluded[0]
            << " + " << excluded[1] << "; digests master " << digests[0]
            << ", replicas " << digests[1] << " " << digests[2] << "; test "
            << seconds_since(test_start) << " s\n";
  for (const auto& s : c.samples) std::cout << "  sample: " << s << "\n";
  EXPECT_FALSE(digests[0].empty());
  EXPECT_EQ(digests[1], digests[0]);
  EXPECT_EQ(digests[2], digests[0]);
  EXPECT_EQ(c.read_errors, 0u);
  EXPECT_EQ(c.wrong_replies, 0u);
  EXPECT_TRUE(audit.clean()) << describe(audit);
  EXPECT_EQ(partial_resyncs, kBreaks) << "a break cost a full resync, or did not happen";
  EXPECT_TRUE(no_leaks_after_fault(baseline, topology()));
}

}  // namespace
}  // namespace resplit::testkit::chaos
