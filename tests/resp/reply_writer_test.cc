#include "proxy/resp/reply_writer.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <string>
#include <vector>

#include "proxy/base/error_text.h"

namespace resplit::resp {
namespace {

using namespace std::string_literals;

std::string unknown(std::vector<std::string> args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  std::string out;
  ReplyWriter(out).unknown_command(views);
  return out;
}

TEST(ReplyWriterTest, PlainReplies) {
  std::string out;
  ReplyWriter w(out);
  w.simple_string("OK").integer(0).integer(-42).integer(INT64_MIN);
  w.bulk("hi").bulk("").bulk("a\0b"s);
  w.null_bulk().null_array().array_header(3).error_line(text::kNoAuth).error("ERR bad\r\nthing");
  EXPECT_EQ(out,
            "+OK\r\n:0\r\n:-42\r\n:-9223372036854775808\r\n$2\r\nhi\r\n$0\r\n\r\n$3\r\na\0b\r\n"
            "$-1\r\n*-1\r\n*3\r\n-NOAUTH Authentication required.\r\n-ERR bad  thing\r\n"s);
}

TEST(ReplyWriterTest, ExpectedDollarShowsLineEndsAsSpaces) {
  std::string out;
  ReplyWriter(out).expected_dollar('*').expected_dollar('\r').expected_dollar('\n');
  EXPECT_EQ(out,
            "-ERR Protocol error: expected '$', got '*'\r\n"
            "-ERR Protocol error: expected '$', got ' '\r\n"
            "-ERR Protocol error: expected '$', got ' '\r\n");
}

// Texts below are what redis-server 7.0.15 sent for the same arguments.
TEST(ReplyWriterTest, UnknownCommandAsRedisWordsIt) {
  EXPECT_EQ(unknown({"FOOBARX"}), "-ERR unknown command 'FOOBARX', with args beginning with: \r\n");
  EXPECT_EQ(unknown({""}), "-ERR unknown command '', with args beginning with: \r\n");
  EXPECT_EQ(unknown({"FOO", "b\0r"s, "c"}),
            "-ERR unknown command 'FOO', with args beginning with: 'b' 'c' \r\n");
  EXPECT_EQ(unknown({"FOO", "a\r\n"}),
            "-ERR unknown command 'FOO', with args beginning with: 'a  ' \r\n");
  EXPECT_EQ(unknown({"FOO", std::string(200, 'a')}),
            "-ERR unknown command 'FOO', with args beginning with: '" + std::string(128, 'a') +
                "' \r\n");
  EXPECT_EQ(unknown({"FOO", std::string(100, 'a'), std::string(100, 'b'), "ccc"}),
            "-ERR unknown command 'FOO', with args beginning with: '" + std::string(100, 'a') +
                "' '" + std::string(25, 'b') + "' \r\n");
  EXPECT_EQ(unknown({"FOO", std::string(120, 'a'), "ccc"}),
            "-ERR unknown command 'FOO', with args beginning with: '" + std::string(120, 'a') +
                "' 'ccc' \r\n");
  EXPECT_EQ(unknown({"FOO", std::string(126, 'a'), "ccc"}),
            "-ERR unknown command 'FOO', with args beginning with: '" + std::string(126, 'a') +
                "' \r\n");
  EXPECT_EQ(unknown({std::string(200, 'F'), "a"}),
            "-ERR unknown command '" + std::string(128, 'F') +
                "', with args beginning with: 'a' \r\n");
}

TEST(ReplyWriterTest, SubcommandAndArityTexts) {
  std::string out;
  ReplyWriter(out).unknown_subcommand("client", "FOO").wrong_arity("get").wrong_arity(
      "client|setname");
  EXPECT_EQ(out,
            "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n"
            "-ERR wrong number of arguments for 'get' command\r\n"
            "-ERR wrong number of arguments for 'client|setname' command\r\n");
}

TEST(ReplyWriterTest, CommandEncodingMatchesHiredis) {
  const std::vector<std::vector<std::string>> commands = {
      {"PING"},
      {"AUTH", "user", "p@ss word"},
      {"CLIENT", "SETNAME", "resplit"},
      {"SET", "", "a\0b\r\n"s},
      {"SELECT", "15"},
      {"MSET", std::string(1000, 'k'), std::string(70000, 'v')},
  };
  for (const auto& args : commands) {
    std::vector<const char*> argv;
    std::vector<std::size_t> argvlen;
    std::vector<std::string_view> views;
    for (const std::string& a : args) {
      argv.push_back(a.data());
      argvlen.push_back(a.size());
      views.push_back(a);
    }
    char* formatted = nullptr;
    const int length = redisFormatCommandArgv(&formatted, static_cast<int>(argv.size()),
                                              argv.data(), argvlen.data());
    ASSERT_GT(length, 0);
    const std::string expected(formatted, static_cast<std::size_t>(length));
    redisFreeCommand(formatted);
    std::string out;
    ReplyWriter(out).command(views);
    EXPECT_EQ(out, expected);
  }
  std::string out;
  ReplyWriter(out).command({"SELECT", "2"});
  EXPECT_EQ(out, "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n");
}

}  // namespace
}  // namespace resplit::resp
