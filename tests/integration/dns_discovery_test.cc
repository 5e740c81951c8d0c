// DNS discovery through the real resplit binary: the replicas' name is answered from a hosts file
// ($RESPLIT_HOSTS_FILE) that the test rewrites, as a headless Service's records change when its
// pods move. Two replicas listen on the same port at 127.0.0.1 and 127.0.0.2, each holding a key
// only it has, so every read through resplit tells which replica answered it.
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "tests/testing/child_process.h"
#include "tests/testing/redis_process.h"
#include "tests/testing/redis_topology_fixture.h"
#include "tests/testing/reply.h"
#include "tests/testing/resplit_process.h"
#include "tests/testing/temp_dir.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kName = "replicas.test";
constexpr const char* kSecondIp = "127.0.0.2";
constexpr auto kRefresh = 500ms;

class DnsDiscoveryTest : public RedisTopologyFixture {
 protected:
  TopologyOptions topology_options() const override { return {.replicas = 1}; }

  void SetUp() override {
    RedisTopologyFixture::SetUp();
    if (HasFatalFailure()) return;
    dir_ = std::make_unique<TempDir>("resplit-dns");
    hosts_ = dir_->file("hosts");
    point_name_at({RedisProcess::kHost});
    ::setenv("RESPLIT_HOSTS_FILE", hosts_.c_str(), 1);
    start_second_replica();
    if (HasFatalFailure()) return;
    mark(replica(0).client(), "first");
    mark(RedisClient(kSecondIp, port()), "second");

    ResplitOptions options;
    options.config = "master: {address: \"" + master().address() + "\"}\n" +
                     "replicas: {discovery: dns, address: \"" + kName + ":" +
                     std::to_string(port()) + "\", refresh_interval: 500ms}\n" +
                     "health_check: {interval: 100ms, timeout: 500ms, failure_threshold: 2, "
                     "success_threshold: 2}\n"
                     "logging: {level: info, format: text}\n";
    proxy_ = std::make_unique<ResplitProcess>(options);
  }

  void TearDown() override {
    if (proxy_ && HasFailure()) std::cerr << "--- resplit log ---\n" << proxy_->log_tail() << "\n";
    proxy_.reset();
    second_.stop();
    ::unsetenv("RESPLIT_HOSTS_FILE");
    RedisTopologyFixture::TearDown();
  }

  uint16_t port() { return replica(0).port(); }

  // Rewrites the hosts file in one step (a rename), as a DNS answer changes.
  void point_name_at(const std::vector<std::string>& ips) {
    const std::string tmp = hosts_ + ".tmp";
    {
      std::ofstream f(tmp);
      for (const auto& ip : ips) f << ip << " " << kName << "\n";
    }
    ASSERT_EQ(std::rename(tmp.c_str(), hosts_.c_str()), 0);
  }

  // A second replica of the master on the first one's port, at another loopback address.
  void start_second_replica() {
    second_dir_ = std::make_unique<TempDir>("resplit-replica-second");
    second_.start({redis_server_path(), "--bind", kSecondIp, "--port", std::to_string(port()),
                   "--dir", second_dir_->path(), "--save", "", "--appendonly", "no",
                   "--replicaof", RedisProcess::kHost, std::to_string(master().port()),
                   "--replica-announce-ip", kSecondIp, "--daemonize", "no",
                   "--shutdown-timeout", "0"},
                  second_dir_->file("stdout.log"), second_dir_->path());
    const auto deadline = Clock::now() + 10s;
    while (Clock::now() < deadline) {
      RedisClient c(kSecondIp, port(), 200ms);
      if (c.connected() && c.info("replication")["master_link_status"] == "up") return;
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "the second replica did not sync";
  }

  // A key only this replica has (replicas accept local writes once read-only is off).
  static void mark(RedisClient c, const std::string& who) {
    ASSERT_EQ(c.command({"CONFIG", "SET", "replica-read-only", "no"}), Reply::status("OK"));
    ASSERT_EQ(c.command({"SET", "whoami", who}), Reply::status("OK"));
  }

  // Reads `whoami` through resplit until `wanted` are exactly the replicas answering (each read
  // answered by one of them, every one of them seen among the last 20 reads). Returns the time
  // taken, or -1 ms after `limit`.
  double until_answered_by(const std::set<std::string>& wanted, std::chrono::milliseconds limit) {
    RedisClient c = proxy_->client(5s);
    const auto start = Clock::now();
    std::set<std::string> recent;
    int in_a_row = 0;
    while (Clock::now() - start < limit) {
      const Reply got = c.command({"GET", "whoami"});
      const std::string who = got.type == Reply::Type::kString ? got.str : to_string(got);
      if (wanted.contains(who)) {
        recent.insert(who);
        ++in_a_row;
      } else {
        recent.clear();
        in_a_row = 0;
      }
      if (in_a_row >= 20 && recent == wanted) {
        return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      }
      if (!c.connected()) c.reconnect();
      std::this_thread::sleep_for(5ms);
    }
    return -1;
  }

  std::unique_ptr<TempDir> dir_, second_dir_;
  std::string hosts_;
  ChildProcess second_;
  std::unique_ptr<ResplitProcess> proxy_;
};

TEST_F(DnsDiscoveryTest, FollowsTheNameToItsNewAddresses) {
  const double limit_ms = std::chrono::duration<double, std::milli>(kRefresh + 1s).count();
  // At start the name points at the first replica only.
  ASSERT_GE(until_answered_by({"first"}, 10s), 0);

  point_name_at({kSecondIp});
  const double moved = until_answered_by({"second"}, 10s);
  point_name_at({RedisProcess::kHost, kSecondIp});
  const double both = until_answered_by({"first", "second"}, 10s);
  point_name_at({RedisProcess::kHost});
  const double back = until_answered_by({"first"}, 10s);
  std::printf("DNS discovery (refresh_interval 500 ms): reads followed the name to the new address "
              "in %.0f ms, to both addresses in %.0f ms, back to the first in %.0f ms "
              "(each includes 20 confirming reads)\n",
              moved, both, back);
  EXPECT_GE(moved, 0);
  EXPECT_LE(moved, limit_ms);
  EXPECT_GE(both, 0);
  EXPECT_LE(both, limit_ms);
  EXPECT_GE(back, 0);
  EXPECT_LE(back, limit_ms);
}

}  // namespace
}  // namespace resplit::testkit
