// Connection limits through the real binary: max_clients with Redis's words, memory per idle
// client, TCP keepalive on client connections, and the idle timeout.
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/admin_client.h"
#include "tests/integration/proxy_fixture.h"
#include "tests/testing/raw_client.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kPing = "*1\r\n$4\r\nPING\r\n";

// Resident memory of a process in KiB, from /proc/<pid>/status.
long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

std::string command_output(const std::string& command) {
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, p)) > 0;) out.append(buffer, n);
    ::pclose(p);
  }
  return out;
}

class LimitsTest : public ProxyFixture {
 protected:
  static constexpr size_t kMaxClients = 1000;
  std::string listen_options() const override {
    return "max_clients: " + std::to_string(kMaxClients) + ", tcp_keepalive: 7s";
  }
};

TEST_F(LimitsTest, ThousandIdleClientsThenMaxClientsRefusesOnlyNewcomers) {
  {
    // Warm the data path up so that the baseline includes backend connections and buffers.
    RedisClient c = client();
    for (int i = 0; i < 100; ++i) c.command({"SET", "warm", "x"});
  }
  std::this_thread::sleep_for(300ms);  // the warm-up client's slot is given back
  const long before = rss_kib(proxy().pid());

  std::vector<std::unique_ptr<RawClient>> idle;
  for (size_t i = 0; i < kMaxClients; ++i) {
    idle.push_back(std::make_unique<RawClient>(proxy().port()));
    ASSERT_TRUE(idle.back()->connected()) << i;
    ASSERT_TRUE(idle.back()->send(kPing));
    ASSERT_EQ(idle.back()->read_until(1, 5s).bytes, "+PONG\r\n") << i;
  }
  const long after = rss_kib(proxy().pid());
  const double per_client = double(after - before) / double(kMaxClients);
  std::printf("idle RSS %ld KiB; with %zu idle clients %ld KiB: %.2f KiB per idle client\n", before,
              kMaxClients, after, per_client);
  EXPECT_LT(per_client, 32.0);

  RawClient extra(proxy().port());
  const RawClient::Received refused = extra.read_until(1, 2s);
  EXPECT_EQ(refused.bytes, "-ERR max number of clients reached\r\n");
  EXPECT_TRUE(extra.read_for(500ms).closed);

  for (size_t i : {size_t(0), kMaxClients / 2, kMaxClients - 1}) {
    ASSERT_TRUE(idle[i]->send(kPing));
    EXPECT_EQ(idle[i]->read_until(1, 2s).bytes, "+PONG\r\n") << "existing client " << i;
  }

  // A slot given back is a slot a newcomer can take.
  idle.back()->close();
  idle.pop_back();
  std::this_thread::sleep_for(300ms);
  RawClient newcomer(proxy().port());
  ASSERT_TRUE(newcomer.send(kPing));
  EXPECT_EQ(newcomer.read_until(1, 2s).bytes, "+PONG\r\n");
}

TEST_F(LimitsTest, ClientConnectionsHaveTcpKeepalive) {
  RawClient c(proxy().port());
  ASSERT_TRUE(c.send(kPing));
  ASSERT_EQ(c.read_until(1, 2s).bytes, "+PONG\r\n");
  // resplit's side of the connection: the socket bound to its port shows a keepalive timer.
  const std::string sockets = command_output(
      "ss -tnoH state established '( sport = :" + std::to_string(proxy().port()) + " )'");
  EXPECT_NE(sockets.find("timer:(keepalive"), std::string::npos) << sockets;
}

class IdleTimeoutTest : public ProxyFixture {
 protected:
  std::string listen_options() const override { return "idle_timeout: 1s"; }
};

TEST_F(IdleTimeoutTest, IdleClientsAreClosedBusyOnesStay) {
  RawClient idle(proxy().port()), busy(proxy().port());
  ASSERT_TRUE(idle.send(kPing));
  ASSERT_EQ(idle.read_until(1, 2s).bytes, "+PONG\r\n");
  for (int i = 0; i < 10; ++i) {  // 3 s of a PING every 300 ms
    ASSERT_TRUE(busy.send(kPing));
    ASSERT_EQ(busy.read_until(1, 2s).bytes, "+PONG\r\n") << i;
    std::this_thread::sleep_for(300ms);
  }
  EXPECT_TRUE(idle.read_for(500ms).closed);
  ASSERT_TRUE(busy.send(kPing));
  EXPECT_EQ(busy.read_until(1, 2s).bytes, "+PONG\r\n");
  const Scrape s = scrape(proxy().admin_port());
  EXPECT_GE(s.value("resplit_client_disconnects_total", "reason=\"idle_timeout\""), 1);
  EXPECT_EQ(s.value("resplit_client_disconnects_total", "reason=\"output_buffer\""), 0);
}

}  // namespace
}  // namespace resplit::testkit
