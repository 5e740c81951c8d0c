// C4: network partitions, made with nftables in a network namespace the test runs in (its servers,
// resplit and clients all live there): packets are dropped silently, so connects time out instead
// of being refused and nobody is told the peer is gone.
//  (a) resplit <-> a replica: reads caught by it fail within the command timeout, new connections
//      to it give up at the connect timeout, it leaves read rotation, its old connections are never
//      used again (the requests TCP delivers after the heal get answers that reach nobody), and it
//      takes reads again once it answers.
//  (b) master <-> a replica: the replica still answers resplit, with data that ages; resplit stops
//      reading from it within the lag limit plus its poll interval, and takes it back after the
//      link heals.
// Where namespaces or nft are not available, each test says "skipped (no netns)".
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "tests/chaos/battery.h"
#include "tests/integration/proxy_fixture.h"
#include "tests/testing/checker_client.h"
#include "tests/testing/packet_filter.h"
#include "tests/testing/process_probe.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;

constexpr auto kCommandTimeout = 500ms;
constexpr auto kConnectTimeout = 1000ms;  // timeouts.connect default
constexpr auto kMaxLag = 1s;
constexpr auto kPollInterval = 100ms;  // health_check.interval of config_for

class PartitionTest : public ProxyFixture {
 protected:
  std::string proxy_config() const override {
    return "timeouts: {command: 500ms}\nrouting: {max_replication_lag: 1s}\n";
  }
  void SetUp() override {
    RESPLIT_ENTER_PRIVATE_NETWORK_OR_SKIP();
    ProxyFixture::SetUp();
    if (HasFatalFailure()) return;
    preload_dataset(master().port(), CheckerOptions{});
    ASSERT_TRUE(topology().wait_for_sync());
  }
};

TEST_F(PartitionTest, C4a_ReplicaCutOffFromResplitTimesOutLeavesRotationAndReturns) {
  const auto test_start = Clock::now();
  CheckerOptions readers{.sessions = 0, .reader_sessions = 8, .target_ops_per_second = 4000};
  const ProcessBaseline baseline = warmed_baseline(proxy().port(), proxy().pid(), readers);
  Checker checker(proxy().port(), readers);
  checker.start();
  std::this_thread::sleep_for(1s);
  const CheckerCounts before = checker.counts();

  PacketFilter filter;
  ASSERT_TRUE(filter.ok());
  ASSERT_TRUE(filter.drop_to(replica(0).port()));
  // Reads caught by the cut end within the command timeout, or, waiting for a new connection to
  // it, within the connect timeout; after that the replica is out of rotation.
  std::this_thread::sleep_for(kCommandTimeout + kConnectTimeout + 300ms);
  const CheckerCounts ejected = checker.counts();
  std::this_thread::sleep_for(1500ms);
  const CheckerCounts held = checker.counts();

  ASSERT_TRUE(filter.clear());  // TCP now delivers the dropped requests; their answers reach nobody
  std::this_thread::sleep_for(500ms);
  const double back_after = seconds_until_gets(replica(0), command_calls(replica(0), "get"), 200, 10s);
  checker.stop();

  const CheckerCounts c = checker.counts();
  const LatencyHistogram h = checker.latencies();
  std::cout << checker.figures("C4a replica cut off from resplit (nft drop)",
                               checker.audit(master().port()), proxy().pid())
            << "\n  read errors in the first 1.8 s of the cut: "
            << ejected.read_errors - before.read_errors
            << ", in the next 1.5 s: " << held.read_errors - ejected.read_errors
            << "; slowest round trip " << h.max().count() / 1000 << " ms; replica answering "
            << "reads again " << 0.5 + back_after << " s after the heal; test "
            << seconds_since(test_start) << " s\n";
  for (const auto& s : c.samples) std::cout << "  sample: " << s << "\n";
  EXPECT_EQ(c.wrong_replies, 0u);
  EXPECT_EQ(held.read_errors, ejected.read_errors) << "reads still failed after the ejection";
  EXPECT_EQ(c.read_errors, held.read_errors) << "errors after the heal";
  EXPECT_LE(h.max(), kConnectTimeout + 250ms);
  EXPECT_GE(back_after, 0) << "the replica took no reads after the heal";
  EXPECT_TRUE(no_leaks_after_fault(baseline, topology()));
}

TEST_F(PartitionTest, C4b_ReplicaCutOffFromItsMasterLeavesRotationWithinTheLagLimit) {
  CheckerOptions load{.sessions = 4, .reader_sessions = 8, .target_ops_per_second = 4000};
  const ProcessBaseline baseline = warmed_baseline(proxy().port(), proxy().pid(), load);
  Checker checker(proxy().port(), load);
  checker.start();
  std::this_thread::sleep_for(1s);
  const uint16_t link_port = replication_link_port(replica(0));
  ASSERT_NE(link_port, 0);

  PacketFilter filter;
  ASSERT_TRUE(filter.ok());
  ASSERT_TRUE(filter.drop_both_ways(link_port));
  const auto cut_at = Clock::now();
  // The replica keeps answering; resplit must stop asking it once its data is older than the lag
  // limit. Its GET count is sampled until it stands still for a second.
  long long gets = command_calls(replica(0), "get");
  auto last_growth = Clock::now();
  while (Clock::now() - last_growth < 1s && Clock::now() - cut_at < 15s) {
    std::this_thread::sleep_for(50ms);
    const long long now = command_calls(replica(0), "get");
    if (now != gets) last_growth = Clock::now();
    gets = now;
  }
  const double left_after = std::chrono::duration<double>(last_growth - cut_at).count();
  ASSERT_TRUE(filter.clear());
  const auto healed_at = Clock::now();
  const double back_after = seconds_until_gets(replica(0), command_calls(replica(0), "get"), 200, 15s);
  checker.stop();

  const CheckerCounts c = checker.counts();
  std::cout << checker.figures("C4b replica cut off from its master (nft drop)",
                               checker.audit(master().port()), proxy().pid())
            << "\n  replica out of read rotation " << left_after
            << " s after the cut (bound: lag limit " << kMaxLag.count() << " s + poll "
            << kPollInterval.count() << " ms + 1 s); back " << back_after
            << " s after the heal (" << seconds_since(healed_at) << " s)\n";
  for (const auto& s : c.samples) std::cout << "  sample: " << s << "\n";
  EXPECT_LE(left_after, std::chrono::duration<double>(kMaxLag + kPollInterval + 1s).count());
  EXPECT_EQ(c.wrong_replies, 0u);
  EXPECT_EQ(c.read_errors, 0u) << "a lagging replica must leave rotation without failing reads";
  EXPECT_GE(back_after, 0) << "the replica took no reads after the link healed";
  EXPECT_TRUE(no_leaks_after_fault(baseline, topology()));
}

}  // namespace
}  // namespace resplit::testkit::chaos
