// One child process started with fork/exec (no shell), recorded in ChildRegistry and killed by the
// kernel when this process dies (PR_SET_PDEATHSIG), so it is always stopped by its own PID.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace resplit::testkit {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess() { stop(); }

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts `argv[0]` (an absolute path) with `argv`, stdin from /dev/null, stdout and stderr
  // appended to `output_path`, in `workdir`, with no other descriptors inherited.
  // The death signal is bound to the calling thread: start children from a thread that outlives
  // them (gtest's main thread does). Throws std::runtime_error when the child cannot be forked.
  void start(const std::vector<std::string>& argv, const std::string& output_path,
             const std::string& workdir);

  // 0 when no child is running or waiting to be reaped.
  pid_t pid() const { return pid_; }
  bool started() const { return pid_ > 0; }
  // True once the child has exited (it stays unreaped until stop() or reap()).
  bool exited() const;
  // Reaps an exited child and returns its wait status (see <sys/wait.h>); -1 if there was none.
  int reap();

  // SIGTERM, up to `grace` to exit, then SIGKILL; reaps. Safe to call when not running.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // Stops several children at once, so their shutdowns overlap.
  static void stop_all(const std::vector<ChildProcess*>& children,
                       std::chrono::milliseconds grace = std::chrono::seconds(5));
  // SIGKILL and reap.
  void kill9();
  // SIGSTOP / SIGCONT, then waits until /proc shows the child stopped (`T`) / running again.
  // False if the state was not reached within `timeout`.
  bool pause(std::chrono::milliseconds timeout = std::chrono::seconds(2));
  bool resume(std::chrono::milliseconds timeout = std::chrono::seconds(2));
  // The state letter from /proc/<pid>/stat (`R`, `S`, `T`, `Z`, ...), or '\0' if unreadable.
  char state() const;

 private:
  pid_t pid_ = 0;
};

// The state letter of any process from /proc/<pid>/stat, or '\0' if it does not exist.
char process_state(pid_t pid);

}  // namespace resplit::testkit
