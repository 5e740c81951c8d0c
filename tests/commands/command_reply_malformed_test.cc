// Malformed COMMAND replies give an error naming the broken part, no table, and never a crash.
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "proxy/commands/command_reply_loader.h"
#include "tests/commands/resp_text.h"

namespace resplit::commands {
namespace {

using namespace resp_text;  // the builders read like the wire format

struct Malformed {
  std::string what;
  std::string reply;
  std::string error_part;  // expected inside the error text
};

const std::string kGood = row7("get", 2, statuses({"readonly"}), 1, 1, 1, statuses({"@read"}));

std::string row_with(std::initializer_list<std::string> elements) { return array(elements); }

std::vector<Malformed> cases() {
  const std::string i1 = integer(1);
  const std::string flags = statuses({"write"});
  const std::string cats = statuses({"@write"});
  return {
      {"status", "+OK\r\n", "not an array"},
      {"error", "-ERR unknown command 'COMMAND'\r\n", "unknown command 'COMMAND'"},
      {"integer", ":240\r\n", "not an array"},
      {"nil", "$-1\r\n", "not an array"},
      {"nil array", "*-1\r\n", "not an array"},
      {"bulk", bulk("get"), "not an array"},
      {"empty", "*0\r\n", "no commands"},
      {"row not an array", array({integer(1)}), "entry 0: not an array"},
      {"row nil", array({"$-1\r\n"}), "entry 0: not an array"},
      {"empty row", array({kEmpty}), "entry 0: has 0 elements"},
      {"short row", array({row_with({bulk("x"), i1, flags, i1, i1})}), "has 5 elements"},
      {"name integer", array({row_with({i1, i1, flags, i1, i1, i1})}), "name is not a string"},
      {"name nil", array({row_with({"$-1\r\n", i1, flags, i1, i1, i1})}), "name is not"},
      {"name array", array({row_with({kEmpty, i1, flags, i1, i1, i1})}), "name is not"},
      {"empty name", array({row_with({bulk(""), i1, flags, i1, i1, i1})}), "name is empty"},
      {"arity bulk", array({row_with({bulk("x"), bulk("2"), flags, i1, i1, i1})}),
       "entry 0 (\"x\"): the arity is not an integer"},
      {"arity too big", array({row_with({bulk("x"), integer(1LL << 40), flags, i1, i1, i1})}),
       "arity"},
      {"arity too small", array({row_with({bulk("x"), integer(-(1LL << 40)), flags, i1, i1, i1})}),
       "arity"},
      {"first key string", array({row_with({bulk("x"), i1, flags, status("1"), i1, i1})}),
       "key position"},
      {"last key nil", array({row_with({bulk("x"), i1, flags, i1, "$-1\r\n", i1})}),
       "key position"},
      {"step array", array({row_with({bulk("x"), i1, flags, i1, i1, kEmpty})}), "key position"},
      {"flags status", array({row_with({bulk("x"), i1, status("write"), i1, i1, i1})}),
       "flags are not an array"},
      {"flags nil", array({row_with({bulk("x"), i1, "*-1\r\n", i1, i1, i1})}), "flags are not"},
      {"flag integer", array({row_with({bulk("x"), i1, array({status("write"), i1}), i1, i1, i1})}),
       "flags hold a non-string"},
      {"flag nested array", array({row_with({bulk("x"), i1, array({flags}), i1, i1, i1})}),
       "flags hold"},
      {"categories bulk", array({row_with({bulk("x"), i1, flags, i1, i1, i1, bulk("@write")})}),
       "ACL categories are not an array"},
      {"category integer",
       array({row_with({bulk("x"), i1, flags, i1, i1, i1, array({integer(5)})})}),
       "categories hold a non-string"},
      {"tips integer", array({row_with({bulk("x"), i1, flags, i1, i1, i1, cats, i1})}),
       "tips are not an array"},
      {"key specs status",
       array({row_with({bulk("x"), i1, flags, i1, i1, i1, cats, kEmpty, status("x")})}),
       "key specs are not an array"},
      {"subcommands bulk",
       array({row_with({bulk("x"), i1, flags, i1, i1, i1, cats, kEmpty, kEmpty, bulk("x|y")})}),
       "subcommands are not an array"},
      {"subcommand short",
       array({row7("x", -2, flags, 0, 0, 0, cats, array({array({bulk("x|y"), i1})}))}),
       "entry 0 (\"x\") subcommand 0 (\"x|y\"): has 2 elements"},
      {"subcommand bad arity",
       array({row7("x", -2, flags, 0, 0, 0, cats,
                   array({row7("x|a", 2, flags, 0, 0, 0, cats),
                          row_with({bulk("x|b"), bulk("2"), flags, i1, i1, i1})}))}),
       "entry 0 (\"x\") subcommand 1 (\"x|b\"): the arity"},
      {"nested subcommands",
       array({row7("x", -2, flags, 0, 0, 0, cats,
                   array({row7("x|a", -2, flags, 0, 0, 0, cats,
                               array({row7("x|a|b", 2, flags, 0, 0, 0, cats)}))}))}),
       "subcommand 0 (\"x|a\"): a subcommand has subcommands"},
      {"bad row after good ones", array({kGood, kGood, row_with({bulk("bad"), i1})}),
       "entry 2 (\"bad\"): has 2 elements"},
      {"integer after good rows", array({kGood, i1}), "entry 1: not an array"},
  };
}

TEST(CommandReplyMalformedTest, EveryCaseIsAnErrorWithoutATable) {
  for (const Malformed& c : cases()) {
    SCOPED_TRACE(c.what);
    const resp_text::ReplyPtr reply = parse(c.reply);
    ASSERT_NE(reply, nullptr);
    const CommandReplyLoad loaded = load_command_reply(*reply);
    EXPECT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.table, nullptr);
    EXPECT_NE(loaded.error.find(c.error_part), std::string::npos) << loaded.error;
    EXPECT_EQ(loaded.stats.commands, 0u);
    EXPECT_EQ(loaded.stats.subcommands, 0u);
  }
}

TEST(CommandReplyMalformedTest, EachCaseIsMalformedOnlyWhereItSaysSo) {
  // Guard against cases that fail for a reason other than the one they name: the same rows built
  // well must load.
  const std::string flags = statuses({"write"});
  const std::string cats = statuses({"@write"});
  const std::string good_subs =
      array({row7("x", -2, flags, 0, 0, 0, cats, array({row7("x|a", 2, flags, 0, 0, 0, cats)}))});
  for (const std::string& reply : {array({kGood}), array({kGood, kGood}), good_subs}) {
    const resp_text::ReplyPtr parsed = parse(reply);
    ASSERT_NE(parsed, nullptr);
    const CommandReplyLoad loaded = load_command_reply(*parsed);
    EXPECT_TRUE(loaded.ok()) << loaded.error;
  }
}

TEST(CommandReplyMalformedTest, LongNamesAreCutInTheErrorText) {
  const std::string name(10000, 'n');
  const std::string reply = array({array({bulk(name), integer(1)})});
  const resp_text::ReplyPtr parsed = parse(reply);
  ASSERT_NE(parsed, nullptr);
  const CommandReplyLoad loaded = load_command_reply(*parsed);
  ASSERT_FALSE(loaded.ok());
  EXPECT_LT(loaded.error.size(), 200u);
}

TEST(CommandReplyMalformedTest, HandBuiltReplyObjectsWithNullElements) {
  // hiredis never builds these, but a reply object from elsewhere must not be trusted either.
  redisReply row{};
  row.type = REDIS_REPLY_ARRAY;
  row.elements = 6;
  row.element = nullptr;
  redisReply* rows[] = {&row};
  redisReply top{};
  top.type = REDIS_REPLY_ARRAY;
  top.elements = 1;
  top.element = rows;
  EXPECT_FALSE(load_command_reply(top).ok());

  redisReply* holes[6] = {};
  row.element = holes;
  const CommandReplyLoad loaded = load_command_reply(top);
  EXPECT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error.find("name is not a string"), std::string::npos) << loaded.error;

  redisReply name{};
  name.type = REDIS_REPLY_STRING;
  name.str = nullptr;
  name.len = 3;
  holes[0] = &name;
  EXPECT_FALSE(load_command_reply(top).ok());
}

}  // namespace
}  // namespace resplit::commands
