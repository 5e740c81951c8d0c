// F4: CPU starvation. Two busy processes (one per core, as `stress-ng --cpu 2`) share the machine
// with Redis, resplit and the checker for 15 s. Latency rises, but health decisions need their
// failures in a row, so no replica and no master is taken out, and no command fails. The test runs
// alone (Bazel tag "exclusive"): it would slow every test beside it.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "tests/chaos/battery.h"
#include "tests/integration/admin_client.h"
#include "tests/chaos/loaded_proxy_fixture.h"
#include "tests/testing/checker_client.h"
#include "tests/testing/child_process.h"
#include "tests/testing/temp_dir.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;

class CpuStarvationTest : public LoadedProxyFixture {
 protected:
  CpuStarvationTest()
      : LoadedProxyFixture({.sessions = 4, .reader_sessions = 8, .target_ops_per_second = 4000}) {}
};

TEST_F(CpuStarvationTest, F4_BusyCoresRaiseLatencyButEjectNothing) {
  const auto test_start = Clock::now();
  Checker calm(proxy().port(), [&] {
    CheckerOptions o = options_;
    o.run = "calm:";
    return o;
  }());
  calm.start();
  std::this_thread::sleep_for(3s);
  calm.stop();

  auto exclusions = [&] {
    return scrape(proxy().admin_port()).sum("resplit_replica_exclusions_total");
  };
  auto master_up = [&] {
    return scrape(proxy().admin_port())
        .sum("resplit_backend_up", "backend=\"" + master().address() + "\"");
  };
  const double excluded_before = exclusions();
  CheckerOptions busy_options = options_;
  busy_options.run = "busy:";
  Checker busy(proxy().port(), busy_options);
  busy.start();
  TempDir dir("resplit-f4");
  std::vector<std::unique_ptr<ChildProcess>> spinners;
  for (unsigned i = 0; i < std::max(2u, std::thread::hardware_concurrency()); ++i) {
    spinners.push_back(std::make_unique<ChildProcess>());
    spinners.back()->start({"/bin/sh", "-c", "while :; do :; done"}, dir.file("spin.log"),
                           dir.path());
  }
  double master_down_seen = 0;
  for (int i = 0; i < 150; ++i) {  // 15 s
    if (master_up() != 1) ++master_down_seen;
    std::this_thread::sleep_for(100ms);
  }
  for (auto& s : spinners) s->kill9();
  busy.stop();

  const AuditResult audit = busy.audit(master().port());
  const CheckerCounts c = busy.counts();
  const double excluded = exclusions() - excluded_before;
  std::cout << busy.figures("F4 two busy cores for 15 s", audit, proxy().pid())
            << "\n  p99 " << calm.latencies().percentile(99).count() << " us calm, "
            << busy.latencies().percentile(99).count() << " us starved; replicas out of rotation "
            << excluded << " times; master seen down in " << master_down_seen
            << " of 150 scrapes; test " << seconds_since(test_start) << " s\n";
  for (const auto& s : c.samples) std::cout << "  sample: " << s << "\n";
  EXPECT_EQ(excluded, 0) << "a replica was taken out because the machine was busy";
  EXPECT_EQ(master_down_seen, 0);
  EXPECT_EQ(c.read_errors, 0u);
  EXPECT_EQ(c.timed_out, 0u);
  EXPECT_EQ(c.wrong_replies, 0u);
  EXPECT_TRUE(audit.clean()) << describe(audit);
}

}  // namespace
}  // namespace resplit::testkit::chaos
