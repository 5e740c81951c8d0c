#include "proxy/resp/hiredis_reply.h"

#include <gtest/gtest.h>

#include <string>

namespace resplit::resp {
namespace {

TEST(HiredisReplyTest, ParsesOneCompleteReply) {
  const auto parsed = parse_reply("*3\r\n$4\r\nrole\r\n:42\r\n*-1\r\n");
  ASSERT_TRUE(parsed) << parsed.error;
  ASSERT_EQ(parsed.reply->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(parsed.reply->elements, 3u);
  EXPECT_EQ(reply_text(*parsed.reply->element[0]), "role");
  EXPECT_EQ(parsed.reply->element[1]->integer, 42);
  EXPECT_EQ(parsed.reply->element[2]->type, REDIS_REPLY_NIL);
  EXPECT_EQ(reply_text(*parsed.reply->element[1]), "");
}

TEST(HiredisReplyTest, StatusAndErrorText) {
  auto parsed = parse_reply("+OK\r\n");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed.reply->type, REDIS_REPLY_STATUS);
  EXPECT_EQ(reply_text(*parsed.reply), "OK");
  parsed = parse_reply("-LOADING Redis is loading the dataset in memory\r\n");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed.reply->type, REDIS_REPLY_ERROR);
  EXPECT_EQ(reply_text(*parsed.reply), "LOADING Redis is loading the dataset in memory");
}

TEST(HiredisReplyTest, RejectsWhatIsNotExactlyOneReply) {
  EXPECT_EQ(parse_reply("$5\r\nhel").error, "incomplete reply");
  EXPECT_EQ(parse_reply("").error, "incomplete reply");
  EXPECT_EQ(parse_reply("+OK\r\n+OK\r\n").error, "bytes left after the reply");
  EXPECT_FALSE(parse_reply("%1\r\n+a\r\n+b\r\n"));  // hiredis 0.14 knows no RESP3
}

TEST(HiredisReplyTest, DepthLimitIsSeven) {
  auto nested = [](int depth) {
    std::string s;
    for (int i = 0; i < depth; ++i) s += "*1\r\n";
    return s + ":1\r\n";
  };
  EXPECT_TRUE(parse_reply(nested(7)));
  const auto deep = parse_reply(nested(9));
  EXPECT_FALSE(deep);
  EXPECT_NE(deep.error.find("depth > 7"), std::string::npos) << deep.error;
}

// The header alone would make hiredis allocate 16 GB of element pointers; the bounded reader refuses.
TEST(HiredisReplyTest, HugeArrayHeadersAreRefusedBeforeAllocating) {
  const auto huge = parse_reply("*2000000000\r\n");
  EXPECT_FALSE(huge);
  EXPECT_FALSE(huge.error.empty());
  EXPECT_FALSE(parse_reply("*" + std::to_string(kMaxHiredisArrayElements + 1) + "\r\n"));
  const auto small = parse_reply("*3\r\n:1\r\n:2\r\n:3\r\n");
  ASSERT_TRUE(small) << small.error;
  EXPECT_EQ(small.reply->elements, 3u);
}

}  // namespace
}  // namespace resplit::resp
