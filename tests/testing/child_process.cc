#include "tests/testing/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include "tests/testing/child_registry.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

void write_stderr(const char* text) {
  ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

// Runs in the forked child of a possibly multi-threaded parent: async-signal-safe calls only.
[[noreturn]] void exec_child(pid_t parent, char* const* argv, int in_fd, int out_fd,
                             const char* workdir) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // The parent may have died before the line above took effect; then nobody would kill us.
  if (::getppid() != parent) ::_exit(127);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::dup2(in_fd, STDIN_FILENO);
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(out_fd, STDERR_FILENO);
  // Inherited sockets or pipe ends would keep the parent's peers from seeing EOF.
  if (::syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
    for (int fd = 3; fd < 65536; ++fd) ::close(fd);
  }
  if (::chdir(workdir) != 0) {
    write_stderr("child_process: chdir failed\n");
    ::_exit(127);
  }
  ::execv(argv[0], argv);
  write_stderr("child_process: exec failed: ");
  write_stderr(argv[0]);
  write_stderr("\n");
  ::_exit(127);
}

// Polls `done` until it holds or `timeout` passes; bounded in rounds as well as in time.
template <typename Done>
bool poll_until(Done done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (int round = 0; round < 100000; ++round) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return done();
}

}  // namespace

void ChildProcess::start(const std::vector<std::string>& argv, const std::string& output_path,
                         const std::string& workdir) {
  if (started()) throw std::logic_error("ChildProcess::start: already running");
  if (argv.empty()) throw std::invalid_argument("ChildProcess::start: empty argv");
  // Everything the child needs is prepared here: it may not allocate after fork.
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  int in_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out_fd = ::open(output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (in_fd < 0 || out_fd < 0) {
    int saved = errno;
    if (in_fd >= 0) ::close(in_fd);
    if (out_fd >= 0) ::close(out_fd);
    throw std::runtime_error("open " + output_path + ": " + std::strerror(saved));
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) exec_child(parent, args.data(), in_fd, out_fd, workdir.c_str());
  int saved = errno;
  ::close(in_fd);
  ::close(out_fd);
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(saved));
  pid_ = pid;
  try {
    ChildRegistry::add(pid);
  } catch (...) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    pid_ = 0;
    throw;
  }
}

bool ChildProcess::exited() const { return started() && child_exited(pid_); }

int ChildProcess::reap() {
  if (!started()) return -1;
  ChildRegistry::remove(pid_);
  int status = -1;
  ::waitpid(pid_, &status, 0);
  pid_ = 0;
  return status;
}

void ChildProcess::stop(std::chrono::milliseconds grace) {
  if (!started()) return;
  const pid_t pid = pid_;
  pid_ = 0;
  stop_children({&pid, 1}, grace);
}

void ChildProcess::stop_all(const std::vector<ChildProcess*>& children,
                            std::chrono::milliseconds grace) {
  std::vector<pid_t> pids;
  for (ChildProcess* child : children) {
    if (child->started()) pids.push_back(std::exchange(child->pid_, 0));
  }
  stop_children(pids, grace);
}

void ChildProcess::kill9() {
  if (!started()) return;
  // No SIGTERM first: the server must not get a chance to shut down cleanly.
  ::kill(pid_, SIGKILL);
  reap();
}

bool ChildProcess::pause(std::chrono::milliseconds timeout) {
  if (!started() || ::kill(pid_, SIGSTOP) != 0) return false;
  return poll_until([this] { return state() == 'T'; }, timeout);
}

bool ChildProcess::resume(std::chrono::milliseconds timeout) {
  if (!started() || ::kill(pid_, SIGCONT) != 0) return false;
  return poll_until([this] { return state() != 'T'; }, timeout);
}

char ChildProcess::state() const { return started() ? process_state(pid_) : '\0'; }

char process_state(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return '\0';
  // The command name in parentheses may contain spaces; the state follows the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos || close + 2 >= line.size()) return '\0';
  return line[close + 2];
}

}  // namespace resplit::testkit
