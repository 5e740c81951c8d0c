// Operating resplit under load: configuration reloads, a graceful drain on SIGTERM, and client
// authentication, each through the real binary in front of a real master and two replicas.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/load_clients.h"
#include "tests/integration/proxy_fixture.h"
#include "tests/testing/raw_client.h"
#include "tests/testing/reply.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

constexpr size_t kLoadConnections = 200;
constexpr size_t kLoadThreads = 4;

size_t count_lines_with(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

class ReloadTest : public ProxyFixture {
 protected:
  // Two valid configs that differ in the replica list and the lag limits.
  std::string both_replicas() { return config_for(topology(), "routing: {max_replication_lag: 5s}\n"); }
  std::string first_replica_only() {
    return static_config(master().address(), {replica(0).address()},
                         "routing: {max_replication_lag: 2s, max_replication_lag_bytes: 64KiB}\n");
  }
};

TEST_F(ReloadTest, FiftyReloadsUnderLoadDropNothing) {
  LoadClients load(proxy().port(), kLoadConnections, kLoadThreads);
  load.start();
  constexpr int kReloads = 50;
  for (int i = 0; i < kReloads; ++i) {
    proxy().write_config(i % 2 == 0 ? first_replica_only() : both_replicas());
    proxy().signal(SIGHUP);
    std::this_thread::sleep_for(1200ms);
  }
  load.stop();
  const LoadCounts c = load.counts();
  const std::string log = proxy().log_tail(100000);
  const size_t reloads = count_lines_with(log, "config_reloaded");
  std::printf("reloads applied: %zu (SIGHUP %d, plus file changes); pipelines answered: %llu; "
              "wrong: %llu; dropped: %llu\n",
              reloads, kReloads, (unsigned long long)c.rounds, (unsigned long long)c.wrong,
              (unsigned long long)c.dropped);
  EXPECT_GE(reloads, size_t(kReloads));
  EXPECT_EQ(count_lines_with(log, "config_reload_failed"), 0u);
  EXPECT_EQ(c.wrong, 0u);
  EXPECT_EQ(c.dropped, 0u);
  EXPECT_GT(c.rounds, uint64_t(kLoadConnections) * 10);
  EXPECT_EQ(proxy().child().state() == 'Z' || proxy().child().exited(), false);
}

TEST_F(ReloadTest, InvalidConfigIsRejectedWithItsPositionAndTheOldOneStays) {
  // Only the first replica, so that the old config is observable afterwards.
  proxy().write_config(first_replica_only());
  proxy().signal(SIGHUP);
  std::this_thread::sleep_for(1s);
  const long long second_replica_gets = calls(replica(1), "get");

  proxy().write_config(first_replica_only() + "timeouts: {command: soon}\n");
  proxy().signal(SIGHUP);
  std::this_thread::sleep_for(1s);
  const std::string log = proxy().log_tail(200);
  // The error names the file, line and column of the bad value.
  const size_t at = log.find(proxy().config_path() + ":");
  ASSERT_NE(at, std::string::npos) << log;
  EXPECT_TRUE(std::regex_search(log.substr(at + proxy().config_path().size()),
                                std::regex(R"(^:\d+:\d+: timeouts\.command: )")))
      << log;
  EXPECT_NE(log.find("config_reload_failed"), std::string::npos) << log;

  RedisClient c = client();
  ASSERT_EQ(c.command({"SET", "stays", "1"}).str, "OK");
  for (int i = 0; i < 200; ++i) EXPECT_EQ(c.command({"GET", "stays"}).str, "1");
  EXPECT_EQ(calls(replica(1), "get"), second_replica_gets) << "the rejected config took effect";
}

class DrainTest : public ProxyFixture {
 protected:
  std::string proxy_config() const override { return "shutdown: {drain_timeout: 5s}\n"; }
};

TEST_F(DrainTest, SigtermUnderLoadAnswersEveryReceivedCommandAndExitsZero) {
  // Two clients blocked in BLPOP on keys nobody pushes to.
  RawClient blocked_a(proxy().port()), blocked_b(proxy().port());
  ASSERT_TRUE(blocked_a.send("*3\r\n$5\r\nBLPOP\r\n$7\r\nnothing\r\n$1\r\n0\r\n"));
  ASSERT_TRUE(blocked_b.send("*3\r\n$5\r\nBLPOP\r\n$8\r\nnothing2\r\n$1\r\n0\r\n"));

  LoadClients load(proxy().port(), kLoadConnections, kLoadThreads, "drain");
  load.expect_server_close();
  load.start();
  std::this_thread::sleep_for(2s);

  const auto signalled = std::chrono::steady_clock::now();
  proxy().signal(SIGTERM);
  const auto deadline = signalled + 10s;
  while (!proxy().child().exited() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
  ASSERT_TRUE(proxy().child().exited()) << "still running 10 s after SIGTERM";
  const int status = proxy().child().reap();
  load.stop();

  const RawClient::Received a = blocked_a.read_for(200ms);
  const RawClient::Received b = blocked_b.read_for(200ms);
  EXPECT_TRUE(a.closed || a.reset);
  EXPECT_TRUE(b.closed || b.reset);

  const LoadCounts c = load.counts();
  const std::vector<int64_t> acked = load.acknowledged_counts();
  RedisClient m = master().client();
  int64_t applied_total = 0, acked_total = 0, mismatched = 0;
  for (size_t i = 0; i < acked.size(); ++i) {
    const Reply r = m.command({"GET", load.counter_key(i)});
    const int64_t applied = r.type == Reply::Type::kNil ? 0 : std::stoll(r.str);
    applied_total += applied;
    acked_total += acked[i];
    if (applied != acked[i]) ++mismatched;
  }
  std::printf("drain: exit after %.2f s; pipelines answered %llu; writes acknowledged %lld, "
              "applied on the master %lld; clients with a difference %lld; partial replies %llu\n",
              took, (unsigned long long)c.rounds, (long long)acked_total, (long long)applied_total,
              (long long)mismatched, (unsigned long long)c.dropped);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  EXPECT_LT(took, 5.0 + 1.0);
  EXPECT_EQ(c.wrong, 0u);
  EXPECT_EQ(c.dropped, 0u);
  EXPECT_EQ(mismatched, 0);
  EXPECT_EQ(applied_total, acked_total);
}

class AuthTest : public ProxyFixture {
 protected:
  std::string proxy_config() const override {
    const std::string dir = ::testing::TempDir();
    std::ofstream(dir + "/default-password") << "app-secret\n";
    std::ofstream(dir + "/ops-password") << "ops-secret";
    return "auth:\n  clients:\n"
           "    - {password: {file: \"" + dir + "/default-password\"}}\n"
           "    - {username: ops, password: {file: \"" + dir + "/ops-password\"}}\n";
  }
};

TEST_F(AuthTest, CommandsBeforeAuthAreRefusedAndNeverReachABackend) {
  const long long master_sets = calls(master(), "set");
  RawClient raw(proxy().port());
  ASSERT_TRUE(raw.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"));
  EXPECT_EQ(raw.read_until(2, 2s).bytes,
            "-NOAUTH Authentication required.\r\n-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(calls(master(), "set"), master_sets);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(calls(replica(i), "get"), 0);
  // PING is refused too, as Redis refuses it; AUTH and HELLO are the way in.
  ASSERT_TRUE(raw.send("*1\r\n$4\r\nPING\r\n"));
  EXPECT_EQ(raw.read_until(1, 2s).bytes, "-NOAUTH Authentication required.\r\n");
}

TEST_F(AuthTest, WrongPasswordsGetRedisWords) {
  RedisClient c = client();
  const std::string wrongpass = "WRONGPASS invalid username-password pair or user is disabled.";
  EXPECT_EQ(c.command({"AUTH", "nope"}).str, wrongpass);
  EXPECT_EQ(c.command({"AUTH", "ops", "app-secret"}).str, wrongpass);
  EXPECT_EQ(c.command({"AUTH", "nobody", "ops-secret"}).str, wrongpass);
  EXPECT_EQ(c.command({"AUTH", "a", "b", "c"}).str, "ERR syntax error");  // as Redis 7 words it
  EXPECT_EQ(c.command({"GET", "k"}).str, "NOAUTH Authentication required.");
}

TEST_F(AuthTest, EachUserLogsInWithItsOwnPassword) {
  RedisClient app = client();
  EXPECT_EQ(app.command({"AUTH", "app-secret"}).str, "OK");
  EXPECT_EQ(app.command({"SET", "auth:k", "v"}).str, "OK");
  EXPECT_EQ(app.command({"GET", "auth:k"}).str, "v");
  EXPECT_EQ(app.command({"AUTH", "default", "app-secret"}).str, "OK");

  RedisClient ops = client();
  EXPECT_EQ(ops.command({"AUTH", "ops", "ops-secret"}).str, "OK");
  EXPECT_EQ(ops.command({"SET", "auth:ops", "w"}).str, "OK");
  EXPECT_EQ(ops.command({"GET", "auth:ops"}).str, "w");

  RawClient hello(proxy().port());
  ASSERT_TRUE(hello.send("*5\r\n$5\r\nHELLO\r\n$1\r\n2\r\n$4\r\nAUTH\r\n$3\r\nops\r\n"
                         "$10\r\nops-secret\r\n*1\r\n$4\r\nPING\r\n"));
  const RawClient::Received r = hello.read_until(2, 2s);
  EXPECT_EQ(r.bytes.substr(0, 1), "*");
  EXPECT_EQ(r.bytes.substr(r.bytes.size() - 7), "+PONG\r\n");
}

}  // namespace
}  // namespace resplit::testkit
