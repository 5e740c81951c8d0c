// What operators see under load: a real scrape taken while clients run passes `promtool check
// metrics`, and a replica stopped under write load shows its lag in seconds and bytes.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/admin_client.h"
#include "tests/integration/load_clients.h"
#include "tests/integration/proxy_fixture.h"
#include "tests/testing/redis_client.h"
#include "tests/testing/temp_dir.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

// $PROMTOOL, the one tools/chart_tools.sh installs ($RESPLIT_TOOLS_DIR, by default
// /opt/resplit-tools), or promtool on PATH; empty when none is found.
std::string find_promtool() {
  if (const char* env = std::getenv("PROMTOOL"); env != nullptr && *env != '\0') return env;
  const char* tools = std::getenv("RESPLIT_TOOLS_DIR");
  const std::string installed =
      std::string(tools != nullptr && *tools != '\0' ? tools : "/opt/resplit-tools") +
      "/bin/promtool";
  if (std::filesystem::exists(installed)) return installed;
  if (std::system("command -v promtool >/dev/null 2>&1") == 0) return "promtool";
  return "";
}

class ObservabilityTest : public ProxyFixture {};

// Redis's own replication figures, from one INFO replication on the master: its offset and the
// offset a replica (by port) last acknowledged.
struct MasterView {
  double master_offset = 0;
  double replica_ack_offset = -1;
};

MasterView master_view(uint16_t master_port, uint16_t replica_port) {
  RedisClient c(master_port);
  std::istringstream info(c.command({"INFO", "replication"}).str);
  MasterView view;
  const std::string port_field = "port=" + std::to_string(replica_port) + ",";
  for (std::string line; std::getline(info, line);) {
    if (line.rfind("master_repl_offset:", 0) == 0) {
      view.master_offset = std::stod(line.substr(line.find(':') + 1));
    } else if (line.rfind("slave", 0) == 0 && line.find(port_field) != std::string::npos) {
      const auto at = line.find("offset=");
      if (at != std::string::npos) view.replica_ack_offset = std::stod(line.substr(at + 7));
    }
  }
  return view;
}

TEST_F(ObservabilityTest, ScrapeUnderLoadPassesPromtool) {
  const std::string promtool = find_promtool();
  if (promtool.empty()) {
    GTEST_SKIP() << "promtool not found: run tools/chart_tools.sh or set PROMTOOL";
  }
  LoadClients load(proxy().port(), 8, 2);
  load.start();
  std::this_thread::sleep_for(1s);
  const std::string text = http(proxy().admin_port(), "GET", "/metrics").body;
  load.stop();
  EXPECT_GT(load.counts().rounds, 0u);
  EXPECT_EQ(load.counts().wrong, 0u);
  ASSERT_FALSE(text.empty());

  TempDir dir("promtool");
  const std::string input = dir.file("scrape.prom");
  const std::string output = dir.file("promtool.out");
  std::ofstream(input) << text;
  const std::string command = promtool + " check metrics < " + input + " > " + output + " 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(output);
  const std::string said((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(status, 0) << said;
  EXPECT_EQ(said, "") << said;  // no lint warnings either
  std::printf("promtool check metrics: %zu bytes scraped during load, no findings\n", text.size());
}

TEST_F(ObservabilityTest, StoppedReplicaShowsItsLag) {
  const std::string backend = "backend=\"" + replica(0).address() + "\"";
  LoadClients load(proxy().port(), 8, 2);
  load.start();
  std::this_thread::sleep_for(500ms);
  replica(0).pause();
  const auto paused_at = std::chrono::steady_clock::now();
  double lag_seconds = 0, lag_bytes = 0;
  // Watch for 3 s of pause plus one poll interval (100 ms) and some slack for a loaded machine.
  while (std::chrono::steady_clock::now() - paused_at < 3s + 600ms) {
    const Scrape s = scrape(proxy().admin_port());
    lag_seconds = std::max(lag_seconds, s.value("resplit_replication_lag_seconds", backend));
    lag_bytes = std::max(lag_bytes, s.value("resplit_replication_lag_bytes", backend));
    std::this_thread::sleep_for(100ms);
  }
  // resplit's byte lag beside Redis's own figure, read at the same moment; the write volume of
  // the pause gives the tolerance (one second of it).
  const MasterView before = master_view(master().port(), replica(0).port());
  const Scrape during = scrape(proxy().admin_port());
  const MasterView after = master_view(master().port(), replica(0).port());
  const double paused_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - paused_at).count();
  replica(0).resume();
  // Back to (about) nothing once the replica has caught up, within a few polls.
  const auto resumed_at = std::chrono::steady_clock::now();
  double caught_up_s = -1, lag_after_s = -1, lag_after_bytes = -1;
  while (std::chrono::steady_clock::now() - resumed_at < 5s) {
    const Scrape s = scrape(proxy().admin_port());
    lag_after_s = s.value("resplit_replication_lag_seconds", backend);
    lag_after_bytes = s.value("resplit_replication_lag_bytes", backend);
    if (lag_after_s < 0.5 && lag_after_bytes < 64 * 1024) {
      caught_up_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - resumed_at)
                        .count();
      break;
    }
    std::this_thread::sleep_for(50ms);
  }
  load.stop();
  const double gauge_bytes = during.value("resplit_replication_lag_bytes", backend);
  const double redis_bytes_low = before.master_offset - before.replica_ack_offset;
  const double redis_bytes_high = after.master_offset - after.replica_ack_offset;
  // The frozen replica's lag grows at the write rate, so lag / pause is one second of writes.
  const double one_second = std::max(1024.0, redis_bytes_high / paused_s);
  std::printf("lag bytes: resplit %.0f, Redis %.0f..%.0f, one second of writes %.0f\n",
              gauge_bytes, redis_bytes_low, redis_bytes_high, one_second);
  ASSERT_GE(before.replica_ack_offset, 0) << "the master does not list the replica";
  EXPECT_GE(gauge_bytes, redis_bytes_low - one_second);
  EXPECT_LE(gauge_bytes, redis_bytes_high + one_second);
  std::printf("replica stopped 3 s under load: lag %.2f s, %.0f bytes; routable %g\n", lag_seconds,
              lag_bytes, during.value("resplit_backend_routable", "role=\"replica\"," + backend));
  std::printf("after resume: lag back under 0.5 s and 64 KiB in %.2f s (last %.2f s, %.0f bytes)\n",
              caught_up_s, lag_after_s, lag_after_bytes);
  EXPECT_GE(lag_seconds, 2.0);
  EXPECT_LE(lag_seconds, paused_s + 1.0);
  EXPECT_GT(lag_bytes, 0);
  EXPECT_GE(caught_up_s, 0) << "lag " << lag_after_s << " s, " << lag_after_bytes << " bytes";
  EXPECT_EQ(during.value("resplit_backend_routable", "role=\"replica\"," + backend), 0);
  double exclusions = 0;
  for (const std::string reason : {"unreachable", "lag_seconds", "lag_bytes", "link_down"}) {
    exclusions += during.value("resplit_replica_exclusions_total",
                               backend + ",reason=\"" + reason + "\"");
  }
  EXPECT_GE(exclusions, 1);
}

}  // namespace
}  // namespace resplit::testkit
