// Failover through resplit with Sentinel: a master, two replicas, three Sentinels (quorum 2,
// down-after 1 s) and resplit following them (`sentinel:` config, replicas from SENTINEL
// REPLICAS), under write load from writers that account for every write.
//
// Lost acknowledged writes are counted by reading every acknowledged key from the new master.
// Replication is asynchronous: a write the master acknowledged just before it died is on the new
// master only if it was replicated first, which on loopback is nearly always but not always so
// (1 of about 1,100 writes acknowledged in the last 100 ms before a SIGKILL was lost in one run).
// So every writer sends `WAIT 1 2000` after every 20 writes: a write followed by a positive WAIT
// was on a replica, and Sentinel promotes the replica with the most data, so none of those may be
// lost; the others are counted and printed. After the switch is known no write may be lost at
// all: resplit fences the old master, so a paused old master that wakes up takes nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <optional>

#include "tests/integration/acked_writers.h"
#include "tests/integration/admin_client.h"
#include "tests/integration/sentinel_proxy_fixture.h"
#include "tests/testing/reply.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

double seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

struct Account {
  size_t acked = 0;
  size_t before = 0;      // acknowledged before the fault
  size_t last_100ms = 0;  // acknowledged in the last 100 ms before it
  // Sentinel needs more than 2 s to switch here, and the old master's replies still on their way
  // at the fault (one per writer at most) arrive long before a second has passed: the first
  // acknowledgement later than that is the new master's.
  std::optional<SteadyClock::time_point> gap_start;  // the acknowledgement before that one
  std::optional<SteadyClock::time_point> first_on_new_master;
};

Account account(const std::vector<AckedWrite>& acked, SteadyClock::time_point fault) {
  Account a;
  a.acked = acked.size();
  for (const AckedWrite& w : acked) {
    if (w.at < fault) {
      ++a.before;
      if (w.at >= fault - 100ms) ++a.last_100ms;
    }
    if (w.at <= fault + 1s) {
      a.gap_start = w.at;
    } else if (!a.first_on_new_master) {
      a.first_on_new_master = w.at;
    }
  }
  return a;
}

// How many of `missing` were confirmed replicated by a WAIT.
size_t replicated_among(const std::vector<std::string>& missing,
                        const std::vector<AckedWrite>& acked) {
  size_t n = 0;
  for (const AckedWrite& w : acked) {
    if (w.replicated && std::find(missing.begin(), missing.end(), w.key) != missing.end()) ++n;
  }
  return n;
}

class SentinelFailoverTest : public SentinelProxyFixture {};

TEST_F(SentinelFailoverTest, KilledMasterWritesMoveToTheNewMasterAndNoAcknowledgedWriteIsLost) {
  SwitchListener events(topology());
  AckedWriters writers(proxy().port(), {.writers = 4, .prefix = "kill", .wait_every = 20});
  writers.start();
  ASSERT_TRUE(writers.wait_for_acks(0, 2000, 20s));

  const uint16_t old_port = master().port();
  const auto killed_at = SteadyClock::now();
  master().kill9();
  std::string why;
  const uint16_t new_port = topology().wait_for_master_switch(old_port, 60s, &why);
  ASSERT_NE(new_port, 0) << why;
  const std::optional<SteadyClock::time_point> switched_at = events.wait(10s);
  ASSERT_TRUE(switched_at.has_value()) << "no +switch-master seen";
  ASSERT_TRUE(writers.wait_for_acks(writers.acked_count(), 2000, 20s));
  writers.stop();

  const WriterCounts counts = writers.counts();
  const std::vector<AckedWrite> acked = writers.acked();
  const Account a = account(acked, killed_at);
  ASSERT_TRUE(a.first_on_new_master.has_value());
  // On a loaded machine a Sentinel may take the promoted master for down and fail it over again
  // (seen once in a full suite run: a second epoch promoted the other replica 2 s later). The
  // writes that master acknowledged and never passed on are then lost by Redis itself, whatever
  // a proxy does, so the loss bound below is for one failover; the data is read from the master
  // the Sentinels name at the end.
  const uint16_t final_port = topology().wait_for_master_switch(old_port, 60s, &why);
  ASSERT_NE(final_port, 0) << why;
  const bool failed_over_again = final_port != new_port;
  const std::vector<std::string> missing = missing_writes(final_port, acked);
  const double to_new_master = seconds(*a.first_on_new_master - *switched_at);
  std::cout << "SIGKILL master: kill -> +switch-master " << seconds(*switched_at - killed_at)
            << " s; +switch-master -> first write acknowledged by the new master " << to_new_master
            << " s (negative: resplit knew before the message); write gap "
            << seconds(*a.first_on_new_master - *a.gap_start) << " s\n"
            << "  acknowledged " << a.acked << " (" << a.before << " before the kill, "
            << a.last_100ms << " in its last 100 ms), lost " << missing.size()
            << ", acknowledged by the old master after the switch 0 (it was dead)\n";
  const size_t lost_replicated = replicated_among(missing, acked);
  std::cout << "  lost after a positive WAIT: " << lost_replicated << "\n";
  print_counts("SIGKILL master", counts);
  EXPECT_LT(to_new_master, 1.0);
  EXPECT_EQ(lost_replicated, 0u);
  // Without WAIT, only writes acknowledged just before the kill can be missing.
  if (failed_over_again) {
    std::cout << "  Sentinel failed the new master over again (now port " << final_port
              << "): the bound on lost writes is not checked\n";
  } else {
    EXPECT_LE(missing.size(), a.last_100ms);
  }
  EXPECT_EQ(counts.errors, 0u);
  // At most the write each writer had in flight on the killed master.
  EXPECT_LE(counts.indeterminate, 4u);
}

TEST_F(SentinelFailoverTest, PausedOldMasterGetsNoWritesOnceDemoted) {
  SwitchListener events(topology());
  AckedWriters writers(proxy().port(), {.writers = 4, .prefix = "pause", .wait_every = 20});
  writers.start();
  ASSERT_TRUE(writers.wait_for_acks(0, 2000, 20s));

  const PausedSwitch pause = pause_master_until_switch();
  ASSERT_NE(pause.new_port, 0) << pause.why;
  const std::optional<SteadyClock::time_point> switched_at = events.wait(10s);
  ASSERT_TRUE(writers.wait_for_acks(writers.acked_count(), 1000, 20s));
  master().resume();
  const auto resumed_at = SteadyClock::now();
  // The old master wakes up still saying master, until Sentinel turns it into a replica; writing
  // on through that window is what must not reach it.
  const uint64_t at_resume = writers.acked_count();
  std::this_thread::sleep_for(3s);
  ASSERT_TRUE(writers.wait_for_acks(at_resume, 1000, 20s));
  writers.stop();
  const std::string old_role = master().client().info("replication")["role"];

  const WriterCounts counts = writers.counts();
  const std::vector<AckedWrite> acked = writers.acked();
  const Account a = account(acked, pause.paused_at);
  const std::vector<std::string> missing = missing_writes(pause.new_port, acked);
  size_t after_resume = 0;
  for (const AckedWrite& w : acked) after_resume += w.at >= resumed_at ? 1 : 0;
  ASSERT_TRUE(switched_at.has_value()) << "no +switch-master seen";
  ASSERT_TRUE(a.first_on_new_master.has_value());
  const double to_new_master = seconds(*a.first_on_new_master - *switched_at);
  std::cout << "SIGSTOP master: pause -> +switch-master " << seconds(*switched_at - pause.paused_at)
            << " s; +switch-master -> first write acknowledged by the new master " << to_new_master
            << " s; write gap " << seconds(*a.first_on_new_master - *a.gap_start) << " s; resumed "
            << seconds(resumed_at - pause.paused_at) << " s after the pause\n"
            << "  acknowledged " << a.acked << " (" << a.before << " before the pause, "
            << a.last_100ms << " in its last 100 ms, " << after_resume
            << " after the old master resumed), lost " << missing.size()
            << "; old master's role at the end: " << old_role << "\n";
  const size_t lost_replicated = replicated_among(missing, acked);
  std::cout << "  lost after a positive WAIT: " << lost_replicated << "\n";
  print_counts("SIGSTOP master", counts);
  EXPECT_EQ(lost_replicated, 0u);
  EXPECT_LT(to_new_master, 1.0);
  // A write acknowledged by the old master after the switch would be missing from the new one.
  EXPECT_TRUE(missing.empty()) << missing.size() << " lost, first " << missing.front();
  EXPECT_EQ(counts.errors, 0u);
  // The writes in flight when the master stopped, and on a loaded machine more of the kind:
  // until polls show it down, each writer's next write waits there for the command timeout (2 s).
  const double stopped_for = seconds(*switched_at - pause.paused_at);
  EXPECT_LE(counts.indeterminate, 4u * (1 + static_cast<uint64_t>(stopped_for / 2.0)));
}

TEST_F(SentinelFailoverTest, PlannedSentinelFailoverShowsClientsNoErrors) {
  SwitchListener events(topology());
  AckedWriters writers(proxy().port(), {.writers = 4, .prefix = "planned", .read_back = true});
  writers.start();
  ASSERT_TRUE(writers.wait_for_acks(0, 2000, 20s));

  const uint16_t old_port = master().port();
  const auto asked_at = SteadyClock::now();
  ASSERT_EQ(sentinel(0).client().command({"SENTINEL", "FAILOVER", topology().master_name()}),
            Reply::status("OK"));
  std::string why;
  const uint16_t new_port = topology().wait_for_master_switch(old_port, 60s, &why);
  ASSERT_NE(new_port, 0) << why;
  const std::optional<SteadyClock::time_point> switched_at = events.wait(10s);
  ASSERT_TRUE(switched_at.has_value()) << "no +switch-master seen";
  EXPECT_TRUE(writers.wait_for_acks(writers.acked_count(), 2000, 20s));
  writers.stop();

  const WriterCounts counts = writers.counts();
  const std::vector<AckedWrite> acked = writers.acked();
  const std::vector<std::string> missing = missing_writes(new_port, acked);
  size_t gap_start = 0;
  double longest_gap = 0;
  for (size_t i = 1; i < acked.size(); ++i) {
    const double gap = seconds(acked[i].at - acked[i - 1].at);
    if (gap > longest_gap) {
      longest_gap = gap;
      gap_start = i - 1;
    }
  }
  std::cout << "SENTINEL FAILOVER: asked -> +switch-master " << seconds(*switched_at - asked_at)
            << " s; longest write pause " << longest_gap << " s, from "
            << (acked.empty() ? 0.0 : seconds(acked[gap_start].at - asked_at))
            << " s after the request\n  acknowledged " << acked.size() << ", lost "
            << missing.size() << "\n";
  print_counts("SENTINEL FAILOVER", counts);
  EXPECT_EQ(counts.errors, 0u);
  EXPECT_EQ(counts.indeterminate, 0u);
  EXPECT_EQ(counts.wrong_reads, 0u);
  // resplit holds writes from the failover's start, before Sentinel promotes the replica.
  EXPECT_TRUE(missing.empty()) << missing.size() << " lost, first " << missing.front();
}

TEST_F(SentinelFailoverTest, LosingEverySentinelKeepsTheLastMaster) {
  for (size_t i = 0; i < topology().sentinel_count(); ++i) sentinel(i).kill9();
  // Past the reconnect backoff of the Sentinel connections, writes and reads still flow.
  std::this_thread::sleep_for(2500ms);
  RedisClient client = proxy().client(5s);
  int ok = 0;
  for (int i = 0; i < 500; ++i) {
    const std::string key = "nosentinel:" + std::to_string(i);
    ok += client.command({"SET", key, "v"}) == Reply::status("OK") &&
                  client.command({"GET", key}) == Reply::bulk("v")
              ? 1
              : 0;
  }
  const Scrape metrics = scrape(proxy().admin_port());
  std::cout << "every Sentinel killed: " << ok << " of 500 SET+GET pairs answered right; "
            << metrics.sum("resplit_sentinel_up") << " Sentinels up, master changes "
            << metrics.value("resplit_master_changes_total") << "\n";
  EXPECT_EQ(ok, 500);
  for (size_t i = 0; i < topology().sentinel_count(); ++i) {
    // Each Sentinel keeps its series (value -1 would mean missing), now at 0.
    const std::string labels = "sentinel=\"" + sentinel(i).address() + "\"";
    EXPECT_EQ(metrics.value("resplit_sentinel_up", labels), 0) << labels;
    EXPECT_EQ(metrics.value("resplit_sentinel_names_trusted_master", labels), 0) << labels;
  }
}

}  // namespace
}  // namespace resplit::testkit
