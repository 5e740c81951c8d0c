// resplit's /metrics through the real binary: a known number of commands of each kind, and every
// counter they should move checked exactly (routes, results, routing reasons, error classes, bytes,
// histogram counts).
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "tests/integration/admin_client.h"
#include "tests/integration/proxy_fixture.h"
#include "tests/testing/raw_client.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

std::string resp(std::initializer_list<std::string> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

class MetricsTest : public ProxyFixture {
 protected:
  std::string proxy_config() const override {
    // No lag limits: the replicas stay routable, so every read's route is known in advance.
    return "routing: {max_replication_lag: 0s, max_replication_lag_bytes: 0B}\n"
           "metrics: {per_command: true}\n";
  }

  // Until both replicas take reads.
  bool wait_routable_replicas() {
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (scrape(proxy().admin_port()).sum("resplit_backend_routable", "role=\"replica\"") == 2) {
        return true;
      }
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  // Sends `command` `times` times on `client`, one at a time; counts the bytes both ways.
  void run(RawClient& client, const std::string& command, int times) {
    for (int i = 0; i < times; ++i) {
      ASSERT_TRUE(client.send(command));
      sent_ += command.size();
      const auto got = client.read_until(1, 5s);
      ASSERT_EQ(got.replies, 1u) << command;
      received_ += got.bytes.size();
    }
  }

  size_t sent_ = 0;
  size_t received_ = 0;
};

TEST_F(MetricsTest, CountsEveryCommandExactly) {
  ASSERT_TRUE(wait_routable_replicas());
  const Scrape before = scrape(proxy().admin_port());

  {
    // Writes on their own connection, so read-your-writes never sends the reads to the master.
    RawClient writer(proxy().port());
    run(writer, resp({"SET", "k", "v"}), 10);
    run(writer, resp({"LPUSH", "k", "x"}), 3);  // WRONGTYPE from the master
    run(writer, resp({"MULTI"}), 1);
    run(writer, resp({"SET", "t", "1"}), 1);
    run(writer, resp({"EXEC"}), 1);
  }
  // The reads below must find the key on whichever replica serves them.
  for (size_t i = 0; i < 2; ++i) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (replica(i).client().command({"TYPE", "k"}) != Reply::status("string") &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
    }
  }
  {
    RawClient reader(proxy().port());
    run(reader, resp({"GET", "k"}), 7);
    run(reader, resp({"HGET", "k", "f"}), 1);  // WRONGTYPE from a replica
    run(reader, resp({"PING"}), 2);
  }
  {
    RawClient other(proxy().port());
    run(other, resp({"NOSUCHCOMMAND", "a"}), 4);  // unknown: the master answers ERR
  }
  // The last replies are counted before they are written; give the writes a moment to be counted.
  std::this_thread::sleep_for(200ms);
  const Scrape after = scrape(proxy().admin_port());
  auto delta = [&](const std::string& name, const std::string& labels) {
    return after.value(name, labels) - before.value(name, labels);
  };

  EXPECT_EQ(delta("resplit_commands_total", R"(route="master",result="ok")"), 13);
  EXPECT_EQ(delta("resplit_commands_total", R"(route="master",result="error")"), 7);
  EXPECT_EQ(delta("resplit_commands_total", R"(route="replica",result="ok")"), 7);
  EXPECT_EQ(delta("resplit_commands_total", R"(route="replica",result="error")"), 1);
  EXPECT_EQ(delta("resplit_commands_total", R"(route="local",result="ok")"), 2);
  EXPECT_EQ(after.sum("resplit_commands_total", "result=\"timeout\"") +
                after.sum("resplit_commands_total", "result=\"rejected\""),
            0);

  EXPECT_EQ(delta("resplit_routing_decisions_total", R"(route="master",reason="write")"), 13);
  EXPECT_EQ(delta("resplit_routing_decisions_total", R"(route="master",reason="transaction")"), 3);
  EXPECT_EQ(delta("resplit_routing_decisions_total", R"(route="master",reason="unknown_command")"),
            4);
  EXPECT_EQ(delta("resplit_routing_decisions_total", R"(route="replica",reason="read")"), 8);
  EXPECT_EQ(delta("resplit_routing_decisions_total", R"(route="local",reason="local")"), 2);
  EXPECT_EQ(after.sum("resplit_routing_decisions_total") -
                before.sum("resplit_routing_decisions_total"),
            30);

  EXPECT_EQ(delta("resplit_command_errors_total", R"(route="master",type="WRONGTYPE")"), 3);
  EXPECT_EQ(delta("resplit_command_errors_total", R"(route="master",type="ERR")"), 4);
  EXPECT_EQ(delta("resplit_command_errors_total", R"(route="replica",type="WRONGTYPE")"), 1);
  EXPECT_EQ(after.sum("resplit_command_errors_total") - before.sum("resplit_command_errors_total"),
            8);

  for (const std::string route : {"master", "replica", "local"}) {
    const std::string label = "route=\"" + route + "\"";
    const double commands = after.sum("resplit_commands_total", label) -
                            before.sum("resplit_commands_total", label);
    EXPECT_EQ(delta("resplit_command_duration_seconds_count", label), commands) << route;
    EXPECT_EQ(delta("resplit_command_duration_seconds_bucket", label + ",le=\"+Inf\""), commands)
        << route;
  }

  EXPECT_EQ(delta("resplit_client_received_bytes_total", ""), static_cast<double>(sent_));
  EXPECT_EQ(delta("resplit_client_sent_bytes_total", ""), static_cast<double>(received_));
  EXPECT_EQ(delta("resplit_client_connections_accepted_total", ""), 3);
  EXPECT_EQ(delta("resplit_client_protocol_errors_total", ""), 0);

  EXPECT_EQ(delta("resplit_commands_by_name_total", R"(command="set",route="master")"), 11);
  EXPECT_EQ(delta("resplit_commands_by_name_total", R"(command="get",route="replica")"), 7);
  EXPECT_EQ(delta("resplit_commands_by_name_total", R"(command="lpush",route="master")"), 3);
  EXPECT_EQ(delta("resplit_commands_by_name_total", R"(command="other",route="master")"), 6);

  std::printf("client bytes: %zu in, %zu out; scrape has %zu samples\n", sent_, received_,
              after.samples());
}

TEST_F(MetricsTest, InFlightCountsABlockedCommandUntilItsClientLeaves) {
  ASSERT_TRUE(wait_routable_replicas());
  const std::string master_route = R"(route="master")";
  EXPECT_EQ(scrape(proxy().admin_port()).value("resplit_commands_in_flight", master_route), 0);
  auto blocked = std::make_unique<RawClient>(proxy().port());
  ASSERT_TRUE(blocked->send(resp({"BLPOP", "never", "0"})));
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  double waiting = 0;
  while (waiting != 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    waiting = scrape(proxy().admin_port()).value("resplit_commands_in_flight", master_route);
  }
  EXPECT_EQ(waiting, 1);
  blocked.reset();  // the client leaves without an answer
  while (waiting != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    waiting = scrape(proxy().admin_port()).value("resplit_commands_in_flight", master_route);
  }
  EXPECT_EQ(waiting, 0);
  // A blocking command is not latency: the histogram never saw it.
  EXPECT_EQ(scrape(proxy().admin_port()).value("resplit_command_duration_seconds_count",
                                                master_route),
            0);
}

TEST_F(MetricsTest, ProtocolErrorsAndReplicationFiguresAreExposed) {
  ASSERT_TRUE(wait_routable_replicas());
  RawClient bad(proxy().port());
  ASSERT_TRUE(bad.send("*1\r\n+PING\r\n"));  // a simple string where a bulk string belongs
  EXPECT_TRUE(bad.read_for(2s).closed);

  // A write moves the offsets; wait until the monitor has seen it on every node.
  EXPECT_EQ(client().command({"SET", "moved", "1"}), Reply::status("OK"));
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  auto offset = [this](const Scrape& s, size_t i) {
    return s.value("resplit_replication_replica_offset_bytes",
                   "backend=\"" + replica(i).address() + "\"");
  };
  Scrape s = scrape(proxy().admin_port());
  while (std::chrono::steady_clock::now() < deadline &&
         (s.value("resplit_replication_master_offset_bytes") < 1 || offset(s, 0) < 1 ||
          offset(s, 1) < 1)) {
    std::this_thread::sleep_for(50ms);
    s = scrape(proxy().admin_port());
  }
  EXPECT_EQ(s.value("resplit_client_protocol_errors_total"), 1);
  EXPECT_EQ(s.value("resplit_backend_up", "role=\"master\",backend=\"" + master().address() + "\""),
            1);
  for (size_t i = 0; i < 2; ++i) {
    const std::string b = "backend=\"" + replica(i).address() + "\"";
    EXPECT_EQ(s.value("resplit_replication_link_up", b), 1) << b;
    EXPECT_GE(s.value("resplit_replication_lag_bytes", b), 0) << b;
    EXPECT_GE(s.value("resplit_replication_replica_offset_bytes", b), 1) << b;
  }
  EXPECT_GE(s.value("resplit_replication_master_offset_bytes"), 1);
  EXPECT_EQ(s.value("resplit_replication_connected_replicas"), 2);
  EXPECT_EQ(s.value("resplit_config_last_reload_successful"), 1);
  EXPECT_EQ(s.value("resplit_master_changes_total"), 0);
  EXPECT_GT(s.value("process_resident_memory_bytes"), 1e6);
  EXPECT_GT(s.value("process_open_fds"), 3);
  EXPECT_GT(s.value("process_start_time_seconds"), 1.6e9);
}

TEST_F(MetricsTest, DescribeMetricsListsEveryExposedFamily) {
  const std::string command = resplit_binary() + " --describe-metrics";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string text;
  char chunk[4096];
  while (size_t n = std::fread(chunk, 1, sizeof chunk, pipe)) text.append(chunk, n);
  ASSERT_EQ(::pclose(pipe), 0);

  std::map<std::string, std::string> described;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string name, type;
    std::getline(fields, name, '\t');
    std::getline(fields, type, '\t');
    described[name] = type;
  }
  const Scrape s = scrape(proxy().admin_port());
  ASSERT_FALSE(s.types().empty());
  EXPECT_EQ(s.types(), described);  // per_command is on: every family is exposed
}

}  // namespace
}  // namespace resplit::testkit
