// C1 and C6: replicas that die under checker load. A SIGKILLed replica leaves read rotation, its
// in-flight reads are asked again of the master (no client sees an error), and it takes reads again
// once it has synced after its restart; with every replica gone, reads fall back to the master (or, with
// read_policy replica, get resplit's error in their slot), and nothing hangs.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "tests/chaos/battery.h"
#include "tests/integration/admin_client.h"
#include "tests/chaos/loaded_proxy_fixture.h"
#include "tests/testing/checker_client.h"
#include "tests/testing/process_probe.h"
#include "tests/testing/raw_client.h"
#include "tests/testing/resp_text.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;

class ReplicaFaultsTest : public LoadedProxyFixture {
 protected:
  ReplicaFaultsTest()
      : LoadedProxyFixture({.sessions = 4, .reader_sessions = 8, .target_ops_per_second = 4000}) {}
  void SetUp() override {
    LoadedProxyFixture::SetUp();
    std::this_thread::sleep_for(500ms);  // both replicas back in rotation after the preload
  }
  double exclusions_of(const RedisProcess& node) {
    return replica_exclusions(proxy().admin_port(), node);
  }
};

TEST_F(ReplicaFaultsTest, C1_KilledReplicasReadsGoToTheMasterAndItReturnsAfterSync) {
  const auto test_start = Clock::now();
  const ProcessBaseline baseline = warmed_baseline(proxy().port(), proxy().pid(), options_);
  Checker checker(proxy().port(), options_);
  checker.start();
  std::this_thread::sleep_for(1s);
  const CheckerCounts before = checker.counts();
  const double killed_excluded_before = exclusions_of(replica(0));
  const double other_excluded_before = exclusions_of(replica(1));

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
  // Reads in flight on the killed replica were asked again of the master.
  EXPECT_EQ(during.read_errors - before.read_errors, 0u);
  EXPECT_GE(back_after, 0) << "the restarted replica never took reads again";
  EXPECT_LE(back_after, 3.0);
  // H2: one exclusion for the killed replica (down, then syncing, is one stretch out of rotation),
  // none for the other.
  EXPECT_EQ(exclusions_of(replica(0)) - killed_excluded_before, 1);
  EXPECT_EQ(exclusions_of(replica(1)) - other_excluded_before, 0);
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
  EXPECT_EQ(at_kill.read_errors, before.read_errors) << "reads in flight at the kill failed";
  EXPECT_EQ(later.read_errors, at_kill.read_errors) << "reads failed with no replica up";
  EXPECT_GT(master_gets_later - master_gets, 1000) << "reads did not fall back to the master";
  EXPECT_GE(back_after, 0);
  EXPECT_LE(back_after, 2.0);
  EXPECT_TRUE(no_leaks_after_fault(baseline, topology()));
}

}  // namespace
}  // namespace resplit::testkit::chaos

namespace resplit::testkit::chaos {
namespace {

// The two rules of asking a read again: a pipeline of reads caught on a dying replica is answered
// by the master; a read followed by the client's own write is not (the master would show it the
// write it sent later), so it gets an error, in its place.
TEST_F(ReplicaFaultsTest, C1_ReadsCaughtOnADyingReplicaAreAskedOfTheMasterUnlessAWriteFollowed) {
  ASSERT_EQ(master().client().command({"SET", "c1:key", "v1"}), Reply::status("OK"));
  ASSERT_TRUE(topology().wait_for_sync());
  replica(0).pause();
  replica(1).pause();
  using resp_text::array;
  using resp_text::bulk;
  const std::string get = array({bulk("GET"), bulk("c1:key")});
  RawClient reader(proxy().port());
  RawClient writer(proxy().port());
  ASSERT_TRUE(reader.send(get + get + get));
  ASSERT_TRUE(writer.send(get + array({bulk("SET"), bulk("c1:key"), bulk("v2")})));
  // The SET is done on the master while the GETs wait on the stopped replicas.
  const auto until = Clock::now() + 5s;
  while (command_calls(master(), "set") < 2 && Clock::now() < until) {
    std::this_thread::sleep_for(10ms);
  }
  replica(0).kill9();
  replica(1).kill9();

  const RawClient::Received read = reader.read_until(3, 5s);
  const RawClient::Received written = writer.read_until(2, 5s);
  std::cout << "FIGURES C1 reads on dying replicas: reader got " << read.bytes.size()
            << " bytes, writer got \"" << written.bytes << "\"\n";
  EXPECT_EQ(read.replies, 3u) << read.bytes;
  EXPECT_EQ(read.bytes.find('-'), std::string::npos) << read.bytes;
  EXPECT_EQ(written.replies, 2u) << written.bytes;
  EXPECT_TRUE(written.bytes.starts_with("-ERR resplit:")) << written.bytes;
  EXPECT_TRUE(written.bytes.ends_with("+OK\r\n")) << written.bytes;
  replica(0).restart();
  replica(1).restart();
}

}  // namespace
}  // namespace resplit::testkit::chaos
