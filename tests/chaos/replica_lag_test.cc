// C3: a replica lagging but alive. Its replication link is throttled (an HTB class on the loopback
// of the test's own network namespace holds the master's stream to it at 1 Mbit/s) while writes
// go on at about 2 MB/s: it keeps answering resplit's polls at once, its link stays up, and only
// the offsets tell that its data ages. resplit must stop reading from it within one poll interval
// of its lag passing the limit, send it no read while it lags, take it back once it has caught
// up (after its success threshold of polls), never hand a reader data staler than the limit plus
// an interval plus 1 s, and never hand a read-your-writes session data older than its own write.
// Where namespaces or tc cannot be used, the test says "skipped (no netns)".
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/chaos/battery.h"
#include "tests/integration/proxy_fixture.h"
#include "tests/testing/packet_filter.h"
#include "tests/testing/traffic_shaper.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;

constexpr double kMaxLagMs = 1000;     // routing.max_replication_lag below
constexpr double kPollMs = 100;        // health_check.interval of static_config
constexpr int kSuccessThreshold = 2;   // health_check.success_threshold of static_config

int64_t now_ns() { return Clock::now().time_since_epoch().count(); }
double ms_between(int64_t from_ns, int64_t to_ns) { return (to_ns - from_ns) / 1e6; }

class ReplicaLagTest : public ProxyFixture {
 protected:
  std::string proxy_config() const override {
    // Lag in seconds only, so that the timeline of offsets decides.
    return "routing: {max_replication_lag: 1s, max_replication_lag_bytes: 0B}\n";
  }
  void SetUp() override {
    RESPLIT_ENTER_PRIVATE_NETWORK_OR_SKIP();
    ProxyFixture::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(topology().wait_for_sync());
  }
};

// What the test saw of replica 0 every 20 ms: the age of its data and the GETs it had served.
struct Sample {
  int64_t at_ns;
  double age_ms;
  long long gets;
};

TEST_F(ReplicaLagTest, C3_ThrottledReplicaLeavesRotationWhileItLagsAndReturnsAfterCatchingUp) {
  const auto test_start = Clock::now();
  TrafficShaper shaper;
  ASSERT_TRUE(shaper.ok()) << "tc could not queue on lo";
  ASSERT_EQ(master().client().command({"SET", "c3:clock", std::to_string(now_ns())}),
            Reply::status("OK"));
  ASSERT_TRUE(topology().wait_for_sync());
  std::atomic<bool> stop{false};
  const auto deadline = Clock::now() + 60s;

  // The master's clock: its time in c3:clock every 2 ms, and 4 KiB of filler with each.
  std::thread writer([&] {
    RedisClient m = master().client(5s);
    const std::string filler(4096, 'f');
    for (int i = 0; !stop && Clock::now() < deadline; ++i) {
      m.pipeline({{"SET", "c3:clock", std::to_string(now_ns())},
                  {"SET", "c3:fill:" + std::to_string(i % 256), filler}});
      std::this_thread::sleep_for(2ms);
    }
  });
  // Readers through resplit: the oldest data any of them got.
  std::atomic<int64_t> worst_staleness_ns{0};
  std::atomic<long long> reads{0}, read_errors{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      RedisClient c = proxy().client(5s);
      while (!stop && Clock::now() < deadline) {
        const int64_t asked = now_ns();
        const Reply got = c.command({"GET", "c3:clock"});
        if (got.type != Reply::Type::kString) {
          ++read_errors;
          if (!c.connected()) c.reconnect();
          continue;
        }
        ++reads;
        const int64_t stale = asked - std::stoll(got.str);
        int64_t worst = worst_staleness_ns.load();
        while (stale > worst && !worst_staleness_ns.compare_exchange_weak(worst, stale)) {
        }
        std::this_thread::sleep_for(1ms);
      }
    });
  }
  // Read-your-writes sessions: each reads its own key right after writing it.
  std::atomic<long long> own_reads{0}, own_stale{0};
  for (int s = 0; s < 2; ++s) {
    readers.emplace_back([&, s] {
      RedisClient c = proxy().client(5s);
      const std::string key = "c3:own:" + std::to_string(s);
      for (int i = 0; !stop && Clock::now() < deadline; ++i) {
        if (c.command({"SET", key, std::to_string(i)}) != Reply::status("OK")) continue;
        ++own_reads;
        if (c.command({"GET", key}) != Reply::bulk(std::to_string(i))) ++own_stale;
        std::this_thread::sleep_for(3ms);
      }
    });
  }
  std::mutex mu;
  std::vector<Sample> samples;
  std::thread watcher([&] {
    RedisClient direct = replica(0).client(2s);
    while (!stop && Clock::now() < deadline) {
      // Not GET: the replica's GET count tells the reads resplit sent it.
      const Reply clock = direct.command({"GETRANGE", "c3:clock", "0", "-1"});
      const int64_t at = now_ns();
      const double age = clock.type == Reply::Type::kString && !clock.str.empty()
                             ? ms_between(std::stoll(clock.str), at) : -1;
      const long long gets = command_calls(replica(0), "get");
      {
        std::lock_guard lock(mu);
        samples.push_back({at, age, gets});
      }
      std::this_thread::sleep_for(20ms);
    }
  });

  std::this_thread::sleep_for(2s);
  const uint16_t link_port = replication_link_port(replica(0));
  ASSERT_NE(link_port, 0);
  ASSERT_TRUE(shaper.limit_to_port(link_port, "1mbit"));
  const int64_t throttled_at = now_ns();
  std::this_thread::sleep_for(8s);
  ASSERT_TRUE(shaper.clear());
  const int64_t released_at = now_ns();
  std::this_thread::sleep_for(8s);
  stop = true;
  writer.join();
  for (auto& t : readers) t.join();
  watcher.join();

  // When its data first aged past the limit, the last read it served after that, when it had
  // caught up after the release, and when it served reads again.
  const double limit_ms = kMaxLagMs;
  int64_t over_at = 0, last_read_at = 0, caught_up_at = 0, back_at = 0;
  long long reads_while_lagging = 0, peak_age_ms = 0;
  for (size_t i = 1; i < samples.size(); ++i) {
    const Sample& s = samples[i];
    const bool served = s.gets > samples[i - 1].gets;
    if (s.at_ns > throttled_at && s.at_ns < released_at) {
      peak_age_ms = std::max<long long>(peak_age_ms, static_cast<long long>(s.age_ms));
      if (over_at == 0 && s.age_ms > limit_ms) over_at = s.at_ns;
      if (served && over_at == 0) last_read_at = s.at_ns;
      if (served && over_at != 0) {
        if (ms_between(over_at, s.at_ns) <= 3 * kPollMs) {
          last_read_at = s.at_ns;  // still within the time it takes resplit to see it
        } else {
          ++reads_while_lagging;
        }
      }
    }
    if (s.at_ns > released_at) {
      if (caught_up_at == 0 && s.age_ms >= 0 && s.age_ms < limit_ms) caught_up_at = s.at_ns;
      if (caught_up_at == 0 && served) ++reads_while_lagging;
      if (caught_up_at != 0 && back_at == 0 && served) back_at = s.at_ns;
    }
  }
  // 0 when it had left already (resplit's measure of lag runs up to a poll ahead of the data's).
  const double left_ms = over_at && last_read_at > over_at ? ms_between(over_at, last_read_at) : 0;
  const double back_ms = caught_up_at && back_at ? ms_between(caught_up_at, back_at) : -1;
  const double worst_ms = worst_staleness_ns.load() / 1e6;
  const double staleness_bound_ms = limit_ms + kPollMs + 1000;
  std::cout << "FIGURES C3 replica throttled to 1 Mbit/s for 8 s under ~2 MB/s of writes: its data "
            << "aged up to " << peak_age_ms << " ms; reads left it " << left_ms
            << " ms after its age passed " << limit_ms << " ms (its last read then), "
            << reads_while_lagging << " polls saw it serve reads while it lagged; caught up "
            << (caught_up_at ? ms_between(released_at, caught_up_at) : -1)
            << " ms after the release, reads on it again " << back_ms << " ms later; "
            << reads << " reads through resplit, " << read_errors << " errors, stalest "
            << worst_ms << " ms (bound " << staleness_bound_ms << "); read-your-writes: "
            << own_reads << " reads of own writes, " << own_stale << " older; test "
            << seconds_since(test_start) << " s\n";
  ASSERT_NE(over_at, 0) << "the throttle never made the replica lag past the limit";
  EXPECT_LE(left_ms, 3 * kPollMs);
  EXPECT_EQ(reads_while_lagging, 0);
  ASSERT_NE(caught_up_at, 0) << "the replica never caught up";
  EXPECT_GE(back_ms, 0) << "the replica never took reads again";
  EXPECT_LE(back_ms, (kSuccessThreshold + 3) * kPollMs);
  EXPECT_EQ(read_errors, 0);
  EXPECT_LE(worst_ms, staleness_bound_ms);
  EXPECT_EQ(own_stale, 0);
}

}  // namespace
}  // namespace resplit::testkit::chaos
