// D5, the stale Sentinel: one of three Sentinels is cut off from the Redis servers and the other
// Sentinels (nftables in the test's own network namespace drop everything it sends from its own
// loopback address), but resplit still reaches it. The other two fail the paused master over; the
// cut-off one keeps naming the old master at the old config epoch. Then one of the two up-to-date
// Sentinels is killed, so the stale one is as many as the up-to-date one, and the old master wakes
// up still saying master (Sentinel turns it into a replica only seconds later). Through all of it
// resplit must trust the newer failover: no write reaches the old master (it would be missing from
// the new one), no client sees an error.
//
// The cut-off Sentinel sends from 127.0.0.2 (bind-source-addr) and listens on 127.0.0.1 like the
// rest, so dropping 127.0.0.2 cuts exactly its own connections. Redis allows clients from
// 127.0.0.2 only without protected mode. Where namespaces or nft are not available: "skipped
// (no netns)".
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>

#include "tests/integration/acked_writers.h"
#include "tests/integration/admin_client.h"
#include "tests/integration/sentinel_proxy_fixture.h"
#include "tests/testing/packet_filter.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kStaleSource = "127.0.0.2";
constexpr size_t kStale = 0;   // the Sentinel cut off; the first one resplit asks
constexpr size_t kKilled = 1;  // an up-to-date Sentinel killed after the failover
constexpr size_t kFresh = 2;   // the up-to-date Sentinel left

double seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

// Lines of resplit's log that say it now trusts `address` as the master.
size_t trust_lines(const std::string& log, const std::string& address) {
  size_t n = 0;
  for (size_t at = log.find("sentinel_master_trusted"); at != std::string::npos;
       at = log.find("sentinel_master_trusted", at + 1)) {
    const size_t end = log.find('\n', at);
    n += log.substr(at, end - at).find(address) != std::string::npos ? 1 : 0;
  }
  return n;
}

class StaleSentinelTest : public SentinelProxyFixture {
 protected:
  TopologyOptions topology_options() const override {
    TopologyOptions options = SentinelProxyFixture::topology_options();
    options.master_args = {"--protected-mode", "no"};
    options.replica_args = {"--protected-mode", "no"};
    options.sentinel_args = {"--protected-mode", "no"};
    options.per_sentinel_args.resize(kStale + 1);
    options.per_sentinel_args[kStale] = {"--bind-source-addr", kStaleSource};
    return options;
  }
  void SetUp() override {
    RESPLIT_ENTER_PRIVATE_NETWORK_OR_SKIP();
    SentinelProxyFixture::SetUp();
  }
};

TEST_F(StaleSentinelTest, D5_StaleSentinelNamingTheOldMasterIsNeverTrusted) {
  PacketFilter filter;
  ASSERT_TRUE(filter.ok());
  ASSERT_TRUE(filter.drop_address(kStaleSource));

  AckedWriters writers(proxy().port(), {.writers = 4, .prefix = "stale", .wait_every = 20});
  writers.start();
  ASSERT_TRUE(writers.wait_for_acks(0, 2000, 20s));

  const PausedSwitch pause = pause_master_until_switch();
  ASSERT_NE(pause.new_port, 0) << pause.why;
  const auto switched_at = SteadyClock::now();
  ASSERT_TRUE(writers.wait_for_acks(writers.acked_count(), 1000, 20s));
  // The premise: the cut-off Sentinel still names the old master.
  ASSERT_EQ(topology().sentinel_master_port(kStale), pause.old_port);

  sentinel(kKilled).kill9();
  master().resume();
  const auto resumed_at = SteadyClock::now();
  // Until Sentinel demotes it (about 8 s after it answers again), the old master says master and
  // the stale Sentinel names it: 1 Sentinel against 1.
  const std::string old_role_awake = master().client(2s).info("replication")["role"];
  const uint64_t at_resume = writers.acked_count();
  std::this_thread::sleep_for(4s);
  const uint16_t stale_names = topology().sentinel_master_port(kStale);
  const std::string old_role_later = master().client(2s).info("replication")["role"];
  // The metrics show which Sentinel is stale and which is gone.
  const Scrape metrics = scrape(proxy().admin_port());
  auto sentinel_value = [&](const char* family, size_t i) {
    return metrics.value(family, "sentinel=\"" + sentinel(i).address() + "\"");
  };
  ASSERT_TRUE(writers.wait_for_acks(at_resume, 1000, 20s));
  writers.stop();

  const WriterCounts counts = writers.counts();
  const std::vector<AckedWrite> acked = writers.acked();
  const std::vector<std::string> missing = missing_writes(pause.new_port, acked);
  size_t after_resume = 0;
  for (const AckedWrite& w : acked) after_resume += w.at >= resumed_at ? 1 : 0;
  const std::string log = proxy().log_tail(100000);
  const std::string old_address = master().address();
  const std::string new_address = topology().server_on_port(pause.new_port)->address();
  std::cout << "D5 stale Sentinel: pause -> majority names the new master "
            << seconds(switched_at - pause.paused_at) << " s; old master resumed "
            << seconds(resumed_at - pause.paused_at) << " s after the pause, its role then '"
            << old_role_awake << "', 4 s later '" << old_role_later
            << "'; the stale Sentinel then named port " << stale_names << " (old " << pause.old_port
            << ", new " << pause.new_port << ")\n  acknowledged " << acked.size() << " ("
            << after_resume << " after the old master resumed), lost " << missing.size()
            << "; resplit trusted the old master " << trust_lines(log, old_address)
            << " time(s) (at start), the new one " << trust_lines(log, new_address) << "\n";
  std::cout << "  metrics: up " << sentinel_value("resplit_sentinel_up", kStale) << "/"
            << sentinel_value("resplit_sentinel_up", kKilled) << "/"
            << sentinel_value("resplit_sentinel_up", kFresh) << ", names the trusted master "
            << sentinel_value("resplit_sentinel_names_trusted_master", kStale) << "/"
            << sentinel_value("resplit_sentinel_names_trusted_master", kKilled) << "/"
            << sentinel_value("resplit_sentinel_names_trusted_master", kFresh) << ", epoch "
            << sentinel_value("resplit_sentinel_config_epoch", kStale) << "/"
            << sentinel_value("resplit_sentinel_config_epoch", kKilled) << "/"
            << sentinel_value("resplit_sentinel_config_epoch", kFresh)
            << " (stale/killed/up to date)\n";
  print_counts("D5 stale Sentinel", counts);
  EXPECT_EQ(sentinel_value("resplit_sentinel_up", kStale), 1);
  EXPECT_EQ(sentinel_value("resplit_sentinel_names_trusted_master", kStale), 0);
  EXPECT_EQ(sentinel_value("resplit_sentinel_up", kKilled), 0);
  EXPECT_EQ(sentinel_value("resplit_sentinel_up", kFresh), 1);
  EXPECT_EQ(sentinel_value("resplit_sentinel_names_trusted_master", kFresh), 1);
  EXPECT_GT(sentinel_value("resplit_sentinel_config_epoch", kFresh),
            sentinel_value("resplit_sentinel_config_epoch", kStale));
  EXPECT_EQ(stale_names, pause.old_port)
      << "the cut-off Sentinel learned of the failover after all";
  EXPECT_EQ(old_role_awake, "master") << "the old master was demoted before it could be tempting";
  EXPECT_TRUE(missing.empty()) << missing.size() << " lost, first " << missing.front();
  EXPECT_EQ(counts.errors, 0u);
  EXPECT_EQ(trust_lines(log, old_address), 1u);  // at start only
  EXPECT_EQ(trust_lines(log, new_address), 1u);
  // The writes in flight when the master stopped: each writer's next write waits there for the
  // command timeout (2 s) until polls show it down.
  EXPECT_LE(counts.indeterminate,
            4u * (1 + static_cast<uint64_t>(seconds(switched_at - pause.paused_at) / 2.0)));
}

}  // namespace
}  // namespace resplit::testkit
