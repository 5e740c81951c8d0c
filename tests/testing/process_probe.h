// Fault and leak helpers for any process by PID (resplit, a server, a relay): pause and resume
// confirmed through /proc, and the health check that follows every fault test: still alive, open
// descriptors back to their baseline, resident memory.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace resplit::testkit {

// SIGSTOP and wait until /proc shows state 'T'; SIGCONT and wait until it leaves 'T'.
::testing::AssertionResult pause_process(
    pid_t pid, std::chrono::milliseconds timeout = std::chrono::seconds(2));
::testing::AssertionResult resume_process(
    pid_t pid, std::chrono::milliseconds timeout = std::chrono::seconds(2));

// Entries of /proc/<pid>/fd; -1 when unreadable (the process is gone).
long process_fd_count(pid_t pid);
// VmRSS and VmHWM (the peak) from /proc/<pid>/status, in KiB; -1 when unreadable.
long process_rss_kib(pid_t pid);
long process_peak_rss_kib(pid_t pid);
// Alive and not a zombie.
bool process_alive(pid_t pid);

// The process's TCP sockets by peer: "->" + remote port for connections (" stNN" appended when
// not established), "listen " + port for listeners; from its fd links and /proc/net/tcp.
std::map<std::string, int> tcp_sockets(pid_t pid);
// Local ports of the process's established connections to `remote_port`.
std::set<int> connections_to(pid_t pid, uint16_t remote_port);
// The same as one line: "->6379 x5, listen 7000".
std::string describe_tcp_sockets(pid_t pid);

struct ProcessBaseline {
  pid_t pid = 0;
  long fds = 0;
  long rss_kib = 0;
  std::string sockets;  // describe_tcp_sockets() at the time
};

ProcessBaseline take_baseline(pid_t pid);

// After a fault: the process is alive and its open descriptors return to the baseline within
// `slack` inside `within`. The message has the figures either way (stream it to the log).
::testing::AssertionResult recovered_to_baseline(
    const ProcessBaseline& baseline, std::chrono::milliseconds within = std::chrono::seconds(2),
    long slack = 2);

// For a proxy whose backend pools open connections lazily: passes when descriptors are back to
// the baseline (±slack), or when every remaining socket is a listener or a connection to one of
// `backend_ports` with at most `per_backend` each (no client connection and no stray socket
// left), within `within`.
::testing::AssertionResult no_leaked_connections(
    const ProcessBaseline& baseline, const std::vector<uint16_t>& backend_ports,
    int per_backend, std::chrono::milliseconds within = std::chrono::seconds(2), long slack = 2);

}  // namespace resplit::testkit
