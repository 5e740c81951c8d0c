#include "tests/testing/process_probe.h"

#include <dirent.h>
#include <signal.h>

#include <fstream>
#include <string>
#include <thread>

#include "tests/testing/child_process.h"

namespace resplit::testkit {
namespace {

using Clock = std::chrono::steady_clock;

template <typename Predicate>
bool poll_until(Predicate done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

long status_field_kib(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

}  // namespace

::testing::AssertionResult pause_process(pid_t pid, std::chrono::milliseconds timeout) {
  if (pid <= 0 || ::kill(pid, SIGSTOP) != 0) {
    return ::testing::AssertionFailure() << "cannot SIGSTOP pid " << pid;
  }
  if (!poll_until([pid] { return process_state(pid) == 'T'; }, timeout)) {
    return ::testing::AssertionFailure() << "pid " << pid << " not in state T after SIGSTOP";
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult resume_process(pid_t pid, std::chrono::milliseconds timeout) {
  if (pid <= 0 || ::kill(pid, SIGCONT) != 0) {
    return ::testing::AssertionFailure() << "cannot SIGCONT pid " << pid;
  }
  if (!poll_until([pid] { return process_state(pid) != 'T'; }, timeout)) {
    return ::testing::AssertionFailure() << "pid " << pid << " still in state T after SIGCONT";
  }
  return ::testing::AssertionSuccess();
}

long process_fd_count(pid_t pid) {
  DIR* dir = ::opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (dir == nullptr) return -1;
  long count = 0;
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count;
}

long process_rss_kib(pid_t pid) { return status_field_kib(pid, "VmRSS"); }
long process_peak_rss_kib(pid_t pid) { return status_field_kib(pid, "VmHWM"); }

bool process_alive(pid_t pid) {
  const char state = process_state(pid);
  return state != '\0' && state != 'Z' && state != 'X';
}

ProcessBaseline take_baseline(pid_t pid) {
  return {pid, process_fd_count(pid), process_rss_kib(pid)};
}

::testing::AssertionResult recovered_to_baseline(const ProcessBaseline& baseline,
                                                 std::chrono::milliseconds within, long slack) {
  long fds = -1;
  const bool settled = poll_until(
      [&] {
        fds = process_fd_count(baseline.pid);
        return fds >= 0 && fds <= baseline.fds + slack && fds >= baseline.fds - slack;
      },
      within);
  const long rss = process_rss_kib(baseline.pid);
  auto result = settled && process_alive(baseline.pid) ? ::testing::AssertionSuccess()
                                                       : ::testing::AssertionFailure();
  result << "LEAK CHECK pid " << baseline.pid << ": alive=" << process_alive(baseline.pid)
         << " fds " << baseline.fds << " -> " << fds << " (slack " << slack << ", "
         << within.count() << " ms) rss " << baseline.rss_kib / 1024 << " -> " << rss / 1024
         << " MiB";
  return result;
}

}  // namespace resplit::testkit
