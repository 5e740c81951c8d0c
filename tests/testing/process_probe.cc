#include "tests/testing/process_probe.h"

#include <dirent.h>
#include <signal.h>

#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>
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

namespace {

struct TcpRow {
  int local_port = 0;
  int remote_port = 0;
  std::string state;  // /proc/net/tcp's hex state: 01 established, 0A listening
};

std::vector<TcpRow> tcp_rows(pid_t pid) {
  const std::string fd_dir = "/proc/" + std::to_string(pid) + "/fd";
  std::set<std::string> inodes;
  DIR* dir = ::opendir(fd_dir.c_str());
  if (dir == nullptr) return {};
  while (dirent* entry = ::readdir(dir)) {
    char target[128];
    const ssize_t n =
        ::readlink((fd_dir + "/" + entry->d_name).c_str(), target, sizeof target - 1);
    if (n <= 0) continue;
    const std::string link(target, n);
    if (link.rfind("socket:[", 0) == 0) inodes.insert(link.substr(8, link.size() - 9));
  }
  ::closedir(dir);
  std::vector<TcpRow> rows;
  std::ifstream tcp("/proc/" + std::to_string(pid) + "/net/tcp");
  std::string line;
  std::getline(tcp, line);  // header
  while (std::getline(tcp, line)) {
    std::istringstream in(line);
    std::string slot, local, remote, state, queues, timer, retr, uid, timeout, inode;
    in >> slot >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >> inode;
    if (!inodes.contains(inode)) continue;
    rows.push_back({std::stoi(local.substr(local.find(':') + 1), nullptr, 16),
                    std::stoi(remote.substr(remote.find(':') + 1), nullptr, 16), state});
  }
  return rows;
}

}  // namespace

std::map<std::string, int> tcp_sockets(pid_t pid) {
  std::map<std::string, int> by_peer;
  for (const TcpRow& row : tcp_rows(pid)) {
    if (row.state == "0A") {
      ++by_peer["listen " + std::to_string(row.local_port)];
    } else {
      ++by_peer["->" + std::to_string(row.remote_port) + (row.state == "01" ? "" : " st" + row.state)];
    }
  }
  return by_peer;
}

std::set<int> connections_to(pid_t pid, uint16_t remote_port) {
  std::set<int> ports;
  for (const TcpRow& row : tcp_rows(pid)) {
    if (row.state == "01" && row.remote_port == remote_port) ports.insert(row.local_port);
  }
  return ports;
}

std::string describe_tcp_sockets(pid_t pid) {
  const auto by_peer = tcp_sockets(pid);
  if (by_peer.empty()) return "(none)";
  std::string out;
  for (const auto& [peer, count] : by_peer) {
    out += (out.empty() ? "" : ", ") + peer + (count > 1 ? " x" + std::to_string(count) : "");
  }
  return out;
}

ProcessBaseline take_baseline(pid_t pid) {
  return {pid, process_fd_count(pid), process_rss_kib(pid), describe_tcp_sockets(pid)};
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
  if (!settled) {
    result << "\n  sockets before: " << baseline.sockets
           << "\n  sockets after:  " << describe_tcp_sockets(baseline.pid);
  }
  return result;
}

::testing::AssertionResult no_leaked_connections(const ProcessBaseline& baseline,
                                                 const std::vector<uint16_t>& backend_ports,
                                                 int per_backend,
                                                 std::chrono::milliseconds within, long slack) {
  std::string why;
  auto within_pools = [&] {
    const auto sockets = tcp_sockets(baseline.pid);
    for (const auto& [peer, count] : sockets) {
      if (peer.rfind("listen ", 0) == 0) continue;
      bool backend = false;
      for (uint16_t port : backend_ports) backend |= peer == "->" + std::to_string(port);
      if (!backend || count > per_backend) {
        why = peer + " x" + std::to_string(count);
        return false;
      }
    }
    return true;
  };
  auto result = recovered_to_baseline(baseline, within, slack);
  if (result) return result;
  if (process_alive(baseline.pid) && poll_until(within_pools, within)) {
    return ::testing::AssertionSuccess()
           << result.message() << " (only backend pool connections differ: "
           << describe_tcp_sockets(baseline.pid) << ")";
  }
  return ::testing::AssertionFailure() << result.message() << "\n  not a pool connection: " << why;
}

}  // namespace resplit::testkit
