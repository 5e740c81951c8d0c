// D6: the master's DNS name moves to a new address, as a Kubernetes master pod comes back with a
// new IP after its node died. The test runs in a network namespace and a mount namespace of its
// own whose /etc/hosts is the test's file (as `ip netns exec` gives a namespace its hosts file):
// resplit and the replicas know the master only as master.test and resolve it through the system
// resolver. The master is killed, a new one starts at another address, and the name is moved
// there. resplit must write to the new address within its reconnect interval plus 1 s, without a
// restart and without a write sent to a replica; the replicas follow the name too, resync, and
// take reads again.
// Where the namespaces cannot be made, the test says "skipped (no netns)".
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/chaos/battery.h"
#include "tests/testing/child_process.h"
#include "tests/testing/free_port.h"
#include "tests/testing/packet_filter.h"
#include "tests/testing/private_hosts.h"
#include "tests/testing/redis_process.h"
#include "tests/testing/reply.h"
#include "tests/testing/resplit_process.h"
#include "tests/testing/temp_dir.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;

constexpr char kName[] = "master.test";
constexpr char kFirstIp[] = "127.0.0.2";
constexpr char kSecondIp[] = "127.0.0.3";
constexpr auto kReconnectMax = 500ms;  // pool.reconnect_backoff_max below

// A redis-server of the test's own at `ip`:`port` (RedisProcess binds 127.0.0.1 only).
class ServerAt {
 public:
  ServerAt(const std::string& ip, uint16_t port) : ip_(ip), port_(port), dir_("resplit-d6") {
    process_.start({redis_server_path(), "--bind", ip, "--port", std::to_string(port), "--dir",
                    dir_.path(), "--save", "", "--appendonly", "no", "--daemonize", "no"},
                   dir_.file("stdout.log"), dir_.path());
    for (int i = 0; i < 200; ++i) {
      if (client().command({"PING"}) == Reply::status("PONG")) return;
      std::this_thread::sleep_for(25ms);
    }
    ADD_FAILURE() << "redis-server at " << ip << ":" << port << " did not start";
  }
  RedisClient client() const { return RedisClient(ip_, port_, 1s); }
  void kill9() { process_.kill9(); }

 private:
  std::string ip_;
  uint16_t port_;
  TempDir dir_;
  ChildProcess process_;
};

class DnsChangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!enter_private_network(&why) ||
        !use_private_hosts_file(dir_.file("hosts"), host_line(kFirstIp), &why)) {
      std::cout << "skipped (no netns): " << why << std::endl;
      GTEST_SKIP() << "skipped (no netns): " << why;
    }
  }
  static std::string host_line(const std::string& ip) { return ip + " " + kName + "\n"; }

  TempDir dir_{"resplit-d6-hosts"};
};

TEST_F(DnsChangeTest, D6_MasterNameMovesToANewAddressAndResplitFollowsIt) {
  const auto test_start = Clock::now();
  const uint16_t port = pick_free_port();
  auto first = std::make_unique<ServerAt>(kFirstIp, port);
  std::vector<std::unique_ptr<RedisProcess>> replicas;
  for (int i = 0; i < 2; ++i) {
    replicas.push_back(std::make_unique<RedisProcess>(RedisProcessOptions{
        .name = "d6-replica", .args = {"--replicaof", kName, std::to_string(port)}}));
  }
  ResplitOptions options;
  options.config = std::string("master: {address: \"") + kName + ":" + std::to_string(port) +
                   "\"}\nreplicas: {discovery: static, addresses: [\"" +
                   replicas[0]->address() + "\", \"" + replicas[1]->address() + "\"]}\n" +
                   "health_check: {interval: 100ms, timeout: 500ms, failure_threshold: 2, "
                   "success_threshold: 2}\n"
                   "pool: {reconnect_backoff_max: 500ms}\n"
                   "routing: {read_your_writes: false}\n"
                   "logging: {level: info, format: text}\n";
  ResplitProcess proxy(options);

  // Both replicas synced and taking reads through resplit.
  auto reads_reach_replicas = [&](const std::string& key, const std::string& value,
                                  std::chrono::seconds limit) {
    RedisClient c = proxy.client();
    const long long before =
        command_calls(*replicas[0], "get") + command_calls(*replicas[1], "get");
    const auto until = Clock::now() + limit;
    while (Clock::now() < until) {
      const bool answered = c.command({"GET", key}) == Reply::bulk(value);
      const long long gets =
          command_calls(*replicas[0], "get") + command_calls(*replicas[1], "get");
      if (answered && gets > before + 20) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  };
  ASSERT_EQ(proxy.client().command({"SET", "d6:before", "1"}), Reply::status("OK"));
  ASSERT_TRUE(reads_reach_replicas("d6:before", "1", 20s)) << proxy.log_tail();

  // A writer through resplit, one SET every 5 ms, noting when each was acknowledged.
  std::mutex mu;
  std::vector<std::pair<Clock::time_point, std::string>> acked;
  size_t errors = 0, unknown = 0;
  std::string first_error;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    RedisClient c = proxy.client(10s);
    for (int i = 0; !stop && i < 100000; ++i) {
      const std::string key = "d6:w:" + std::to_string(i);
      const Reply r = c.command({"SET", key, "v"});
      std::lock_guard lock(mu);
      if (r == Reply::status("OK")) {
        acked.emplace_back(Clock::now(), key);
      } else {
        // The one write in flight when the master is killed is rightly of unknown outcome.
        if (to_string(r).find("outcome of the command unknown") != std::string::npos) {
          ++unknown;
        } else if (errors++ == 0) {
          first_error = to_string(r);
        }
        if (!c.connected()) c.reconnect();
      }
      std::this_thread::sleep_for(5ms);
    }
  });
  std::this_thread::sleep_for(1s);

  first->kill9();
  const auto killed_at = Clock::now();
  ServerAt second(kSecondIp, port);
  ASSERT_TRUE(rewrite_hosts_file(dir_.file("hosts"), host_line(kSecondIp)));
  const auto moved_at = Clock::now();

  std::optional<double> recovered_s;
  while (!recovered_s && Clock::now() - moved_at < 10s) {
    {
      std::lock_guard lock(mu);
      if (!acked.empty() && acked.back().first > moved_at) {
        recovered_s = std::chrono::duration<double>(acked.back().first - moved_at).count();
      }
    }
    std::this_thread::sleep_for(5ms);
  }
  std::this_thread::sleep_for(1s);
  stop = true;
  writer.join();

  // Every write acknowledged after the move is on the new master.
  size_t after_move = 0, missing = 0;
  {
    RedisClient c = second.client();
    for (const auto& [at, key] : acked) {
      if (at <= moved_at) continue;
      ++after_move;
      missing += c.command({"EXISTS", key}) != Reply::number(1);
    }
  }
  // The replicas follow the name as well, resync from the new master and serve reads again.
  ASSERT_EQ(proxy.client().command({"SET", "d6:after", "2"}), Reply::status("OK"));
  const auto resync_from = Clock::now();
  const bool reads_back = reads_reach_replicas("d6:after", "2", 30s);
  const double reads_back_s = seconds_since(resync_from);
  const long long readonly = error_replies(*replicas[0], "READONLY") +
                             error_replies(*replicas[1], "READONLY");

  std::cout << "FIGURES D6 master name moved: writes back " << (recovered_s ? *recovered_s : -1)
            << " s after the name moved (the new master was up "
            << std::chrono::duration<double>(moved_at - killed_at).count()
            << " s after the kill), bound "
            << std::chrono::duration<double>(kReconnectMax).count() + 1 << " s; " << acked.size()
            << " writes acknowledged, " << errors << " errors, " << unknown
            << " of unknown outcome (in flight at the kill), " << after_move
            << " acknowledged after the move, " << missing
            << " of them missing on the new master; replicas serving reads again after "
            << reads_back_s << " s; READONLY answers from replicas " << readonly << "; test "
            << seconds_since(test_start) << " s\n";
  ASSERT_TRUE(recovered_s.has_value()) << "no write succeeded after the name moved\n"
                                       << proxy.log_tail();
  EXPECT_LE(*recovered_s, std::chrono::duration<double>(kReconnectMax).count() + 1);
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(errors, 0u) << "writes should wait for the new master (timeouts.failover_wait); first: "
                        << first_error;
  EXPECT_LE(unknown, 1u) << "only the write in flight at the kill may be of unknown outcome";
  EXPECT_TRUE(reads_back) << proxy.log_tail();
  EXPECT_EQ(readonly, 0);
}

}  // namespace
}  // namespace resplit::testkit::chaos
