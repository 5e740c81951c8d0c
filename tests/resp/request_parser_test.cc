#include "proxy/resp/request_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proxy/base/error_text.h"
#include "proxy/resp/reply_writer.h"
#include "tests/resp/feed.h"

namespace resplit::resp {
namespace {

using namespace std::string_literals;
using testing::RequestOutcome;
using testing::requests_at_any_split;
using Args = std::vector<std::vector<std::string>>;

std::string resp_command(const std::vector<std::string>& args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  std::string out;
  ReplyWriter(out).command(views);
  return out;
}

// The oracle table of what Redis 7.0.15 answers to bad input, at the parser level.
TEST(RequestParserOracleTest, BulkWithoutCrlfIsStillAccepted) {
  const auto out = requests_at_any_split("*1\r\n$4\r\nPINGXY*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(out.frames, (Args{{"PING"}, {"PING"}}));
  EXPECT_EQ(out.error_reply, "");
}

TEST(RequestParserOracleTest, TwoBillionArgumentsWaits) {
  const auto out = requests_at_any_split("*2000000000\r\n");
  EXPECT_TRUE(out.frames.empty());
  EXPECT_EQ(out.error_reply, "");
  EXPECT_EQ(out.consumed, 0u);
}

TEST(RequestParserOracleTest, ProtocolErrors) {
  const std::vector<std::pair<std::string, std::string_view>> cases = {
      {"*3000000000\r\n", text::kInvalidMultibulkLength},
      {"*1\r\n$600000000\r\n", text::kInvalidBulkLength},
      {"*1\r\n$-1\r\n", text::kInvalidBulkLength},
      {"*1\r\n*1\r\n$4\r\nPING\r\n", "-ERR Protocol error: expected '$', got '*'\r\n"},
      {"*1\r\n:1\r\n", "-ERR Protocol error: expected '$', got ':'\r\n"},
      {"SET \"a b\r\n", text::kUnbalancedQuotes},
      {std::string(70000, 'A'), text::kTooBigInlineRequest},
  };
  for (const auto& [input, reply] : cases) {
    SCOPED_TRACE(input.substr(0, 20));
    const auto out = requests_at_any_split(input);
    EXPECT_TRUE(out.frames.empty());
    EXPECT_EQ(out.error_reply, reply);
  }
}

TEST(RequestParserOracleTest, InlinePingWithCrlfOrLf) {
  for (const std::string input : {"PING\r\n", "PING\n"}) {
    const auto out = requests_at_any_split(input);
    EXPECT_EQ(out.frames, (Args{{"PING"}}));
    EXPECT_EQ(out.inline_flags, std::vector<bool>{true});
    EXPECT_EQ(out.consumed, input.size());
  }
}

TEST(RequestParserOracleTest, EmptyAndNullArraysAreSkipped) {
  for (const std::string prefix : {"*0\r\n", "*-1\r\n"}) {
    const std::string input = prefix + "*1\r\n$4\r\nPING\r\n";
    const auto out = requests_at_any_split(input);
    EXPECT_EQ(out.frames, (Args{{"PING"}}));
    EXPECT_EQ(out.raws, std::vector<std::string>{"*1\r\n$4\r\nPING\r\n"});
    EXPECT_EQ(out.consumed, input.size());
  }
}

TEST(RequestParserOracleTest, UnknownCommandAndWrongArityAreFramesWithRedisTexts) {
  auto out = requests_at_any_split("*1\r\n$7\r\nFOOBARX\r\n");
  ASSERT_EQ(out.frames, (Args{{"FOOBARX"}}));
  std::vector<std::string_view> args = {"FOOBARX"};
  std::string reply;
  ReplyWriter(reply).unknown_command(args);
  EXPECT_EQ(reply, "-ERR unknown command 'FOOBARX', with args beginning with: \r\n");

  out = requests_at_any_split("*1\r\n$3\r\nGET\r\n");
  ASSERT_EQ(out.frames, (Args{{"GET"}}));
  reply.clear();
  ReplyWriter(reply).wrong_arity("get");
  EXPECT_EQ(reply, "-ERR wrong number of arguments for 'get' command\r\n");
}

TEST(RequestParserOracleTest, LowControlBytesGetNoReply) {
  std::string input;
  for (char c = 0x00; c <= 0x27; ++c) input.push_back(c);
  const auto out = requests_at_any_split(input);
  EXPECT_TRUE(out.frames.empty());
  EXPECT_EQ(out.error_reply, "");
}

TEST(RequestParserTest, EveryFirstByte) {
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    SCOPED_TRACE(b);
    const auto out = requests_at_any_split(std::string(1, c) + "\r\n");
    if (c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r') {
      EXPECT_TRUE(out.frames.empty());  // a NUL hides the line end; blanks are skipped
      EXPECT_EQ(out.error_reply, "");
    } else if (c == '"' || c == '\'') {
      EXPECT_EQ(out.error_reply, text::kUnbalancedQuotes);
    } else if (c == '*') {
      EXPECT_EQ(out.error_reply, text::kInvalidMultibulkLength);
    } else {
      EXPECT_EQ(out.frames, (Args{{std::string(1, c)}}));
    }
  }
}

TEST(RequestParserTest, PipelineOfMixedCommands) {
  const std::string big(64 * 1024, 'v');
  const std::string input = resp_command({"SET", "k1", "v1"}) + resp_command({"GET", "k1"}) +
                            "ECHO \"a b\" 'c'\r\n" + resp_command({"SET", "empty", ""}) +
                            "*0\r\n" + resp_command({"SET", "big", big}) + "PING\n" +
                            resp_command({"MSET", "a", "1", "b", "2"});
  const auto out = requests_at_any_split(input);
  EXPECT_EQ(out.frames, (Args{{"SET", "k1", "v1"},
                              {"GET", "k1"},
                              {"ECHO", "a b", "c"},
                              {"SET", "empty", ""},
                              {"SET", "big", big},
                              {"PING"},
                              {"MSET", "a", "1", "b", "2"}}));
  EXPECT_EQ(out.inline_flags, (std::vector<bool>{false, false, true, false, false, true, false}));
  EXPECT_EQ(out.raws[2], "ECHO \"a b\" 'c'\r\n");
  EXPECT_EQ(out.raws[4], resp_command({"SET", "big", big}));
  EXPECT_EQ(out.consumed, input.size());
}

TEST(RequestParserTest, ArgumentsPointIntoTheInputUnlessUnescaped) {
  RequestParser parser;
  std::string input = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
  auto r = parser.parse(input);
  ASSERT_EQ(r.status, ParseStatus::kComplete);
  EXPECT_EQ(r.frame.args[1].data(), input.data() + 17);
  EXPECT_EQ(r.frame.raw.data(), input.data());

  input = "SET plain \"quo ted\" \"esc\\n\"\r\n";
  r = parser.parse(input);
  ASSERT_EQ(r.status, ParseStatus::kComplete);
  ASSERT_EQ(r.frame.args.size(), 4u);
  EXPECT_EQ(r.frame.args[1].data(), input.data() + 4);   // plain word: in place
  EXPECT_EQ(r.frame.args[2].data(), input.data() + 11);  // quoted, no escape: in place
  EXPECT_EQ(r.frame.args[3], "esc\n");                   // escaped: in the parser's scratch
  EXPECT_TRUE(r.frame.args[3].data() < input.data() ||
              r.frame.args[3].data() >= input.data() + input.size());
}

TEST(RequestParserTest, InlineCommandsReencodeToEquivalentResp) {
  RequestParser parser;
  const std::string line = "SET \"k\\x00\" 'it\\'s' \"\\r\\n\"\r\n";
  const auto r = parser.parse(line);
  ASSERT_EQ(r.status, ParseStatus::kComplete);
  ASSERT_TRUE(r.frame.is_inline);
  std::string resp;
  ReplyWriter(resp).command(r.frame.args);
  EXPECT_EQ(resp, "*4\r\n$3\r\nSET\r\n$2\r\nk\0\r\n$4\r\nit's\r\n$2\r\n\r\n\r\n"s);
  const auto again = requests_at_any_split(resp);
  EXPECT_EQ(again.frames, (Args{{"SET", "k\0"s, "it's", "\r\n"}}));
  EXPECT_EQ(again.inline_flags, std::vector<bool>{false});
}

TEST(RequestParserTest, ConsumedCoversSkippedCommandsEvenWhileWaiting) {
  RequestParser parser;
  const std::string input = "*0\r\n\r\n*-1\r\n*2\r\n$3\r\nGET";
  const auto r = parser.parse(input);
  EXPECT_EQ(r.status, ParseStatus::kNeedMore);
  EXPECT_EQ(r.consumed, 11u);
  const auto done = parser.parse(std::string_view(input).substr(11).data() + "\r\n$1\r\nk\r\n"s);
  ASSERT_EQ(done.status, ParseStatus::kComplete);
  EXPECT_EQ(done.frame.args.size(), 2u);
}

TEST(RequestParserTest, BytesNeededCountsTheRestOfABulk) {
  RequestParser parser;
  EXPECT_EQ(parser.parse("*1\r\n$10\r\nabc").status, ParseStatus::kNeedMore);
  EXPECT_EQ(parser.bytes_needed(), 9u);  // 7 data bytes and CRLF
  EXPECT_EQ(parser.parse("*1\r\n$10\r\nabc").status, ParseStatus::kNeedMore);
  EXPECT_EQ(parser.parse("*1\r\n$").status, ParseStatus::kNeedMore);
}

TEST(RequestParserTest, ErrorsAreStickyUntilReset) {
  RequestParser parser;
  auto r = parser.parse("*1\r\n:1\r\n");
  ASSERT_EQ(r.status, ParseStatus::kError);
  EXPECT_EQ(r.error, RequestError::kExpectedDollar);
  r = parser.parse("PING\r\n");
  EXPECT_EQ(r.status, ParseStatus::kError);
  EXPECT_EQ(r.error_reply, "-ERR Protocol error: expected '$', got ':'\r\n");
  parser.reset();
  r = parser.parse("PING\r\n");
  EXPECT_EQ(r.status, ParseStatus::kComplete);
}

TEST(RequestParserTest, LimitsAreConfigurable) {
  ParserLimits limits;
  limits.max_bulk_length = 4;
  limits.max_inline_length = 8;
  limits.max_multibulk_length = 2;
  auto out = requests_at_any_split("*1\r\n$4\r\nPING\r\n*1\r\n$5\r\nHELLO\r\n", limits);
  EXPECT_EQ(out.frames, (Args{{"PING"}}));
  EXPECT_EQ(out.error_reply, text::kInvalidBulkLength);
  out = requests_at_any_split("*2\r\n$1\r\na\r\n$1\r\nb\r\n*3\r\n", limits);
  EXPECT_EQ(out.frames, (Args{{"a", "b"}}));
  EXPECT_EQ(out.error_reply, text::kInvalidMultibulkLength);
  // An inline line may be max_inline_length long; one byte more is too big.
  out = requests_at_any_split("12345678\n123456789\n", limits);
  EXPECT_EQ(out.frames, (Args{{"12345678"}}));
  EXPECT_EQ(out.error_reply, text::kTooBigInlineRequest);
  out = requests_at_any_split("*1234567\r\n", limits);  // an 8-byte count line is read
  EXPECT_EQ(out.error_reply, text::kInvalidMultibulkLength);
  out = requests_at_any_split("*12345678", limits);
  EXPECT_EQ(out.error_reply, text::kTooBigMultibulkRequest);
  out = requests_at_any_split("*1\r\n$123456789", limits);
  EXPECT_EQ(out.error_reply, text::kTooBigBulkCountString);
}

TEST(RequestParserTest, HundredMebibyteBulkInPiecesCostsLinearTime) {
  const std::size_t size = 100 * 1024 * 1024;
  std::string input = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + std::to_string(size) + "\r\n";
  const std::size_t header = input.size();
  input.resize(header + size, 'x');
  input += "\r\n";
  RequestParser parser;
  const testing::Deadline deadline;
  const std::size_t piece = 64 * 1024;
  ParseStatus status = ParseStatus::kNeedMore;
  std::size_t calls = 0;
  for (std::size_t have = 0; have < input.size() && !deadline.expired(); ++calls) {
    have = std::min(input.size(), have + piece);
    const auto r = parser.parse(std::string_view(input).substr(0, have));
    status = r.status;
    if (status == ParseStatus::kComplete) {
      EXPECT_EQ(r.consumed, input.size());
      EXPECT_EQ(r.frame.args[2].size(), size);
    }
  }
  EXPECT_EQ(status, ParseStatus::kComplete);
  EXPECT_GT(calls, 1000u);
  EXPECT_LT(parser.bytes_scanned(), 100u);  // the header lines only, never the data
}

TEST(RequestParserTest, MillionArgumentCommandInPiecesCostsLinearTime) {
  const std::size_t count = 1'000'000;
  std::string input = "*" + std::to_string(count) + "\r\n";
  for (std::size_t i = 0; i < count; ++i) input += "$1\r\na\r\n";
  RequestParser parser;
  const testing::Deadline deadline;
  ParseStatus status = ParseStatus::kNeedMore;
  for (std::size_t have = 0; have < input.size() && !deadline.expired();) {
    have = std::min(input.size(), have + 64 * 1024);
    const auto r = parser.parse(std::string_view(input).substr(0, have));
    status = r.status;
    if (status == ParseStatus::kComplete) {
      EXPECT_EQ(r.frame.args.size(), count);
    }
  }
  EXPECT_EQ(status, ParseStatus::kComplete);
  EXPECT_LT(parser.bytes_scanned(), input.size());
}

}  // namespace
}  // namespace resplit::resp
