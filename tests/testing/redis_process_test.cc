#include "tests/testing/redis_process.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <stdexcept>

#include "tests/testing/child_registry.h"
#include "tests/testing/raw_client.h"
#include "tests/testing/reply.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

bool pid_alive(pid_t pid) { return pid > 0 && ::kill(pid, 0) == 0; }
// Reaped and gone, not merely dead: kill() no longer finds it.
bool pid_gone(pid_t pid) { return ::kill(pid, 0) == -1 && errno == ESRCH; }

TEST(RedisProcessTest, StartsInOwnDirOnFreePortWithTestSettings) {
  RedisProcess server;
  ASSERT_GT(server.pid(), 0);
  ASSERT_GT(server.port(), 0);
  EXPECT_TRUE(server.running());
  EXPECT_TRUE(ChildRegistry::contains(server.pid()));
  EXPECT_TRUE(std::filesystem::is_directory(server.dir()));
  EXPECT_TRUE(std::filesystem::exists(server.log_path()));
  EXPECT_EQ(server.address(), "127.0.0.1:" + std::to_string(server.port()));

  RedisClient client = server.client();
  auto info = client.info("server");
  EXPECT_EQ(info["process_id"], std::to_string(server.pid()));
  EXPECT_EQ(info["tcp_port"], std::to_string(server.port()));
  EXPECT_EQ(client.command({"CONFIG", "GET", "dir"}),
            Reply::array({Reply::bulk("dir"), Reply::bulk(server.dir())}));
  EXPECT_EQ(client.command({"CONFIG", "GET", "save"}),
            Reply::array({Reply::bulk("save"), Reply::bulk("")}));
  EXPECT_EQ(client.command({"CONFIG", "GET", "repl-diskless-sync-delay"}),
            Reply::array({Reply::bulk("repl-diskless-sync-delay"), Reply::bulk("0")}));
  // DEBUG is refused unless --enable-debug-command allows local clients.
  EXPECT_EQ(client.command({"DEBUG", "SLEEP", "0"}), Reply::status("OK"));
}

TEST(RedisProcessTest, ExtraArgumentsComeLastAndWin) {
  RedisProcess server({.args = {"--maxmemory", "12mb", "--shutdown-timeout", "3"}});
  RedisClient client = server.client();
  EXPECT_EQ(client.command({"CONFIG", "GET", "maxmemory"}),
            Reply::array({Reply::bulk("maxmemory"), Reply::bulk("12582912")}));
  EXPECT_EQ(client.command({"CONFIG", "GET", "shutdown-timeout"}),
            Reply::array({Reply::bulk("shutdown-timeout"), Reply::bulk("3")}));
}

TEST(RedisProcessTest, StopEndsTheProcessFreesThePortAndForgetsThePid) {
  RedisProcess server;
  const pid_t pid = server.pid();
  server.stop();
  EXPECT_EQ(server.pid(), 0);
  EXPECT_FALSE(server.running());
  EXPECT_TRUE(pid_gone(pid));
  EXPECT_FALSE(ChildRegistry::contains(pid));
  EXPECT_FALSE(RawClient(server.port()).connected());
  server.stop();  // Idempotent.
}

TEST(RedisProcessTest, DestructorStopsTheServerAndRemovesItsDir) {
  pid_t pid = 0;
  std::string dir;
  {
    RedisProcess server;
    pid = server.pid();
    dir = server.dir();
    ASSERT_TRUE(pid_alive(pid));
  }
  EXPECT_FALSE(pid_alive(pid));
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(RedisProcessTest, PauseStopsAnsweringAndResumeRestoresIt) {
  RedisProcess server;
  server.pause();
  EXPECT_EQ(server.state(), 'T');
  // The kernel still accepts the connection; only the reply never comes.
  RedisClient paused = server.client(300ms);
  ASSERT_TRUE(paused.connected()) << paused.error();
  EXPECT_EQ(paused.command({"PING"}).type, Reply::Type::kTimeout);
  server.resume();
  EXPECT_NE(server.state(), 'T');
  EXPECT_EQ(server.client().command({"PING"}), Reply::status("PONG"));
}

TEST(RedisProcessTest, StopEndsAPausedServer) {
  RedisProcess server;
  const pid_t pid = server.pid();
  server.pause();
  server.stop();
  EXPECT_FALSE(pid_alive(pid));
}

TEST(RedisProcessTest, RestartKeepsPortAndDirWithANewProcess) {
  RedisProcess server;
  const pid_t first = server.pid();
  const uint16_t port = server.port();
  const std::string dir = server.dir();
  server.restart();
  EXPECT_NE(server.pid(), first);
  EXPECT_FALSE(pid_alive(first));
  EXPECT_EQ(server.port(), port);
  EXPECT_EQ(server.dir(), dir);
  EXPECT_EQ(server.client().info("server")["process_id"], std::to_string(server.pid()));
}

TEST(RedisProcessTest, Kill9EndsAtOnceAndRestartComesBack) {
  RedisProcess server;
  const pid_t pid = server.pid();
  ASSERT_EQ(server.client().command({"SET", "k", "v"}), Reply::status("OK"));
  server.kill9();
  EXPECT_TRUE(pid_gone(pid));
  EXPECT_FALSE(server.running());
  EXPECT_FALSE(RawClient(server.port()).connected());
  server.restart();
  // Nothing was persisted, so the restarted server is empty.
  EXPECT_EQ(server.client().command({"GET", "k"}), Reply::nil());
}

TEST(RedisProcessTest, FailsWithTheLogWhenAFixedPortIsTaken) {
  RedisProcess holder;
  try {
    RedisProcess second({.name = "second", .port = holder.port()});
    FAIL() << "started on a port already in use";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("Address already in use"), std::string::npos) << e.what();
  }
  EXPECT_EQ(holder.client().command({"PING"}), Reply::status("PONG"));
}

TEST(RedisProcessTest, FailsWithTheLogWhenTheServerRejectsItsArguments) {
  try {
    RedisProcess server({.args = {"--no-such-option", "1"}});
    FAIL() << "started with an unknown option";
  } catch (const std::runtime_error& e) {
    // Config errors go to stderr before the log file is open; the message must carry them.
    EXPECT_NE(std::string(e.what()).find("Bad directive"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("exited with status 1"), std::string::npos) << e.what();
  }
}

TEST(RedisProcessTest, SentinelModeRunsFromAGeneratedConfig) {
  RedisProcess master;
  RedisProcess sentinel({.mode = RedisProcessOptions::Mode::kSentinel,
                         .name = "sentinel",
                         .sentinel_config = {"sentinel monitor m 127.0.0.1 " +
                                             std::to_string(master.port()) + " 1"}});
  EXPECT_TRUE(sentinel.sentinel());
  EXPECT_TRUE(std::filesystem::exists(sentinel.dir() + "/sentinel.conf"));
  RedisClient client = sentinel.client();
  EXPECT_EQ(client.info("server")["redis_mode"], "sentinel");
  EXPECT_EQ(client.command({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "m"}),
            Reply::array({Reply::bulk("127.0.0.1"), Reply::bulk(std::to_string(master.port()))}));
}

}  // namespace
}  // namespace resplit::testkit
