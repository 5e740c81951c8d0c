#include "tests/chaos/battery.h"

#include <algorithm>
#include <iostream>
#include <thread>

#include "proxy/backend/pool.h"
#include "tests/integration/admin_client.h"
#include "tests/testing/reply.h"
#include "tests/testing/redis_process.h"

namespace resplit::testkit::chaos {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

long long command_calls(RedisProcess& node, const std::string& command) {
  auto info = node.client(std::chrono::milliseconds(1000)).info("commandstats");
  auto it = info.find("cmdstat_" + command);
  if (it == info.end()) return 0;
  const auto start = it->second.find("calls=");
  if (start == std::string::npos) return 0;
  return std::stoll(it->second.substr(start + 6));
}

double seconds_until_gets(RedisProcess& node, long long before, long long more,
                          std::chrono::milliseconds deadline) {
  const auto start = Clock::now();
  while (Clock::now() - start < deadline) {
    if (command_calls(node, "get") >= before + more) return seconds_since(start);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

long long error_replies(RedisProcess& node, const std::string& code) {
  const auto info = node.client(std::chrono::milliseconds(1000)).info("errorstats");
  const auto it = info.find("errorstat_" + code);
  return it == info.end() ? 0 : std::stoll(it->second.substr(it->second.find('=') + 1));
}

double replica_exclusions(uint16_t admin_port, const RedisProcess& replica) {
  return scrape(admin_port)
      .sum("resplit_replica_exclusions_total", "backend=\"" + replica.address() + "\"");
}

uint16_t replication_link_port(RedisProcess& replica) {
  const Reply list = replica.client().command({"CLIENT", "LIST", "TYPE", "master"});
  const size_t at = list.str.find(" laddr=");
  if (at == std::string::npos) return 0;
  return static_cast<uint16_t>(std::stoi(list.str.substr(list.str.find(':', at) + 1)));
}

long rss_once_within(pid_t proxy_pid, long bound_kib, std::chrono::seconds limit) {
  const auto until = Clock::now() + limit;
  long rss = process_rss_kib(proxy_pid);
  while (rss > bound_kib && Clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    rss = process_rss_kib(proxy_pid);
  }
  return rss;
}

ProcessBaseline warmed_baseline(uint16_t port, pid_t proxy_pid, CheckerOptions options) {
  options.run = "warmup:";
  // Readers too: writing sessions read from the master (read-your-writes), and the replicas'
  // connections must exist before the baseline as well.
  options.reader_sessions = std::max<size_t>(options.reader_sessions, 4);
  {
    Checker warmup(port, options);
    warmup.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    warmup.stop();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // client sockets closed
  return take_baseline(proxy_pid);
}

::testing::AssertionResult no_leaks_after_fault(const ProcessBaseline& baseline,
                                                 RedisTopology& topology,
                                                 std::vector<uint16_t> extra_ports) {
  // The monitor's connection plus, per worker (2 on 2 cores), pool.connections_per_backend (2)
  // shared connections and the idle pinned connections a pool keeps for reuse after a
  // transaction or blocking command.
  constexpr int kWorkers = 2;
  constexpr int kPerBackend =
      1 + kWorkers * (2 + static_cast<int>(backend::PoolOptions{}.max_idle_pinned));
  for (RedisProcess* p : topology.processes()) extra_ports.push_back(p->port());
  auto result = no_leaked_connections(baseline, extra_ports, kPerBackend);
  std::cout << result.message() << "\n";
  return result;
}

}  // namespace resplit::testkit::chaos
