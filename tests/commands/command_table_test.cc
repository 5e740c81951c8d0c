#include "proxy/commands/command_table.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace resplit::commands {
namespace {

CommandInfo row(std::string name, int arity, CommandFlags flags = {},
                std::vector<CommandInfo> subcommands = {}) {
  CommandInfo info;
  info.name = std::move(name);
  info.arity = arity;
  info.flags = flags;
  info.subcommands = std::move(subcommands);
  return info;
}

std::unique_ptr<CommandTable> small_table() {
  std::vector<CommandInfo> rows;
  rows.push_back(row("get", 2, {CommandFlag::kReadonly, CommandFlag::kFast}));
  rows.push_back(row("SET", -3, {CommandFlag::kWrite, CommandFlag::kDenyoom}));
  rows.push_back(row("client", -2, {},
                     {row("client|setname", 3, {CommandFlag::kNoscript}),
                      row("KILL", -3, {CommandFlag::kAdmin}),  // bare and uppercase
                      row("client|getname", 2)}));
  rows.push_back(row("config", -2, {}, {row("config|get", -3), row("config|set", -4)}));
  rows.push_back(row("ping", -1));
  return std::make_unique<CommandTable>(std::move(rows));
}

TEST(CommandTableTest, FindIgnoresAsciiCase) {
  const auto table = small_table();
  for (const char* name : {"get", "GET", "Get", "gEt"}) {
    const CommandInfo* info = table->find(name);
    ASSERT_NE(info, nullptr) << name;
    EXPECT_EQ(info->name, "get");
    EXPECT_EQ(info->arity, 2);
  }
  const CommandInfo* set = table->find("set");
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->name, "set");  // stored lowercase although given as "SET"
  EXPECT_TRUE(set->has(CommandFlag::kWrite));
}

TEST(CommandTableTest, UnknownNamesAreNull) {
  const auto table = small_table();
  EXPECT_EQ(table->find(""), nullptr);
  EXPECT_EQ(table->find("gett"), nullptr);
  EXPECT_EQ(table->find("ge"), nullptr);
  EXPECT_EQ(table->find("g\xc3\xa9t"), nullptr);
  EXPECT_EQ(table->find(std::string_view("get\0", 4)), nullptr);
  // Longer than every known name: answered without hashing, still unknown.
  EXPECT_EQ(table->find(std::string(100000, 'a')), nullptr);
  EXPECT_EQ(table->find(std::string(100000, 'a'), "setname"), nullptr);
}

TEST(CommandTableTest, SubcommandsAreNotTopLevelNames) {
  const auto table = small_table();
  EXPECT_EQ(table->find("client|setname"), nullptr);
  EXPECT_EQ(table->find("CLIENT|KILL"), nullptr);
}

TEST(CommandTableTest, FindsSubcommandsIgnoringCase) {
  const auto table = small_table();
  const CommandInfo* setname = table->find("CLIENT", "SetName");
  ASSERT_NE(setname, nullptr);
  EXPECT_EQ(setname->name, "client|setname");
  EXPECT_EQ(setname->arity, 3);
  EXPECT_TRUE(setname->has(CommandFlag::kNoscript));

  const CommandInfo* kill = table->find("client", "kill");
  ASSERT_NE(kill, nullptr);
  EXPECT_EQ(kill->name, "client|kill");  // the bare name got its container's prefix
  EXPECT_TRUE(kill->has(CommandFlag::kAdmin));

  const CommandInfo* config_set = table->find("Config", "SET");
  ASSERT_NE(config_set, nullptr);
  EXPECT_EQ(config_set->name, "config|set");
}

TEST(CommandTableTest, UnknownSubcommandFallsBackToTheContainer) {
  const auto table = small_table();
  const CommandInfo* client = table->find("client");
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(table->find("client", "nosuch"), client);
  EXPECT_EQ(table->find("client", ""), client);
  EXPECT_EQ(table->find("client", "setname|x"), client);
  EXPECT_EQ(table->find("client", std::string(1000, 's')), client);
  // Another container's subcommand is not this one's.
  EXPECT_EQ(table->find("config", "setname"), table->find("config"));
}

TEST(CommandTableTest, CommandsWithoutSubcommandsIgnoreTheSubcommand) {
  const auto table = small_table();
  EXPECT_EQ(table->find("get", "setname"), table->find("get"));
  EXPECT_EQ(table->find("ping", "x"), table->find("ping"));
  EXPECT_EQ(table->find("nosuch", "setname"), nullptr);
}

TEST(CommandTableTest, RowsAreSortedAndDuplicatesKeepTheFirst) {
  std::vector<CommandInfo> rows;
  rows.push_back(row("b", 1));
  rows.push_back(row("a", 2));
  rows.push_back(row("B", 3));
  rows.push_back(row("", 4));
  rows.push_back(row("c", 1, {}, {row("c|y", 2), row("c|x", 3), row("y", 4), row("", 5)}));
  const CommandTable table(std::move(rows));
  ASSERT_EQ(table.commands().size(), 3u);
  EXPECT_EQ(table.commands()[0].name, "a");
  EXPECT_EQ(table.commands()[1].name, "b");
  EXPECT_EQ(table.commands()[1].arity, 1);
  EXPECT_EQ(table.find("B")->arity, 1);
  const CommandInfo& c = table.commands()[2];
  ASSERT_EQ(c.subcommands.size(), 2u);
  EXPECT_EQ(c.subcommands[0].name, "c|x");
  EXPECT_EQ(c.subcommands[1].name, "c|y");
  EXPECT_EQ(c.subcommands[1].arity, 2);
  EXPECT_EQ(table.subcommand_count(), 2u);
}

TEST(CommandTableTest, SubcommandsOfSubcommandsAreDropped) {
  std::vector<CommandInfo> rows;
  rows.push_back(row("c", -2, {}, {row("c|x", 2, {}, {row("c|x|deeper", 3)})}));
  const CommandTable table(std::move(rows));
  const CommandInfo* x = table.find("c", "x");
  ASSERT_NE(x, nullptr);
  EXPECT_TRUE(x->subcommands.empty());
  EXPECT_EQ(table.find("c", "x|deeper"), table.find("c"));
}

TEST(CommandTableTest, EmptyTableFindsNothing) {
  const CommandTable table({});
  EXPECT_TRUE(table.commands().empty());
  EXPECT_EQ(table.find("get"), nullptr);
  EXPECT_EQ(table.find("client", "setname"), nullptr);
}

TEST(CommandTableTest, ManyRowsAllFound) {
  // Enough rows to fill many probe chains; every one must be found, in either case.
  constexpr int kRows = 5000;
  std::vector<CommandInfo> rows;
  for (int i = 0; i < kRows; ++i) rows.push_back(row("cmd" + std::to_string(i), i));
  const CommandTable table(std::move(rows));
  for (int i = 0; i < kRows; ++i) {
    const CommandInfo* info = table.find("CMD" + std::to_string(i));
    ASSERT_NE(info, nullptr) << i;
    EXPECT_EQ(info->arity, i);
  }
  EXPECT_EQ(table.find("cmd" + std::to_string(kRows)), nullptr);
}

}  // namespace
}  // namespace resplit::commands
