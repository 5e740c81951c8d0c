#include "proxy/commands/command_reply_loader.h"

#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "tests/commands/resp_text.h"

namespace resplit::commands {
namespace {

using namespace resp_text;  // the builders read like the wire format

constexpr const char* kCaptured = "tests/commands/testdata/redis-7.0.15-command.resp";

CommandReplyLoad load(std::string_view bytes) {
  const ReplyPtr reply = parse(bytes);
  if (!reply) return {};
  return load_command_reply(*reply);
}

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(CommandReplyLoaderTest, CapturedRedis7ReplyEqualsTheBuiltinTable) {
  const std::string bytes = read_file(kCaptured);
  ASSERT_EQ(bytes.size(), 90181u);
  const CommandReplyLoad loaded = load(bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.error;
  EXPECT_EQ(loaded.stats.commands, 240u);
  EXPECT_EQ(loaded.stats.subcommands, 126u);
  EXPECT_EQ(loaded.stats.unknown_flags, 0u);
  EXPECT_EQ(loaded.stats.unknown_categories, 0u);

  const auto builtin = CommandTable::builtin();
  const auto ours = loaded.table->commands();
  const auto theirs = builtin->commands();
  ASSERT_EQ(ours.size(), theirs.size());
  for (std::size_t i = 0; i < ours.size(); ++i) {
    ASSERT_EQ(ours[i].name, theirs[i].name);
    ASSERT_EQ(ours[i].subcommands.size(), theirs[i].subcommands.size()) << ours[i].name;
    for (std::size_t j = 0; j < ours[i].subcommands.size(); ++j) {
      EXPECT_EQ(ours[i].subcommands[j], theirs[i].subcommands[j]) << ours[i].subcommands[j].name;
    }
    EXPECT_EQ(ours[i], theirs[i]) << ours[i].name;
  }
}

TEST(CommandReplyLoaderTest, Redis6ShapedReplyLoads) {
  // Redis 6.2: seven elements per row, no subcommands, flags Redis 7 no longer reports.
  const std::string reply = array({
      array({bulk("get"), integer(2), statuses({"readonly", "fast"}), integer(1), integer(1),
             integer(1), statuses({"@read", "@string", "@fast"})}),
      array({bulk("publish"), integer(3),
             statuses({"pubsub", "loading", "stale", "fast", "may_replicate"}), integer(0),
             integer(0), integer(0), statuses({"@pubsub", "@fast"})}),
      array({bulk("spop"), integer(-2), statuses({"write", "random", "fast"}), integer(1),
             integer(1), integer(1), statuses({"@write", "@set", "@fast"})}),
      array({bulk("config"), integer(-2), statuses({"admin", "noscript", "loading", "stale"}),
             integer(0), integer(0), integer(0), statuses({"@admin", "@slow", "@dangerous"})}),
  });
  const CommandReplyLoad loaded = load(reply);
  ASSERT_TRUE(loaded.ok()) << loaded.error;
  EXPECT_EQ(loaded.stats.commands, 4u);
  EXPECT_EQ(loaded.stats.subcommands, 0u);
  EXPECT_EQ(loaded.stats.unknown_flags, 0u);
  const CommandTable& table = *loaded.table;
  EXPECT_EQ(table.find("GET")->flags, (CommandFlags{CommandFlag::kReadonly, CommandFlag::kFast}));
  EXPECT_TRUE(table.find("publish")->has(CommandFlag::kMayReplicate));
  EXPECT_TRUE(table.find("spop")->has(CommandFlag::kRandom));
  EXPECT_TRUE(table.find("spop")->in(AclCategory::kSet));
  // Without subcommands in the reply, CONFIG GET classifies as CONFIG.
  EXPECT_EQ(table.find("config", "get"), table.find("config"));
  EXPECT_TRUE(table.find("config", "set")->has(CommandFlag::kAdmin));
}

TEST(CommandReplyLoaderTest, PreRedis6RowsWithoutCategoriesLoad) {
  const std::string reply = array({array({bulk("get"), integer(2),
                                          statuses({"readonly", "fast"}), integer(1), integer(1),
                                          integer(1)})});
  const CommandReplyLoad loaded = load(reply);
  ASSERT_TRUE(loaded.ok()) << loaded.error;
  EXPECT_TRUE(loaded.table->find("get")->has(CommandFlag::kReadonly));
  EXPECT_TRUE(loaded.table->find("get")->categories.empty());
}

TEST(CommandReplyLoaderTest, FlagsAndCategoriesAsBulkStrings) {
  const std::string reply = array({row7("set", -3, array({bulk("write"), bulk("DENYOOM")}), 1, 1,
                                        1, array({bulk("@write"), bulk("@string")}))});
  const CommandReplyLoad loaded = load(reply);
  ASSERT_TRUE(loaded.ok()) << loaded.error;
  const CommandInfo* set = loaded.table->find("set");
  EXPECT_EQ(set->flags, (CommandFlags{CommandFlag::kWrite, CommandFlag::kDenyoom}));
  EXPECT_EQ(set->categories, (AclCategories{AclCategory::kWrite, AclCategory::kString}));
}

TEST(CommandReplyLoaderTest, UnknownFlagsAndCategoriesAreCountedAndIgnored) {
  const std::string reply =
      array({row7("get", 2, statuses({"readonly", "future_flag", "fast", "other"}), 1, 1, 1,
                  statuses({"@read", "@future", "read"})),
             row7("set", -3, statuses({"write", "future_flag"}), 1, 1, 1, kEmpty)});
  const CommandReplyLoad loaded = load(reply);
  ASSERT_TRUE(loaded.ok()) << loaded.error;
  EXPECT_EQ(loaded.stats.unknown_flags, 3u);
  EXPECT_EQ(loaded.stats.unknown_categories, 2u);  // "read" lacks its '@'
  EXPECT_EQ(loaded.table->find("get")->flags,
            (CommandFlags{CommandFlag::kReadonly, CommandFlag::kFast}));
  EXPECT_EQ(loaded.table->find("get")->categories, AclCategories{AclCategory::kRead});
}

TEST(CommandReplyLoaderTest, ModuleCommandsAreMoreRows) {
  const std::string subcommands = array({row7("FT.CONFIG|GET", -3, statuses({"admin", "module"}),
                                              0, 0, 0, kEmpty)});
  const std::string reply = array({
      row7("get", 2, statuses({"readonly", "fast"}), 1, 1, 1, statuses({"@read"})),
      row7("FT.SEARCH", -3, statuses({"readonly", "module"}), 1, 1, 1, kEmpty),
      row7("FT.CONFIG", -2, statuses({"module"}), 0, 0, 0, kEmpty, subcommands),
  });
  const CommandReplyLoad loaded = load(reply);
  ASSERT_TRUE(loaded.ok()) << loaded.error;
  const CommandInfo* search = loaded.table->find("ft.search");
  ASSERT_NE(search, nullptr);
  EXPECT_EQ(search->name, "ft.search");
  EXPECT_TRUE(search->has(CommandFlag::kModule));
  EXPECT_TRUE(search->has(CommandFlag::kReadonly));
  const CommandInfo* config_get = loaded.table->find("Ft.Config", "get");
  ASSERT_NE(config_get, nullptr);
  EXPECT_EQ(config_get->name, "ft.config|get");
  EXPECT_EQ(loaded.stats.subcommands, 1u);
}

TEST(CommandReplyLoaderTest, ExtraElementsOfNewerServersAreIgnored) {
  const std::string reply =
      array({array({bulk("get"), integer(2), statuses({"readonly"}), integer(1), integer(1),
                    integer(1), statuses({"@read"}), kEmpty, kEmpty, kEmpty, bulk("future"),
                    integer(7)})});
  const CommandReplyLoad loaded = load(reply);
  ASSERT_TRUE(loaded.ok()) << loaded.error;
  EXPECT_EQ(loaded.table->find("get")->arity, 2);
}

}  // namespace
}  // namespace resplit::commands
