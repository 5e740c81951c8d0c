// F5: the wall clock jumps. resplit runs under libfaketime whose offset the test moves by +1 h and
// then -1 h while checker load runs (the monotonic clock untouched, as NTP or an operator moves
// only the wall clock): timeouts, health decisions and lag seconds run on the monotonic clock, so
// no command times out, no replica leaves rotation and no lag is negative, while wall-clock
// figures (the reload timestamp) follow the jump. CLOCK_MONOTONIC itself cannot jump on Linux
// (it stops while suspended), so there is no variant that fakes it.
// Where libfaketime is not installed, the test says "skipped (no libfaketime)".
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "tests/chaos/battery.h"
#include "tests/integration/admin_client.h"
#include "tests/testing/checker_client.h"
#include "tests/testing/redis_topology_fixture.h"
#include "tests/testing/resplit_process.h"
#include "tests/testing/temp_dir.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;

constexpr char kFakeTime[] = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";

class ClockJumpTest : public RedisTopologyFixture {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kFakeTime)) {
      std::cout << "skipped (no libfaketime): " << kFakeTime << " is missing" << std::endl;
      GTEST_SKIP() << "no libfaketime";
    }
    RedisTopologyFixture::SetUp();
    if (HasFatalFailure()) return;
    preload_dataset(master().port(), options_);
    ASSERT_TRUE(topology().wait_for_sync());
    // Only resplit runs under libfaketime: the servers have started already.
    ASSERT_TRUE(set_offset("+0"));
    ::setenv("LD_PRELOAD", kFakeTime, 1);
    ::setenv("FAKETIME_TIMESTAMP_FILE", offset_file_.c_str(), 1);
    ::setenv("FAKETIME_CACHE_DURATION", "1", 1);  // the file is read again every second
    ::setenv("FAKETIME_DONT_FAKE_MONOTONIC", "1", 1);
    ResplitOptions options;
    options.config = config_for(topology(), "");
    proxy_ = std::make_unique<ResplitProcess>(options);
    for (const char* name : {"LD_PRELOAD", "FAKETIME_TIMESTAMP_FILE", "FAKETIME_CACHE_DURATION",
                             "FAKETIME_DONT_FAKE_MONOTONIC"}) {
      ::unsetenv(name);
    }
  }
  void TearDown() override {
    if (proxy_ && HasFailure()) std::cerr << "--- resplit log ---\n" << proxy_->log_tail() << "\n";
    proxy_.reset();
    RedisTopologyFixture::TearDown();
  }

  bool set_offset(const std::string& offset) {
    std::ofstream file(offset_file_, std::ios::trunc);
    file << offset << "\n";
    return static_cast<bool>(file.flush());
  }
  // resplit's wall clock as it reports it: the reload timestamp after a SIGHUP.
  double wall_clock_offset() {
    proxy_->signal(SIGHUP);
    std::this_thread::sleep_for(300ms);
    const double reported = scrape(proxy_->admin_port())
                                .value("resplit_config_last_reload_success_timestamp_seconds");
    return reported - std::chrono::duration<double>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  }

  CheckerOptions options_{.sessions = 4, .reader_sessions = 8, .target_ops_per_second = 4000};
  TempDir dir_{"resplit-faketime"};
  std::string offset_file_ = dir_.file("offset");
  std::unique_ptr<ResplitProcess> proxy_;
};

TEST_F(ClockJumpTest, F5_WallClockJumpsChangeNoTimeoutHealthOrLag) {
  const auto test_start = Clock::now();
  Checker checker(proxy_->port(), options_);
  auto exclusions = [&] {
    return scrape(proxy_->admin_port()).sum("resplit_replica_exclusions_total");
  };
  const double excluded_before = exclusions();
  checker.start();
  std::this_thread::sleep_for(1s);
  const double offset_before = wall_clock_offset();

  double lag_min = 0, lag_max = 0;
  auto watch_lag = [&](std::chrono::milliseconds span) {
    const auto until = Clock::now() + span;
    while (Clock::now() < until) {
      const Scrape s = scrape(proxy_->admin_port());
      for (size_t r = 0; r < 2; ++r) {
        const double lag = s.value("resplit_replication_lag_seconds",
                                   "backend=\"" + replica(r).address() + "\"");
        lag_min = std::min(lag_min, lag);
        lag_max = std::max(lag_max, lag);
      }
      std::this_thread::sleep_for(100ms);
    }
  };
  ASSERT_TRUE(set_offset("+1h"));
  watch_lag(3s);
  const double offset_ahead = wall_clock_offset();
  ASSERT_TRUE(set_offset("-1h"));
  watch_lag(3s);
  const double offset_behind = wall_clock_offset();
  ASSERT_TRUE(set_offset("+0"));
  watch_lag(2s);
  checker.stop();

  const AuditResult audit = checker.audit(master().port());
  const CheckerCounts c = checker.counts();
  const double excluded = exclusions() - excluded_before;
  std::cout << checker.figures("F5 wall clock +1 h, then -1 h", audit, proxy_->pid())
            << "\n  resplit's wall clock vs the machine's: " << offset_before << " s, then "
            << offset_ahead << " s, then " << offset_behind << " s; replicas out of rotation "
            << excluded << " times; lag seconds seen " << lag_min << " .. " << lag_max << "; test "
            << seconds_since(test_start) << " s\n";
  for (const auto& s : c.samples) std::cout << "  sample: " << s << "\n";
  // The jumps happened where resplit reads the wall clock.
  EXPECT_NEAR(offset_before, 0, 5);
  EXPECT_NEAR(offset_ahead, 3600, 5);
  EXPECT_NEAR(offset_behind, -3600, 5);
  // And changed nothing that runs on the monotonic clock.
  EXPECT_EQ(c.timed_out, 0u);
  EXPECT_EQ(c.read_errors, 0u);
  EXPECT_EQ(c.wrong_replies, 0u);
  EXPECT_TRUE(audit.clean()) << describe(audit);
  EXPECT_EQ(excluded, 0);
  EXPECT_GE(lag_min, 0);
  EXPECT_LT(lag_max, 1);
}

}  // namespace
}  // namespace resplit::testkit::chaos
