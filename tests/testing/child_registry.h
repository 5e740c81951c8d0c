// The process-wide record of every server process this test binary started. It stops them by PID
// when the binary exits (atexit) or is told to stop (SIGTERM from a Bazel timeout, SIGINT,
// SIGABRT), so servers never outlive the test that started them. It never touches processes it did
// not start.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <span>
#include <vector>

namespace resplit::testkit {

class ChildRegistry {
 public:
  // Records a child started by this process. The first call installs the exit and signal hooks.
  // Throws std::runtime_error when the fixed-size table (sized for signal safety) is full.
  static void add(pid_t pid);
  // Forgets a child; call before reaping it, so the hooks never signal a recycled PID.
  static void remove(pid_t pid);
  static bool contains(pid_t pid);
  static std::vector<pid_t> pids();

  // SIGKILLs and reaps every recorded child; async-signal-safe (used from the signal hook).
  static void kill_all_now() noexcept;
};

// Stops the given children: SIGTERM (and SIGCONT, so a paused one sees it), waits up to `grace` for
// all of them, SIGKILLs the rest, then reaps each and removes it from the registry.
void stop_children(std::span<const pid_t> pids, std::chrono::milliseconds grace);

// True once `pid` (a child of this process) has exited; does not reap it.
bool child_exited(pid_t pid);

}  // namespace resplit::testkit
