// `resplit --check-config FILE`: OK and exit 0 for the reference config, and for every broken
// config its exact file:line:column errors on stderr and exit 1, without touching the network.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/testing/resplit_process.h"

extern char** environ;

namespace resplit::testkit {
namespace {

namespace fs = std::filesystem;

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, size_t(n));
  return text;
}

// Runs the binary with stdout and stderr captured separately (both are small: the pipes cannot
// fill up before the child exits).
RunResult run(std::vector<std::string> args) {
  const std::string out_path = ::testing::TempDir() + "/check_out";
  const std::string err_path = ::testing::TempDir() + "/check_err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  args.insert(args.begin(), resplit_binary());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  RunResult result;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) return result;
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  for (auto [path, text] : {std::pair{&out_path, &result.out}, std::pair{&err_path, &result.err}}) {
    int fd = ::open(path->c_str(), O_RDONLY);
    *text = read_all(fd);
    ::close(fd);
  }
  return result;
}

std::string expected_errors(const fs::path& expected, const std::string& file) {
  std::ifstream in(expected);
  std::string text, line;
  for (int i = 0; i < 1000 && std::getline(in, line); ++i) {
    if (line.empty()) continue;
    for (size_t at = line.find("{file}"); at != std::string::npos; at = line.find("{file}", at)) {
      line.replace(at, 6, file);
      at += file.size();
    }
    text += line + "\n";
  }
  return text;
}

TEST(CheckConfig, ReferenceConfigIsOk) {
  for (const char* flag : {"--check-config", "-t"}) {
    RunResult r = run({flag, "config/resplit.yaml"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.substr(0, 3), "OK\n");
    EXPECT_NE(r.out.find("listen.address"), std::string::npos) << "names restart-only settings";
    EXPECT_EQ(r.err, "");
  }
  RunResult r = run({"--check-config", "--config", "config/demo.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(CheckConfig, EachBrokenConfigGivesItsExactErrorsAndExitOne) {
  std::vector<fs::path> configs;
  for (const auto& entry : fs::directory_iterator("tests/config/broken")) {
    if (entry.path().extension() == ".yaml") configs.push_back(entry.path());
  }
  std::sort(configs.begin(), configs.end());
  EXPECT_GE(configs.size(), 20u);
  for (const fs::path& config : configs) {
    fs::path expected = config;
    expected.replace_extension(".expected");
    RunResult r = run({"--check-config", config.string()});
    EXPECT_EQ(r.exit_code, 1) << config;
    EXPECT_EQ(r.err, expected_errors(expected, config.string())) << config;
    EXPECT_EQ(r.out, "") << config;
  }
}

TEST(CheckConfig, MissingFileIsAnErrorNotACrash) {
  RunResult r = run({"--check-config", "no/such/file.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no/such/file.yaml"), std::string::npos) << r.err;
}

TEST(CheckConfig, ConfigGivenTwiceDifferentlyIsAUsageError) {
  RunResult r = run({"--check-config", "--config", "config/demo.yaml", "config/resplit.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("either --config or as an argument"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace resplit::testkit
