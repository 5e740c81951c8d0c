// Starts a small topology through the fixture, records its servers in the file named by
// $RESPLIT_LEAK_PROBE_PIDS ("pid port name" lines), then ends the way --mode= says:
// fail, throw, uncaught (run with --gtest_catch_exceptions=0), exit, sigkill, or hang.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "tests/testing/redis_topology_fixture.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

std::string g_mode;

class LeakProbe : public RedisTopologyFixture {
 protected:
  TopologyOptions topology_options() const override { return {.replicas = 1, .sentinels = 1}; }
};

void write_pids(RedisTopology& topology) {
  const char* path = std::getenv("RESPLIT_LEAK_PROBE_PIDS");
  ASSERT_NE(path, nullptr) << "RESPLIT_LEAK_PROBE_PIDS is not set";
  // Written whole, then renamed, so the reader never sees half a list.
  const std::string partial = std::string(path) + ".partial";
  {
    std::ofstream out(partial, std::ios::trunc);
    for (RedisProcess* process : topology.processes()) {
      out << process->pid() << ' ' << process->port() << ' ' << process->name() << '\n';
    }
    ASSERT_TRUE(out.good());
  }
  std::filesystem::rename(partial, path);
}

TEST_F(LeakProbe, StartsServersThenEnds) {
  write_pids(topology());
  if (g_mode == "fail") FAIL() << "failing on purpose";
  if (g_mode == "throw" || g_mode == "uncaught") throw std::runtime_error("throwing on purpose");
  if (g_mode == "exit") std::exit(3);
  if (g_mode == "sigkill") ::raise(SIGKILL);
  if (g_mode == "hang") {
    // Waits for the parent's SIGTERM; bounded so a lost signal cannot hang forever.
    for (int second = 0; second < 60; ++second) std::this_thread::sleep_for(1s);
  }
  FAIL() << "unknown or unfinished mode '" << g_mode << "'";
}

}  // namespace
}  // namespace resplit::testkit

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("--mode=")) resplit::testkit::g_mode = arg.substr(7);
  }
  return RUN_ALL_TESTS();
}
