// E1-E3: a master that stops answering (DEBUG SLEEP), a replica whose replies are black-holed, and
// blocking commands that must outlive the command timeout. Timed-out commands get resplit's
// "outcome unknown" error in their own slot, the stuck connection is never reused (its late
// replies reach nobody), and the checker's audit of the master stays clean.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <iostream>
#include <memory>
#include <thread>

#include "tests/chaos/battery.h"
#include "tests/integration/admin_client.h"
#include "tests/integration/link_relay.h"
#include "tests/integration/proxy_fixture.h"
#include "tests/testing/checker_client.h"
#include "tests/testing/process_probe.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;

constexpr auto kCommandTimeout = 500ms;
constexpr auto kConnectTimeout = 1000ms;  // timeouts.connect default
const std::string kTimeoutError =
    "ERR resplit: backend timed out, outcome of the command unknown";

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

class BackendTimeoutsTest : public ProxyFixture {
 protected:
  std::string proxy_config() const override { return "timeouts: {command: 500ms}\n"; }
  void SetUp() override {
    ProxyFixture::SetUp();
    if (HasFatalFailure()) return;
    preload_dataset(master().port(), options_);
    ASSERT_TRUE(topology().wait_for_sync());
  }
  CheckerOptions options_{.sessions = 8, .target_ops_per_second = 4000};

  // resplit_commands_total{result="timeout"} over every route.
  double timed_out_commands() { return scrape(proxy().admin_port()).sum("resplit_commands_total",
                                                                        "result=\"timeout\""); }
};

TEST_F(BackendTimeoutsTest, E1_SleepingMasterTimesOutInOrderAndMisdeliversNothing) {
  const auto test_start = Clock::now();
  const ProcessBaseline baseline = warmed_baseline(proxy().port(), proxy().pid(), options_);
  const double timeouts_before = timed_out_commands();
  Checker checker(proxy().port(), options_);
  checker.start();
  ASSERT_TRUE(checker.wait_for_acks(2000, 10s));

  auto sleeper = std::async(std::launch::async, [this] {
    return master().client(5s).command({"DEBUG", "SLEEP", "2"});
  });
  std::this_thread::sleep_for(50ms);  // the master is asleep now
  // One write sent into the sleep: its error must come at the command timeout, in its slot.
  RedisClient probe = proxy().client(5s);
  const auto sent = Clock::now();
  const auto replies = probe.pipeline({{"PING"}, {"RPUSH", "e1:probe", "x"}, {"PING"}});
  const double error_after_ms = ms_since(sent);
  EXPECT_EQ(sleeper.get(), Reply::status("OK"));
  std::this_thread::sleep_for(2s);
  checker.stop();

  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0], Reply::status("PONG"));
  EXPECT_EQ(replies[1], Reply::error(kTimeoutError));
  EXPECT_EQ(replies[2], Reply::status("PONG"));
  EXPECT_NEAR(error_after_ms, 500, 150);

  const AuditResult audit = checker.audit(master().port());
  const CheckerCounts c = checker.counts();
  // H2: the metric counts exactly the timeouts the clients were told of (the probe's one too).
  EXPECT_EQ(timed_out_commands() - timeouts_before, static_cast<double>(c.timed_out + 1));
  std::cout << checker.figures("E1 DEBUG SLEEP 2 on the master", audit, proxy().pid()) << "\n"
            << "  probe write's timeout error after " << error_after_ms << " ms (command timeout "
            << kCommandTimeout.count() << " ms); timeouts seen by clients " << c.timed_out + 1
            << "; test " << seconds_since(test_start) << " s\n";
  for (const auto& s : c.samples) std::cout << "  sample: " << s << "\n";
  EXPECT_EQ(c.wrong_replies, 0u);
  EXPECT_TRUE(audit.clean()) << describe(audit);
  EXPECT_GT(audit.indeterminate, 0u) << "no write was caught by the sleep";
  EXPECT_TRUE(no_leaks_after_fault(baseline, topology()));
}

// A replica whose replies stop (the kernel still accepts; nothing comes back) is found by the
// command timeout and by health checks; reads move to the other replica and its late replies,
// released afterwards, reach nobody.
class BlackholeTest : public BackendTimeoutsTest {
 protected:
  void SetUp() override {
    RedisTopologyFixture::SetUp();
    if (HasFatalFailure()) return;
    preload_dataset(master().port(), options_);
    ASSERT_TRUE(topology().wait_for_sync());
    relay_ = std::make_unique<LinkRelay>(replica(0).port());
    ResplitOptions options;
    options.config = static_config(
        master().address(),
        {"127.0.0.1:" + std::to_string(relay_->port()), replica(1).address()}, proxy_config());
    blackholed_proxy_ = std::make_unique<ResplitProcess>(options);
  }
  void TearDown() override {
    if (blackholed_proxy_ && HasFailure()) std::cerr << blackholed_proxy_->log_tail() << "\n";
    blackholed_proxy_.reset();
    relay_.reset();
    RedisTopologyFixture::TearDown();
  }
  std::unique_ptr<LinkRelay> relay_;
  std::unique_ptr<ResplitProcess> blackholed_proxy_;
};

TEST_F(BlackholeTest, E2_BlackholedReplicaFailsFastThenLeavesRotation) {
  const auto test_start = Clock::now();
  ResplitProcess& proxy = *blackholed_proxy_;
  CheckerOptions readers{.sessions = 0, .reader_sessions = 8, .target_ops_per_second = 4000};
  const ProcessBaseline baseline = warmed_baseline(proxy.port(), proxy.pid(), readers);
  Checker checker(proxy.port(), readers);
  checker.start();
  std::this_thread::sleep_for(1s);
  const CheckerCounts before = checker.counts();
  relay_->hold(true);
  // Reads caught by the fault end within the command timeout, or, when they wait for a new
  // connection to it, within the connect timeout (1 s); after that the replica is out of rotation.
  std::this_thread::sleep_for(kCommandTimeout + kConnectTimeout + 300ms);
  const CheckerCounts ejected = checker.counts();
  std::this_thread::sleep_for(1500ms);
  const CheckerCounts held = checker.counts();
  relay_->hold(false);  // late replies flow now: they must reach nobody
  std::this_thread::sleep_for(1500ms);
  checker.stop();

  const CheckerCounts c = checker.counts();
  const LatencyHistogram h = checker.latencies();
  std::cout << checker.figures("E2 black-holed replica", checker.audit(master().port()),
                               proxy.pid())
            << "\n  read errors in the first 1.8 s of the fault: "
            << ejected.read_errors - before.read_errors
            << ", in the next 1.5 s: " << held.read_errors - ejected.read_errors
            << "; slowest round trip " << h.max().count() / 1000 << " ms; test "
            << seconds_since(test_start) << " s\n";
  for (const auto& s : c.samples) std::cout << "  sample: " << s << "\n";
  EXPECT_EQ(c.wrong_replies, 0u);
  EXPECT_GT(ejected.read_errors, before.read_errors) << "no read was caught by the black hole";
  EXPECT_EQ(held.read_errors, ejected.read_errors) << "reads still failed after the ejection";
  EXPECT_EQ(c.read_errors, held.read_errors) << "the late replies caused errors";
  // No read waits longer than the connect timeout (+ scheduling slack on a busy machine).
  EXPECT_LE(h.max(), kConnectTimeout + 250ms);
  EXPECT_TRUE(no_leaks_after_fault(baseline, topology(), {relay_->port()}));
}

// E3: blocking commands take as long as they ask for, not the command timeout, and a client
// that leaves releases its blocked command on the master.
TEST_F(BackendTimeoutsTest, E3_BlockingCommandsOutliveTheCommandTimeoutAndEndWithTheirClient) {
  const auto test_start = Clock::now();
  const ProcessBaseline baseline = warmed_baseline(proxy().port(), proxy().pid(), options_);
  auto timed = [this](std::vector<std::string> command) {
    return std::async(std::launch::async, [this, command] {
      RedisClient c = proxy().client(10s);
      const auto start = Clock::now();
      Reply r = command[0] == "SUBSCRIBE" ? (c.command(command), c.next_push()) : c.command(command);
      return std::make_pair(r, ms_since(start));
    });
  };
  auto blpop = timed({"BLPOP", "e3:list", "0"});
  auto brpop = timed({"BRPOP", "e3:empty", "1"});
  auto xread = timed({"XREAD", "BLOCK", "1500", "STREAMS", "e3:stream", "$"});
  auto wait = timed({"WAIT", "3", "1200"});
  auto subscribe = timed({"SUBSCRIBE", "e3:channel"});
  std::this_thread::sleep_for(1500ms);
  {
    RedisClient writer = proxy().client();
    EXPECT_EQ(writer.command({"LPUSH", "e3:list", "v"}), Reply::number(1));
    EXPECT_EQ(writer.command({"PUBLISH", "e3:channel", "m"}), Reply::number(1));
  }

  // Each is measured from its own thread's start, which a loaded machine may delay: the bounds ask
  // for twice the command timeout, which is what the test is about.
  const auto [blpop_reply, blpop_ms] = blpop.get();
  const auto [brpop_reply, brpop_ms] = brpop.get();
  const auto [xread_reply, xread_ms] = xread.get();
  const auto [wait_reply, wait_ms] = wait.get();
  const auto [sub_reply, sub_ms] = subscribe.get();
  EXPECT_EQ(blpop_reply, Reply::array({Reply::bulk("e3:list"), Reply::bulk("v")}));
  EXPECT_GE(blpop_ms, 1000);
  EXPECT_EQ(brpop_reply.type, Reply::Type::kNil) << brpop_reply;
  EXPECT_GE(brpop_ms, 900);
  EXPECT_EQ(xread_reply.type, Reply::Type::kNil) << xread_reply;
  EXPECT_GE(xread_ms, 1000);
  EXPECT_EQ(wait_reply, Reply::number(2));
  EXPECT_GE(wait_ms, 1000);
  EXPECT_EQ(sub_reply, Reply::array({Reply::bulk("message"), Reply::bulk("e3:channel"),
                                     Reply::bulk("m")}));
  EXPECT_GE(sub_ms, 1000);

  // Three clients blocked forever, then gone: the master must see them leave.
  auto blocked_on_master = [this] {
    auto info = master().client().info("clients");
    return info.contains("blocked_clients") ? std::stol(info["blocked_clients"]) : -1;
  };
  std::vector<std::unique_ptr<RedisClient>> forever;
  for (int i = 0; i < 3; ++i) {
    forever.push_back(std::make_unique<RedisClient>(proxy().port(), 10s));
    ASSERT_TRUE(forever.back()->connected());
    forever.back()->set_timeout(100ms);
    forever.back()->command({"BLPOP", "e3:never", "0"});  // times out client-side only
  }
  const auto until = Clock::now() + 5s;
  while (blocked_on_master() != 3 && Clock::now() < until) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(blocked_on_master(), 3);
  forever.clear();
  const auto left = Clock::now();
  while (blocked_on_master() != 0 && Clock::now() < left + 5s) std::this_thread::sleep_for(20ms);
  const double released_ms = ms_since(left);
  std::cout << "FIGURES E3 blocking commands (command timeout 500 ms): BLPOP " << blpop_ms
            << " ms, BRPOP 1 s " << brpop_ms << " ms, XREAD BLOCK 1500 " << xread_ms
            << " ms, WAIT 3 1200 " << wait_ms << " ms, SUBSCRIBE message after " << sub_ms
            << " ms; 3 blocked BLPOPs released " << released_ms << " ms after their clients left;"
            << " test " << seconds_since(test_start) << " s\n";
  EXPECT_EQ(blocked_on_master(), 0);
  EXPECT_LE(released_ms, 2000);
  EXPECT_TRUE(no_leaks_after_fault(baseline, topology()));
}

}  // namespace
}  // namespace resplit::testkit::chaos
