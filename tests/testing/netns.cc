#include "tests/testing/netns.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace resplit::testkit {

int run_command(const std::vector<std::string>& argv, std::string* output,
                std::chrono::milliseconds timeout) {
  int pipe_fds[2];
  if (argv.empty() || ::pipe2(pipe_fds, O_CLOEXEC) != 0) return -1;
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return -1;
  }
  if (pid == 0) {
    ::dup2(pipe_fds[1], 1);
    ::dup2(pipe_fds[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  ::fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  std::string collected;
  while (true) {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(pipe_fds[0], buf, sizeof buf)) > 0) collected.append(buf, n);
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);  // our own child, by its PID
      ::waitpid(pid, &status, 0);
      status = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::close(pipe_fds[0]);
  if (output != nullptr) *output = collected;
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

std::optional<NetNamespace> NetNamespace::create(std::string* why) {
  static std::atomic<int> counter{0};
  const std::string name =
      "resplit-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  std::string output;
  const int status = run_command({"ip", "netns", "add", name}, &output);
  if (status != 0) {
    if (why != nullptr) {
      *why = "`ip netns add` exited " + std::to_string(status) + ": " + output;
      while (!why->empty() && why->back() == '\n') why->pop_back();
    }
    return std::nullopt;
  }
  return NetNamespace(name);
}

NetNamespace::~NetNamespace() {
  if (!name_.empty()) run_command({"ip", "netns", "delete", name_});
}

int NetNamespace::exec(const std::vector<std::string>& command) const {
  std::vector<std::string> argv = {"ip", "netns", "exec", name_};
  argv.insert(argv.end(), command.begin(), command.end());
  return run_command(argv);
}

}  // namespace resplit::testkit
