// Runs leak_probe in every way a test binary can end and checks that none of the servers it
// started survive: not after a failed assertion, an exception, exit(), abort, SIGKILL or SIGTERM.
// This test is a child subreaper, so a server the probe left behind is reparented to it: that tells
// "the probe stopped its servers" apart from "the kernel's death signal killed the orphans".
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/testing/child_process.h"
#include "tests/testing/raw_client.h"
#include "tests/testing/temp_dir.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

std::string g_probe_path;

struct Server {
  pid_t pid = 0;
  uint16_t port = 0;
  std::string name;
};

struct ProbeRun {
  std::vector<Server> servers;
  int status = -1;
  std::string output;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Bounded poll: true once `done` holds, false after `timeout`.
template <typename Done>
bool eventually(Done done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (int round = 0; round < 100000; ++round) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

// A live server process: exists, is not a zombie, and is still a redis (not a recycled PID).
bool server_alive(pid_t pid) {
  const char state = process_state(pid);
  if (state == '\0' || state == 'Z') return false;
  return read_file("/proc/" + std::to_string(pid) + "/cmdline").find("redis") != std::string::npos;
}

enum class Ending { kOnItsOwn, kSigterm };

ProbeRun run_probe(const std::string& mode, Ending ending, std::vector<std::string> extra = {}) {
  ProbeRun run;
  TempDir dir("resplit-probe-" + mode);
  const std::string pid_file = dir.file("pids");
  std::vector<std::string> argv = {std::filesystem::absolute(g_probe_path).string(),
                                   "--mode=" + mode};
  argv.insert(argv.end(), extra.begin(), extra.end());
  ChildProcess probe;
  {
    // The probe inherits the environment. Its server directories go into `dir` too, because a
    // probe that is killed cannot remove them; this process keeps its own TEST_TMPDIR.
    const char* own = std::getenv("TEST_TMPDIR");
    const std::string saved = own != nullptr ? own : "";
    ::setenv("RESPLIT_LEAK_PROBE_PIDS", pid_file.c_str(), 1);
    ::setenv("TEST_TMPDIR", dir.path().c_str(), 1);
    probe.start(argv, dir.file("output"), dir.path());
    if (own != nullptr) {
      ::setenv("TEST_TMPDIR", saved.c_str(), 1);
    } else {
      ::unsetenv("TEST_TMPDIR");
    }
  }

  const bool listed =
      eventually([&] { return std::filesystem::exists(pid_file) || probe.exited(); }, 30s);
  std::istringstream lines(read_file(pid_file));
  Server server;
  while (lines >> server.pid >> server.port >> server.name) run.servers.push_back(server);

  if (listed && ending == Ending::kSigterm) ::kill(probe.pid(), SIGTERM);
  if (eventually([&] { return probe.exited(); }, 30s)) {
    run.status = probe.reap();
  } else {
    probe.kill9();
  }
  run.output = read_file(dir.file("output"));
  return run;
}

enum class Stopper { kProbe, kDeathSignal };

void expect_no_server_left(const ProbeRun& run, Stopper stopper) {
  ASSERT_EQ(run.servers.size(), 3u) << "the probe did not list master, replica and sentinel\n"
                                    << run.output;
  for (const Server& server : run.servers) {
    if (stopper == Stopper::kProbe) {
      // Reaped by the probe before it ended, so never handed to this process.
      const bool never_orphaned = ::waitpid(server.pid, nullptr, WNOHANG) == -1 && errno == ECHILD;
      EXPECT_TRUE(never_orphaned) << server.name << " pid " << server.pid << " outlived the probe\n"
                                  << run.output;
    } else {
      int status = 0;
      EXPECT_TRUE(
          eventually([&] { return ::waitpid(server.pid, &status, WNOHANG) == server.pid; }, 5s))
          << server.name << " pid " << server.pid << " was not orphaned and killed";
      EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << server.name;
    }
    EXPECT_TRUE(eventually([&] { return !server_alive(server.pid); }, 5s))
        << server.name << " pid " << server.pid << " survived the probe\n"
        << run.output;
    EXPECT_FALSE(RawClient(server.port, 200ms).connected())
        << server.name << " port " << server.port << " still accepts connections";
  }
}

TEST(NoLeftoversTest, FailedAssertion) {
  ProbeRun run = run_probe("fail", Ending::kOnItsOwn);
  EXPECT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 1) << run.output;
  expect_no_server_left(run, Stopper::kProbe);
}

TEST(NoLeftoversTest, ExceptionCaughtByGtest) {
  ProbeRun run = run_probe("throw", Ending::kOnItsOwn);
  EXPECT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 1) << run.output;
  expect_no_server_left(run, Stopper::kProbe);
}

TEST(NoLeftoversTest, UncaughtExceptionAborts) {
  ProbeRun run = run_probe("uncaught", Ending::kOnItsOwn, {"--gtest_catch_exceptions=0"});
  EXPECT_TRUE(WIFSIGNALED(run.status) && WTERMSIG(run.status) == SIGABRT) << run.output;
  expect_no_server_left(run, Stopper::kProbe);
}

TEST(NoLeftoversTest, ExitInTheMiddleOfATest) {
  ProbeRun run = run_probe("exit", Ending::kOnItsOwn);
  EXPECT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 3) << run.output;
  expect_no_server_left(run, Stopper::kProbe);
}

TEST(NoLeftoversTest, SigkillOfTheTestBinary) {
  ProbeRun run = run_probe("sigkill", Ending::kOnItsOwn);
  EXPECT_TRUE(WIFSIGNALED(run.status) && WTERMSIG(run.status) == SIGKILL) << run.output;
  expect_no_server_left(run, Stopper::kDeathSignal);
}

TEST(NoLeftoversTest, SigtermOfAHangingTestBinary) {
  ProbeRun run = run_probe("hang", Ending::kSigterm);
  EXPECT_TRUE(WIFSIGNALED(run.status) && WTERMSIG(run.status) == SIGTERM) << run.output;
  expect_no_server_left(run, Stopper::kProbe);
}

}  // namespace
}  // namespace resplit::testkit

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("--probe=")) resplit::testkit::g_probe_path = arg.substr(8);
  }
  if (resplit::testkit::g_probe_path.empty()) {
    std::cerr << "usage: no_leftovers_test --probe=<path to leak_probe>\n";
    return 2;
  }
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  return RUN_ALL_TESTS();
}
