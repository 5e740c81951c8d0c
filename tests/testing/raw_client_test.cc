#include "tests/testing/raw_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string_view>

#include "tests/testing/redis_process.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

class RawClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<RedisProcess>(); }
  static void TearDownTestSuite() { server_.reset(); }

  static std::unique_ptr<RedisProcess> server_;
};

std::unique_ptr<RedisProcess> RawClientTest::server_;

TEST_F(RawClientTest, ReturnsTheExactBytesAndCountsReplies) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.connected()) << client.error();
  ASSERT_TRUE(
      client.send("*1\r\n$4\r\nPING\r\nPING\r\n*3\r\n$3\r\nSET\r\n$5\r\nraw:k\r\n$1\r\nv\r\n"));
  auto received = client.read_until(3, 2s);
  EXPECT_EQ(received.bytes, "+PONG\r\n+PONG\r\n+OK\r\n");
  EXPECT_EQ(received.replies, 3u);
  EXPECT_FALSE(received.closed);
  EXPECT_FALSE(received.unparsed);
}

// A listening socket the test writes replies from, byte by byte as it chooses.
class FakeServer {
 public:
  FakeServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(listener_, 1);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~FakeServer() {
    if (peer_ >= 0) ::close(peer_);
    ::close(listener_);
  }
  uint16_t port() const { return port_; }
  void accept() { peer_ = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC); }
  bool write(std::string_view bytes) {
    return ::send(peer_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

 private:
  int listener_ = -1;
  int peer_ = -1;
  uint16_t port_ = 0;
};

TEST(RawClientFramingTest, ReplySplitAcrossReadsCountsOnce) {
  FakeServer server;
  RawClient client(server.port());
  ASSERT_TRUE(client.connected()) << client.error();
  server.accept();
  ASSERT_TRUE(server.write("+OK\r\n*2\r\n$5\r\nab"));
  auto first = client.read_for(100ms);
  EXPECT_EQ(first.bytes, "+OK\r\n*2\r\n$5\r\nab");
  EXPECT_EQ(first.replies, 1u);
  ASSERT_TRUE(server.write("cde\r\n:7\r\n"));
  auto rest = client.read_until(1, 2s);
  EXPECT_EQ(rest.bytes, "cde\r\n:7\r\n");
  EXPECT_EQ(rest.replies, 1u);
  EXPECT_FALSE(rest.unparsed);
  EXPECT_FALSE(rest.closed);
}

TEST_F(RawClientTest, ReadUntilMayReturnMoreRepliesThatArrivedTogether) {
  RawClient client(server_->port());
  // Redis runs the whole pipeline before it writes, so all three replies come in one piece.
  ASSERT_TRUE(client.send("PING\r\nDEBUG SLEEP 0.05\r\nPING\r\n"));
  auto received = client.read_until(1, 2s);
  EXPECT_EQ(received.bytes, "+PONG\r\n+OK\r\n+PONG\r\n");
  EXPECT_EQ(received.replies, 3u);
}

TEST_F(RawClientTest, TellsAClosedPeerFromASilentOne) {
  // An incomplete frame: Redis waits for the rest and keeps the connection open.
  RawClient waiting(server_->port());
  ASSERT_TRUE(waiting.send("*2000000000\r\n"));
  auto silent = waiting.read_for(200ms);
  EXPECT_EQ(silent.bytes, "");
  EXPECT_FALSE(silent.closed);

  // A protocol error: Redis answers and closes.
  RawClient rejected(server_->port());
  ASSERT_TRUE(rejected.send("*1\r\n*1\r\n$4\r\nPING\r\n"));
  auto closed = rejected.read_for(2s);
  EXPECT_EQ(closed.bytes, "-ERR Protocol error: expected '$', got '*'\r\n");
  EXPECT_TRUE(closed.closed);
  // Once closed, later reads say so at once.
  EXPECT_TRUE(rejected.read_for(1s).closed);
}

TEST_F(RawClientTest, QuitAnswersThenCloses) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.send("QUIT\r\n"));
  auto received = client.read_until(2, 2s);
  EXPECT_EQ(received.bytes, "+OK\r\n");
  EXPECT_EQ(received.replies, 1u);
  EXPECT_TRUE(received.closed);
}

TEST_F(RawClientTest, HalfCloseStillDeliversTheReply) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.send("PING\r\n"));
  client.shutdown_write();
  auto received = client.read_for(2s);
  EXPECT_EQ(received.bytes, "+PONG\r\n");
  EXPECT_TRUE(received.closed);
}

TEST_F(RawClientTest, DeepReplyIsKeptButMarkedUnparsed) {
  RawClient client(server_->port());
  // Nested 11 deep: more than hiredis 0.14's reader frames, but the bytes must still arrive.
  ASSERT_TRUE(client.send("EVAL \"local t={1} for i=1,10 do t={t} end return t\" 0\r\n"));
  auto received = client.read_until(1, 300ms);
  std::string expected;
  for (int depth = 0; depth < 11; ++depth) expected += "*1\r\n";
  expected += ":1\r\n";
  EXPECT_EQ(received.bytes, expected);
  EXPECT_TRUE(received.unparsed);
  EXPECT_EQ(received.replies, 0u);
  EXPECT_FALSE(received.closed);
}

TEST_F(RawClientTest, RefusedConnectIsReported) {
  RedisProcess stopped;
  const uint16_t port = stopped.port();
  stopped.stop();
  RawClient client(port);
  EXPECT_FALSE(client.connected());
  EXPECT_NE(client.error().find("refused"), std::string::npos) << client.error();
  EXPECT_FALSE(client.send("PING\r\n"));
}

}  // namespace
}  // namespace resplit::testkit
