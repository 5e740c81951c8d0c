// Small shared pieces of the checker-driven battery tests: command counts from a server's
// INFO commandstats, and waiting for a server to take traffic.
#pragma once

#include <chrono>
#include <string>

#include "tests/testing/checker_client.h"
#include "tests/testing/process_probe.h"

#include "tests/testing/redis_topology.h"

namespace resplit::testkit::chaos {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start);
// Calls of `command` (lower case) on `node` so far, from INFO commandstats; 0 when none.
long long command_calls(RedisProcess& node, const std::string& command);
// Until `node` has answered `more` more GETs than `before`: the seconds it took, or -1.
double seconds_until_gets(RedisProcess& node, long long before, long long more,
                          std::chrono::milliseconds deadline);

// Error replies `node` has given with this code (INFO errorstats, e.g. "LOADING"); 0 when none.
long long error_replies(RedisProcess& node, const std::string& code);
// Times resplit (admin endpoint on `admin_port`) took `replica` out of read rotation.
double replica_exclusions(uint16_t admin_port, const RedisProcess& replica);
// The replica's end of its replication link ("laddr" in CLIENT LIST TYPE master); 0 if none.
uint16_t replication_link_port(RedisProcess& replica);
// resplit's RSS once it is at most `bound_kib`, or after `limit` whatever it is then.
long rss_once_within(pid_t proxy_pid, long bound_kib, std::chrono::seconds limit);

// Runs a short checker load through the proxy on `port` first (so backend connections exist and
// the allocator has settled), then takes the baseline of `proxy_pid` with no client connected.
ProcessBaseline warmed_baseline(uint16_t port, pid_t proxy_pid, CheckerOptions options);

// The leak check after a fault against `topology`'s servers (pools of 2 workers x 2 connections
// plus the monitor's per backend; `extra_ports` adds relays standing in for a server).
::testing::AssertionResult no_leaks_after_fault(const ProcessBaseline& baseline,
                                                 RedisTopology& topology,
                                                 std::vector<uint16_t> extra_ports = {});

}  // namespace resplit::testkit::chaos
