#include "tests/testing/child_registry.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

// Plain atomics in a fixed table: the signal hook may read them, and it must not allocate or lock.
constexpr size_t kSlots = 256;
std::array<std::atomic<pid_t>, kSlots> g_slots{};
// The process that owns the table; a forked copy of this process (before exec, or a death-test
// child) must not stop the servers of its parent.
std::atomic<pid_t> g_owner{0};

constexpr std::array<int, 3> kStopSignals = {SIGTERM, SIGINT, SIGABRT};
struct sigaction g_previous[kStopSignals.size()];

constexpr auto kExitGrace = 5000ms;

void on_stop_signal(int sig) {
  ChildRegistry::kill_all_now();
  for (size_t i = 0; i < kStopSignals.size(); ++i) {
    if (kStopSignals[i] == sig) ::sigaction(sig, &g_previous[i], nullptr);
  }
  // Delivered when this handler returns: the process ends the way it would have without us.
  ::raise(sig);
}

void on_exit() {
  if (g_owner.load() != ::getpid()) return;
  std::vector<pid_t> children = ChildRegistry::pids();
  stop_children(children, kExitGrace);
}

void install_hooks() {
  g_owner.store(::getpid());
  std::atexit(on_exit);
  for (size_t i = 0; i < kStopSignals.size(); ++i) {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    struct sigaction previous {};
    ::sigaction(kStopSignals[i], nullptr, &previous);
    // A signal the binary was told to ignore stays ignored.
    if (previous.sa_handler == SIG_IGN) continue;
    g_previous[i] = previous;
    ::sigaction(kStopSignals[i], &action, nullptr);
  }
}

}  // namespace

void ChildRegistry::add(pid_t pid) {
  static std::once_flag hooks;
  std::call_once(hooks, install_hooks);
  for (auto& slot : g_slots) {
    pid_t empty = 0;
    if (slot.compare_exchange_strong(empty, pid)) return;
  }
  throw std::runtime_error("ChildRegistry: too many child processes");
}

void ChildRegistry::remove(pid_t pid) {
  for (auto& slot : g_slots) {
    pid_t expected = pid;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

bool ChildRegistry::contains(pid_t pid) {
  for (const auto& slot : g_slots) {
    if (slot.load() == pid) return true;
  }
  return false;
}

std::vector<pid_t> ChildRegistry::pids() {
  std::vector<pid_t> result;
  for (const auto& slot : g_slots) {
    if (pid_t pid = slot.load(); pid > 0) result.push_back(pid);
  }
  return result;
}

void ChildRegistry::kill_all_now() noexcept {
  if (g_owner.load() != ::getpid()) return;
  for (auto& slot : g_slots) {
    if (pid_t pid = slot.load(); pid > 0) ::kill(pid, SIGKILL);
  }
  for (auto& slot : g_slots) {
    pid_t pid = slot.exchange(0);
    if (pid > 0) ::waitpid(pid, nullptr, 0);
  }
}

bool child_exited(pid_t pid) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return true;  // ECHILD: already reaped, or not our child.
  }
  return info.si_pid == pid;
}

void stop_children(std::span<const pid_t> requested, std::chrono::milliseconds grace) {
  // A PID no longer recorded was reaped already (e.g. by the exit hook) and may have been recycled.
  std::vector<pid_t> pids;
  for (pid_t pid : requested) {
    if (pid > 0 && ChildRegistry::contains(pid)) pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    ::kill(pid, SIGTERM);
    ::kill(pid, SIGCONT);
  }
  const auto deadline = std::chrono::steady_clock::now() + grace;
  auto pause = 1ms;
  // Bounded by the deadline; the pause grows so a slow shutdown costs little CPU.
  for (int round = 0; round < 10000; ++round) {
    bool all_exited = true;
    for (pid_t pid : pids) all_exited = all_exited && child_exited(pid);
    if (all_exited || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
  for (pid_t pid : pids) {
    if (!child_exited(pid)) ::kill(pid, SIGKILL);
  }
  for (pid_t pid : pids) {
    ChildRegistry::remove(pid);
    ::waitpid(pid, nullptr, 0);
  }
}

}  // namespace resplit::testkit
