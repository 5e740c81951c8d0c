#include "proxy/resp/reply_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/resp/feed.h"

namespace resplit::resp {
namespace {

using namespace std::string_literals;
using testing::replies_at_any_split;

struct OneReply {
  std::string bytes;
  char type;
};

// One of each RESP2 and RESP3 type, as Redis 7 sends them.
const std::vector<OneReply>& every_type() {
  static const std::vector<OneReply> replies = {
      {"+OK\r\n", '+'},
      {"+\r\n", '+'},
      {"-ERR unknown command\r\n", '-'},
      {":0\r\n", ':'},
      {":-9223372036854775808\r\n", ':'},
      {"$5\r\nhello\r\n", '$'},
      {"$0\r\n\r\n", '$'},
      {"$4\r\na\r\nb\r\n", '$'},
      {"$3\r\na\0b\r\n"s, '$'},
      {"$-1\r\n", '$'},
      {"*-1\r\n", '*'},
      {"*0\r\n", '*'},
      {"*2\r\n$3\r\nfoo\r\n:1\r\n", '*'},
      {"_\r\n", '_'},
      {",3.14\r\n", ','},
      {",-inf\r\n", ','},
      {",nan\r\n", ','},
      {"#t\r\n", '#'},
      {"#f\r\n", '#'},
      {"(3492890328409238509324850943850943825024385\r\n", '('},
      {"(-1\r\n", '('},
      {"=15\r\ntxt:Some string\r\n", '='},
      {"!21\r\nSYNTAX invalid syntax\r\n", '!'},
      {"%2\r\n+first\r\n:1\r\n+second\r\n_\r\n", '%'},
      {"%0\r\n", '%'},
      {"~3\r\n:1\r\n:2\r\n:3\r\n", '~'},
      {">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", '>'},
      // An attribute annotates the value after it: both make one reply.
      {"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2039123\r\n:9543892\r\n", '|'},
      {"*3\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n$1\r\nx\r\n#t\r\n", '*'},
      {"*2\r\n%1\r\n~1\r\n#f\r\n>1\r\n_\r\n*-1\r\n", '*'},
  };
  return replies;
}

TEST(ReplyParserTest, EveryTypeAloneAtEverySplit) {
  for (const OneReply& one : every_type()) {
    SCOPED_TRACE(one.bytes);
    const auto out = replies_at_any_split(one.bytes);
    EXPECT_FALSE(out.failed);
    EXPECT_EQ(out.sizes, std::vector<std::size_t>{one.bytes.size()});
    EXPECT_EQ(out.types, std::vector<char>{one.type});
  }
}

TEST(ReplyParserTest, PipelineOfEveryTypeAtEverySplit) {
  std::string input;
  std::vector<std::size_t> sizes;
  for (const OneReply& one : every_type()) {
    input += one.bytes;
    sizes.push_back(one.bytes.size());
  }
  const auto out = replies_at_any_split(input);
  EXPECT_FALSE(out.failed);
  EXPECT_EQ(out.sizes, sizes);
  EXPECT_EQ(out.consumed, input.size());
}

TEST(ReplyParserTest, ReportsTheErrorTextOfTopLevelErrors) {
  const std::string input =
      "-READONLY You can't write against a read only replica.\r\n"
      "-NOSCRIPT No matching script.\r\n"
      "!26\r\nLOADING Redis is loading\r\n\r\n"
      "$8\r\n-NOTERR!\r\n"
      "*1\r\n-ERR nested\r\n";
  const auto out = replies_at_any_split(input);
  ASSERT_FALSE(out.failed);
  EXPECT_EQ(out.errors, (std::vector<std::string>{
                            "READONLY You can't write against a read only replica.",
                            "NOSCRIPT No matching script.", "LOADING Redis is loading\r\n", "",
                            ""}));
  EXPECT_EQ(out.types, (std::vector<char>{'-', '-', '!', '$', '*'}));
}

TEST(ReplyParserTest, ProtocolErrors) {
  const std::vector<std::string> bad = {
      "x\r\n",            "\r\n",
      "PING\r\n",         "$3\r\nabcXY",
      "$3\r\nabc\rX",     "+OK\rX",
      "$-2\r\n",          "$abc\r\n",
      "$01\r\nx\r\n",     "$ 1\r\nx\r\n",
      "$?\r\n",           "*?\r\n",
      "~?\r\n",           "*-2\r\n",
      "%-1\r\n",          "~-1\r\n",
      ">-1\r\n",          "|-1\r\n",
      "!-1\r\n",          "=-1\r\n",
      ":abc\r\n",         ":99999999999999999999\r\n",
      ":\r\n",            "#x\r\n",
      "#tt\r\n",          "_x\r\n",
      "(1a\r\n",          "(\r\n",
      ",\r\n",            ";4\r\nabcd\r\n",
      "*1\r\n\x01\r\n",   "*2\r\n:1\r\n?\r\n",
      "*9223372036854775807\r\n%9223372036854775807\r\n",
  };
  for (const std::string& input : bad) {
    SCOPED_TRACE(input);
    const auto out = replies_at_any_split(input);
    EXPECT_TRUE(out.failed);
    EXPECT_TRUE(out.sizes.empty());
  }
}

TEST(ReplyParserTest, Resp2OnlyRefusesEveryResp3Type) {
  for (const std::string input : {"_\r\n", ",1.5\r\n", "#t\r\n", "(12\r\n", "!3\r\nerr\r\n",
                                  "=7\r\ntxt:abc\r\n", "~1\r\n+a\r\n", ">1\r\n+a\r\n",
                                  "%1\r\n+a\r\n+b\r\n", "|1\r\n+a\r\n+b\r\n:1\r\n",
                                  "*2\r\n:1\r\n_\r\n"}) {
    SCOPED_TRACE(input);
    ReplyParser parser(ReplyProtocol::kResp2Only);
    const auto r = parser.parse(input);
    EXPECT_EQ(r.status, ParseStatus::kError);
    EXPECT_EQ(r.problem, "RESP3 type on a RESP2 connection");
    EXPECT_EQ(ReplyParser().parse(input).status, ParseStatus::kComplete);
  }
  ReplyParser parser(ReplyProtocol::kResp2Only);
  EXPECT_EQ(parser.parse("*3\r\n$1\r\na\r\n:1\r\n*-1\r\n").status, ParseStatus::kComplete);
  parser.reset();
  EXPECT_EQ(parser.parse("@x\r\n").problem, "bad type byte");
}

TEST(ReplyParserTest, ErrorsAreStickyUntilReset) {
  ReplyParser parser;
  auto r = parser.parse("$3\r\nabcXY");
  ASSERT_EQ(r.status, ParseStatus::kError);
  EXPECT_EQ(r.problem, "bulk string not followed by CRLF");
  EXPECT_EQ(parser.parse("+OK\r\n").status, ParseStatus::kError);
  parser.reset();
  EXPECT_EQ(parser.parse("+OK\r\n").status, ParseStatus::kComplete);
}

TEST(ReplyParserTest, IncompleteRepliesWait) {
  for (const std::string input : {"", "+OK", "+OK\r", "$5\r\nhel", "*2\r\n:1\r\n",
                                  "|1\r\n+a\r\n+b\r\n", "%1\r\n+a\r\n", "$5\r\nhello\r"}) {
    SCOPED_TRACE(input);
    const auto out = replies_at_any_split(input);
    EXPECT_FALSE(out.failed);
    EXPECT_TRUE(out.sizes.empty());
  }
}

TEST(ReplyParserTest, NestingFiveThousandDeep) {
  std::string input;
  for (int i = 0; i < 5000; ++i) input += "*1\r\n";
  input += ":1\r\n";
  const auto out = replies_at_any_split(input);
  EXPECT_FALSE(out.failed);
  EXPECT_EQ(out.sizes, std::vector<std::size_t>{input.size()});
}

TEST(ReplyParserTest, MapsNestedAHundredThousandDeep) {
  std::string input;
  for (int i = 0; i < 100'000; ++i) input += "%1\r\n+k\r\n";
  input += "_\r\n";
  ReplyParser parser;
  const auto r = parser.parse(input);
  ASSERT_EQ(r.status, ParseStatus::kComplete);
  EXPECT_EQ(r.reply.size, input.size());
  EXPECT_EQ(r.reply.type, '%');
}

TEST(ReplyParserTest, TenMebibyteBulkInFourKibibyteChunksIsLinear) {
  const std::size_t size = 10 * 1024 * 1024;
  std::string input = "$" + std::to_string(size) + "\r\n";
  input.resize(input.size() + size, 'b');
  input += "\r\n";
  ReplyParser parser;
  const testing::Deadline deadline;
  ParseStatus status = ParseStatus::kNeedMore;
  std::size_t calls = 0;
  for (std::size_t have = 0; have < input.size() && !deadline.expired(); ++calls) {
    have = std::min(input.size(), have + 4096);
    const auto r = parser.parse(std::string_view(input).substr(0, have));
    status = r.status;
    if (status == ParseStatus::kNeedMore) {
      EXPECT_EQ(parser.bytes_needed(), input.size() - have);
    } else {
      EXPECT_EQ(r.reply.size, input.size());
    }
  }
  EXPECT_EQ(status, ParseStatus::kComplete);
  EXPECT_EQ(calls, (input.size() + 4095) / 4096);
  EXPECT_LT(parser.bytes_scanned(), 64u);  // the header and the final CRLF, never the data
}

TEST(ReplyParserTest, MillionElementArrayInChunksIsLinear) {
  std::string input = "*1000000\r\n";
  for (int i = 0; i < 1'000'000; ++i) input += ":" + std::to_string(i) + "\r\n";
  ReplyParser parser;
  const testing::Deadline deadline;
  ParseStatus status = ParseStatus::kNeedMore;
  for (std::size_t have = 0; have < input.size() && !deadline.expired();) {
    have = std::min(input.size(), have + 4096);
    status = parser.parse(std::string_view(input).substr(0, have)).status;
  }
  EXPECT_EQ(status, ParseStatus::kComplete);
  EXPECT_LE(parser.bytes_scanned(), input.size());
}

}  // namespace
}  // namespace resplit::resp
