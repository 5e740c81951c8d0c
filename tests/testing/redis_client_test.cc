#include "tests/testing/redis_client.h"

#include <gtest/gtest.h>

#include <memory>

#include "tests/testing/redis_process.h"
#include "tests/testing/reply.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

class RedisClientTest : public ::testing::Test {
 protected:
  // One server for the suite: these tests only read and write their own keys.
  static void SetUpTestSuite() { server_ = std::make_unique<RedisProcess>(); }
  static void TearDownTestSuite() { server_.reset(); }

  static std::unique_ptr<RedisProcess> server_;
};

std::unique_ptr<RedisProcess> RedisClientTest::server_;

TEST_F(RedisClientTest, ReturnsEachReplyType) {
  RedisClient client = server_->client();
  ASSERT_TRUE(client.connected()) << client.error();
  EXPECT_EQ(client.command({"SET", "types:s", "v"}), Reply::status("OK"));
  EXPECT_EQ(client.command({"GET", "types:s"}), Reply::bulk("v"));
  EXPECT_EQ(client.command({"GET", "types:missing"}), Reply::nil());
  EXPECT_EQ(client.command({"INCRBY", "types:n", "41"}), Reply::number(41));
  EXPECT_EQ(client.command({"RPUSH", "types:l", "a", "b"}), Reply::number(2));
  EXPECT_EQ(client.command({"LRANGE", "types:l", "0", "-1"}),
            Reply::array({Reply::bulk("a"), Reply::bulk("b")}));
  Reply error = client.command({"GET"});
  EXPECT_EQ(error, Reply::error("ERR wrong number of arguments for 'get' command"));
  EXPECT_TRUE(client.connected());
}

TEST_F(RedisClientTest, ArgumentsAreBinarySafe) {
  RedisClient client = server_->client();
  const std::string value("a\0b\r\n c", 7);
  EXPECT_EQ(client.command(std::vector<std::string>{"SET", "bin:k", value}), Reply::status("OK"));
  EXPECT_EQ(client.command({"GET", "bin:k"}), Reply::bulk(value));
  EXPECT_EQ(client.command({"STRLEN", "bin:k"}), Reply::number(7));
}

TEST_F(RedisClientTest, PipelineAnswersInOrder) {
  RedisClient client = server_->client();
  auto replies = client.pipeline({{"SET", "pipe:k", "1"}, {"INCR", "pipe:k"}, {"GET", "pipe:k"}});
  EXPECT_EQ(replies, (std::vector<Reply>{Reply::status("OK"), Reply::number(2), Reply::bulk("2")}));
}

TEST_F(RedisClientTest, InfoIsAFieldMap) {
  RedisClient client = server_->client();
  auto info = client.info("replication");
  EXPECT_EQ(info["role"], "master");
  EXPECT_TRUE(info.contains("master_repl_offset"));
  EXPECT_FALSE(info.contains("# Replication"));
  EXPECT_EQ(client.info("server")["process_id"], std::to_string(server_->pid()));
}

TEST_F(RedisClientTest, ParsesInfoText) {
  auto fields = parse_info("# Server\r\nredis_version:7.0.15\r\n\r\nrole:master\r\nx\r\n");
  EXPECT_EQ(fields,
            (std::map<std::string, std::string>{{"redis_version", "7.0.15"}, {"role", "master"}}));
}

TEST_F(RedisClientTest, SlowReplyIsATimeoutAndTheConnectionIsRetired) {
  RedisClient client = server_->client(100ms);
  Reply reply = client.command({"DEBUG", "SLEEP", "0.5"});
  EXPECT_EQ(reply.type, Reply::Type::kTimeout) << reply;
  EXPECT_FALSE(client.connected());
  // The late +OK must never be read as the answer to the next command.
  EXPECT_FALSE(client.command({"PING"}).from_server());
  ASSERT_TRUE(client.reconnect()) << client.error();
  client.set_timeout(2s);
  EXPECT_EQ(client.command({"PING"}), Reply::status("PONG"));
}

TEST_F(RedisClientTest, RefusedConnectIsATransportError) {
  RedisProcess stopped;
  const uint16_t port = stopped.port();
  stopped.stop();
  RedisClient client(port, 200ms);
  EXPECT_FALSE(client.connected());
  EXPECT_NE(client.error().find("connect"), std::string::npos) << client.error();
  EXPECT_EQ(client.command({"PING"}).type, Reply::Type::kTransportError);
  EXPECT_TRUE(client.info().empty());
}

TEST_F(RedisClientTest, ServerClosingIsATransportError) {
  RedisClient client = server_->client();
  EXPECT_EQ(client.command({"QUIT"}), Reply::status("OK"));
  Reply after = client.command({"PING"});
  EXPECT_EQ(after.type, Reply::Type::kTransportError) << after;
  EXPECT_FALSE(client.connected());
}

}  // namespace
}  // namespace resplit::testkit
