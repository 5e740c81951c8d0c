#include "tests/testing/reply.h"

#include <gtest/gtest.h>

namespace resplit::testkit {
namespace {

TEST(ReplyTest, PrintsLikeRedisCli) {
  EXPECT_EQ(to_string(Reply::bulk("a\"b\r\n\x01")), "\"a\\\"b\\r\\n\\x01\"");
  EXPECT_EQ(to_string(Reply::status("OK")), "+OK");
  EXPECT_EQ(to_string(Reply::error("ERR no")), "-ERR no");
  EXPECT_EQ(to_string(Reply::number(-3)), ":-3");
  EXPECT_EQ(to_string(Reply::nil()), "(nil)");
  EXPECT_EQ(to_string(Reply::array({Reply::bulk("x"), Reply::array({}), Reply::nil()})),
            "[\"x\", [], (nil)]");
  EXPECT_EQ(to_string(Reply::timeout("slow")), "<timeout: slow>");
  EXPECT_EQ(::testing::PrintToString(Reply::number(1)), ":1");
}

TEST(ReplyTest, ComparesTypeAndContent) {
  EXPECT_EQ(Reply::bulk("OK"), Reply::bulk("OK"));
  EXPECT_NE(Reply::bulk("OK"), Reply::status("OK"));
  EXPECT_NE(Reply::bulk(""), Reply::nil());
  EXPECT_NE(Reply::number(1), Reply::number(2));
  EXPECT_NE(Reply::array({Reply::number(1)}), Reply::array({Reply::number(1), Reply::nil()}));
  EXPECT_TRUE(Reply::error("ERR x").from_server());
  EXPECT_TRUE(Reply::error("ERR x").is_error());
  EXPECT_FALSE(Reply::timeout("t").from_server());
  EXPECT_FALSE(Reply::transport_error("eof").from_server());
}

}  // namespace
}  // namespace resplit::testkit
