// Stateful sessions through resplit: transactions, WATCH, blocking commands, pub/sub, databases,
// scripts on replicas, WAIT, and the connection-level commands resplit answers itself.
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/proxy_fixture.h"
#include "tests/testing/raw_client.h"
#include "tests/testing/reply.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

class SessionsTest : public ProxyFixture {};

TEST_F(SessionsTest, MultiExecRunsOnTheMaster) {
  auto c = client();
  EXPECT_EQ(c.command({"MULTI"}), Reply::status("OK"));
  EXPECT_EQ(c.command({"SET", "t", "1"}), Reply::status("QUEUED"));
  EXPECT_EQ(c.command({"INCR", "t"}), Reply::status("QUEUED"));
  EXPECT_EQ(c.command({"EXEC"}), Reply::array({Reply::status("OK"), Reply::number(2)}));
  EXPECT_EQ(master().client().command({"GET", "t"}), Reply::bulk("2"));
  EXPECT_EQ(c.command({"EXEC"}), Reply::error("ERR EXEC without MULTI"));
  EXPECT_EQ(c.command({"DISCARD"}), Reply::error("ERR DISCARD without MULTI"));
}

TEST_F(SessionsTest, WatchAbortsWhenAnotherClientChangesTheKey) {
  auto c = client();
  auto other = client();
  EXPECT_EQ(c.command({"SET", "w", "1"}), Reply::status("OK"));
  EXPECT_EQ(c.command({"WATCH", "w"}), Reply::status("OK"));
  EXPECT_EQ(other.command({"SET", "w", "2"}), Reply::status("OK"));
  EXPECT_EQ(c.command({"MULTI"}), Reply::status("OK"));
  EXPECT_EQ(c.command({"SET", "w", "3"}), Reply::status("QUEUED"));
  EXPECT_EQ(c.command({"EXEC"}), Reply::nil());
  EXPECT_EQ(master().client().command({"GET", "w"}), Reply::bulk("2"));

  // Without interference the same transaction goes through.
  EXPECT_EQ(c.command({"WATCH", "w"}), Reply::status("OK"));
  EXPECT_EQ(c.command({"MULTI"}), Reply::status("OK"));
  EXPECT_EQ(c.command({"SET", "w", "3"}), Reply::status("QUEUED"));
  EXPECT_EQ(c.command({"EXEC"}), Reply::array({Reply::status("OK")}));
}

TEST_F(SessionsTest, BlpopIsReleasedByAPushFromAnotherClient) {
  auto pusher = std::async(std::launch::async, [this] {
    std::this_thread::sleep_for(300ms);
    return client().command({"RPUSH", "queue", "job"});
  });
  auto c = client();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(c.command({"BLPOP", "queue", "5"}),
            Reply::array({Reply::bulk("queue"), Reply::bulk("job")}));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
  EXPECT_EQ(pusher.get(), Reply::number(1));
  // The session goes on normally afterwards.
  EXPECT_EQ(c.command({"SET", "after", "1"}), Reply::status("OK"));
  EXPECT_EQ(c.command({"GET", "after"}), Reply::bulk("1"));
}

TEST_F(SessionsTest, BlockingCommandIsNotCutByTheCommandTimeout) {
  auto c = client();
  c.set_timeout(10s);
  // The default command timeout is 2 s; BLPOP asked for 3.
  EXPECT_EQ(c.command({"BLPOP", "nothing", "3"}), Reply::nil());
}

TEST_F(SessionsTest, SubscribeReceivesPublish) {
  auto sub = client();
  EXPECT_EQ(sub.command({"SUBSCRIBE", "news"}),
            Reply::array({Reply::bulk("subscribe"), Reply::bulk("news"), Reply::number(1)}));
  EXPECT_EQ(client().command({"PUBLISH", "news", "hello"}), Reply::number(1));
  // Subscribed mode through resplit answers byte for byte as Redis does.
  const std::string script = "SUBSCRIBE a b\r\nPING\r\nUNSUBSCRIBE\r\nPING\r\nGET x\r\n";
  RawClient direct(master().port());
  RawClient proxied(proxy().port());
  ASSERT_TRUE(direct.send(script));
  ASSERT_TRUE(proxied.send(script));
  const auto expected = direct.read_until(7, 3s);
  const auto got = proxied.read_until(7, 3s);
  EXPECT_EQ(expected.replies, 7u);
  EXPECT_EQ(got.bytes, expected.bytes);
}

TEST_F(SessionsTest, DatabasesStayApartOnSharedConnections) {
  auto in3 = client();
  auto in0 = client();
  EXPECT_EQ(in3.command({"SELECT", "3"}), Reply::status("OK"));
  for (int i = 0; i < 50; ++i) {
    const std::string key = "k" + std::to_string(i);
    EXPECT_EQ(in3.command({"SET", key, "three"}), Reply::status("OK"));
    EXPECT_EQ(in0.command({"SET", key, "zero"}), Reply::status("OK"));
    EXPECT_EQ(in3.command({"GET", key}), Reply::bulk("three"));
    EXPECT_EQ(in0.command({"GET", key}), Reply::bulk("zero"));
  }
  EXPECT_EQ(in3.command({"SELECT", "16"}), Reply::error("ERR DB index is out of range"));
  EXPECT_EQ(in3.command({"SELECT", "x"}),
            Reply::error("ERR value is not an integer or out of range"));
}

TEST_F(SessionsTest, EvalshaRoWorksOnReplicasAfterScriptLoad) {
  auto c = client();
  EXPECT_EQ(c.command({"SET", "s", "v"}), Reply::status("OK"));
  const Reply sha = c.command({"SCRIPT", "LOAD", "return redis.call('GET', KEYS[1])"});
  ASSERT_EQ(sha.type, Reply::Type::kString) << sha;
  const long long before = calls(replica(0), "evalsha_ro") + calls(replica(1), "evalsha_ro");
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(c.command({"EVALSHA_RO", sha.str, "1", "s"}), Reply::bulk("v"));
  }
  EXPECT_GT(calls(replica(0), "evalsha_ro") + calls(replica(1), "evalsha_ro"), before);
  // A script the replicas never saw still works: NOSCRIPT from a replica goes to the master.
  const Reply only_master =
      master().client().command({"SCRIPT", "LOAD", "return 'master only'"});
  EXPECT_EQ(c.command({"EVALSHA_RO", only_master.str, "0"}), Reply::bulk("master only"));
}

TEST_F(SessionsTest, WaitCountsReplicasThatHaveTheClientsWrites) {
  auto c = client();
  EXPECT_EQ(c.command({"SET", "waited", "1"}), Reply::status("OK"));
  EXPECT_EQ(c.command({"WAIT", "2", "1000"}), Reply::number(2));
  replica(1).pause();
  EXPECT_EQ(c.command({"SET", "waited", "2"}), Reply::status("OK"));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(c.command({"WAIT", "2", "300"}), Reply::number(1));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
  replica(1).resume();
}

TEST_F(SessionsTest, ConnectionCommandsAreAnsweredLikeRedis) {
  auto c = client();
  EXPECT_EQ(c.command({"PING"}), Reply::status("PONG"));
  EXPECT_EQ(c.command({"PING", "hi"}), Reply::bulk("hi"));
  EXPECT_EQ(c.command({"ECHO", "e"}), Reply::bulk("e"));
  EXPECT_EQ(c.command({"CLIENT", "GETNAME"}), Reply::nil());
  EXPECT_EQ(c.command({"CLIENT", "SETNAME", "app"}), Reply::status("OK"));
  EXPECT_EQ(c.command({"CLIENT", "GETNAME"}), Reply::bulk("app"));
  EXPECT_EQ(c.command({"CLIENT", "SETNAME", "a b"}),
            Reply::error("ERR Client names cannot contain spaces, newlines or special characters."));
  EXPECT_EQ(c.command({"HELLO", "3"}), Reply::error("NOPROTO unsupported protocol version"));
  const Reply hello = c.command({"HELLO", "2"});
  ASSERT_EQ(hello.type, Reply::Type::kArray);
  ASSERT_EQ(hello.elements.size(), 14u);
  EXPECT_EQ(hello.elements[0], Reply::bulk("server"));
  EXPECT_EQ(hello.elements[5], Reply::number(2));
  EXPECT_EQ(c.command({"GET"}), Reply::error("ERR wrong number of arguments for 'get' command"));
  EXPECT_EQ(c.command({"AUTH", "x"}),
            Reply::error("ERR AUTH <password> called without any password configured for the "
                         "default user. Are you sure your configuration is correct?"));
  EXPECT_EQ(c.command({"RESET"}), Reply::status("RESET"));
  EXPECT_EQ(c.command({"CLIENT", "GETNAME"}), Reply::nil());
}

TEST_F(SessionsTest, ClientReplyOffAndSkipSwallowReplies) {
  RawClient raw(proxy().port());
  ASSERT_TRUE(raw.send(
      "CLIENT REPLY OFF\r\nPING\r\nSET r 1\r\nCLIENT REPLY ON\r\nPING\r\n"
      "CLIENT REPLY SKIP\r\nPING\r\nGET r\r\n"));
  auto got = raw.read_until(3, 3s);
  EXPECT_EQ(got.bytes, "+OK\r\n+PONG\r\n$1\r\n1\r\n");
}

TEST_F(SessionsTest, QuitAnswersThenCloses) {
  RawClient raw(proxy().port());
  ASSERT_TRUE(raw.send("PING\r\nQUIT\r\nPING\r\n"));
  auto got = raw.read_for(1s);
  EXPECT_EQ(got.bytes, "+PONG\r\n+OK\r\n");
  EXPECT_TRUE(got.closed);
}

}  // namespace
}  // namespace resplit::testkit
