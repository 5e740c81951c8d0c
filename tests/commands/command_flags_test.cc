#include "proxy/commands/command_flags.h"

#include <gtest/gtest.h>

namespace resplit::commands {
namespace {

TEST(CommandFlagsTest, EveryFlagRoundTripsThroughItsName) {
  for (unsigned i = 0; i < static_cast<unsigned>(CommandFlag::kCount); ++i) {
    const auto flag = static_cast<CommandFlag>(i);
    const std::string_view name = flag_name(flag);
    ASSERT_FALSE(name.empty()) << i;
    EXPECT_EQ(parse_flag(name), flag) << name;
  }
  EXPECT_TRUE(flag_name(CommandFlag::kCount).empty());
}

TEST(CommandFlagsTest, EveryCategoryRoundTripsThroughItsName) {
  for (unsigned i = 0; i < static_cast<unsigned>(AclCategory::kCount); ++i) {
    const auto category = static_cast<AclCategory>(i);
    const std::string_view name = category_name(category);
    ASSERT_TRUE(name.starts_with("@")) << i;
    EXPECT_EQ(parse_category(name), category) << name;
  }
}

TEST(CommandFlagsTest, WireNames) {
  EXPECT_EQ(flag_name(CommandFlag::kNoMandatoryKeys), "no_mandatory_keys");
  EXPECT_EQ(flag_name(CommandFlag::kMovablekeys), "movablekeys");
  EXPECT_EQ(flag_name(CommandFlag::kMayReplicate), "may_replicate");
  EXPECT_EQ(category_name(AclCategory::kSortedset), "@sortedset");
  EXPECT_EQ(parse_flag("READONLY"), CommandFlag::kReadonly);
  EXPECT_EQ(parse_category("@Blocking"), AclCategory::kBlocking);
}

TEST(CommandFlagsTest, UnknownNames) {
  EXPECT_EQ(parse_flag(""), std::nullopt);
  EXPECT_EQ(parse_flag("readonlyx"), std::nullopt);
  EXPECT_EQ(parse_flag("@read"), std::nullopt);
  EXPECT_EQ(parse_category("read"), std::nullopt);
  EXPECT_EQ(parse_category("@"), std::nullopt);
}

TEST(CommandFlagsTest, SetsTestBits) {
  const CommandFlags flags{CommandFlag::kWrite, CommandFlag::kDenyoom};
  EXPECT_TRUE(flags.has(CommandFlag::kWrite));
  EXPECT_FALSE(flags.has(CommandFlag::kReadonly));
  EXPECT_TRUE(flags.has_any({CommandFlag::kReadonly, CommandFlag::kDenyoom}));
  EXPECT_FALSE(flags.has_any({CommandFlag::kReadonly, CommandFlag::kFast}));
  EXPECT_TRUE(flags.has_all({CommandFlag::kWrite, CommandFlag::kDenyoom}));
  EXPECT_FALSE(flags.has_all({CommandFlag::kWrite, CommandFlag::kFast}));
  EXPECT_TRUE(CommandFlags{}.empty());
  EXPECT_EQ(flags | CommandFlags{CommandFlag::kSortForScript},
            (CommandFlags{CommandFlag::kWrite, CommandFlag::kDenyoom, CommandFlag::kSortForScript}));
  EXPECT_EQ(CommandFlags{CommandFlag::kSortForScript}.bits(),
            std::uint64_t{1} << static_cast<unsigned>(CommandFlag::kSortForScript));
}

}  // namespace
}  // namespace resplit::commands
