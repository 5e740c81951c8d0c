// The built-in table says what redis-server 7.0.15 says about the commands routing cares most for.
#include <memory>
#include <string_view>

#include <gtest/gtest.h>

#include "proxy/commands/command_table.h"

namespace resplit::commands {
namespace {

using F = CommandFlag;
using C = AclCategory;

class BuiltinTableTest : public ::testing::Test {
 protected:
  const CommandInfo& get(std::string_view name) {
    const CommandInfo* info = table_->find(name);
    if (info == nullptr) ADD_FAILURE() << name << " is not in the built-in table";
    return info != nullptr ? *info : missing_;
  }
  const CommandInfo& get(std::string_view name, std::string_view sub) {
    const CommandInfo* info = table_->find(name, sub);
    if (info == nullptr || info->subcommands.size() != 0) {
      ADD_FAILURE() << name << " " << sub << " is not in the built-in table";
      return missing_;
    }
    return *info;
  }

  std::shared_ptr<const CommandTable> table_ = CommandTable::builtin();
  CommandInfo missing_;
};

TEST_F(BuiltinTableTest, IsSharedAndComplete) {
  EXPECT_EQ(table_.get(), CommandTable::builtin().get());
  EXPECT_EQ(table_->commands().size(), 240u);  // COMMAND COUNT of 7.0.15
  EXPECT_EQ(table_->subcommand_count(), 126u);
}

TEST_F(BuiltinTableTest, ReadsAndWrites) {
  const CommandInfo& get_info = get("GET");
  EXPECT_EQ(get_info.arity, 2);
  EXPECT_EQ(get_info.flags, (CommandFlags{F::kReadonly, F::kFast}));
  EXPECT_EQ(get_info.categories, (AclCategories{C::kRead, C::kString, C::kFast}));

  const CommandInfo& set = get("set");
  EXPECT_EQ(set.arity, -3);
  EXPECT_EQ(set.flags, (CommandFlags{F::kWrite, F::kDenyoom}));
  EXPECT_TRUE(set.in(C::kWrite));
  EXPECT_FALSE(set.has(F::kReadonly));
}

TEST_F(BuiltinTableTest, PubSub) {
  // Redis 7.0 hides may_replicate from COMMAND, so PUBLISH shows pubsub but not may_replicate.
  const CommandInfo& publish = get("publish");
  EXPECT_EQ(publish.flags, (CommandFlags{F::kPubsub, F::kLoading, F::kStale, F::kFast}));
  EXPECT_FALSE(publish.has(F::kMayReplicate));
  EXPECT_FALSE(publish.has(F::kReadonly));
  EXPECT_TRUE(get("subscribe").has(F::kPubsub));
  EXPECT_TRUE(get("ssubscribe").has(F::kPubsub));
  EXPECT_EQ(get("spublish").first_key, 1);
}

TEST_F(BuiltinTableTest, ScriptsAndFunctions) {
  // EVAL and FCALL carry neither write nor readonly: only the *_RO forms may go to a replica.
  for (std::string_view name : {"eval", "evalsha", "fcall"}) {
    const CommandInfo& info = get(name);
    EXPECT_FALSE(info.has(F::kReadonly)) << name;
    EXPECT_FALSE(info.has(F::kWrite)) << name;
    EXPECT_TRUE(info.has(F::kNoscript)) << name;
    EXPECT_TRUE(info.has(F::kMovablekeys)) << name;
    EXPECT_TRUE(info.has(F::kNoMandatoryKeys)) << name;
    EXPECT_TRUE(info.in(C::kScripting)) << name;
  }
  for (std::string_view name : {"eval_ro", "evalsha_ro", "fcall_ro"}) {
    const CommandInfo& info = get(name);
    EXPECT_TRUE(info.has(F::kReadonly)) << name;
    EXPECT_FALSE(info.has(F::kWrite)) << name;
    EXPECT_TRUE(info.in(C::kScripting)) << name;
  }
  const CommandInfo& script_load = get("SCRIPT", "LOAD");
  EXPECT_EQ(script_load.name, "script|load");
  EXPECT_EQ(script_load.arity, 3);
  EXPECT_EQ(script_load.flags, (CommandFlags{F::kNoscript, F::kStale}));
  EXPECT_TRUE(script_load.in(C::kScripting));
  EXPECT_TRUE(get("function", "load").has(F::kWrite));
}

TEST_F(BuiltinTableTest, Blocking) {
  const CommandInfo& blpop = get("blpop");
  EXPECT_TRUE(blpop.has(F::kBlocking));
  EXPECT_TRUE(blpop.has(F::kWrite));
  EXPECT_TRUE(blpop.in(C::kBlocking));

  const CommandInfo& xread = get("XREAD");
  EXPECT_TRUE(xread.has(F::kReadonly));
  EXPECT_TRUE(xread.has(F::kBlocking));
  EXPECT_TRUE(xread.has(F::kMovablekeys));
  EXPECT_FALSE(get("xreadgroup").has(F::kReadonly));  // it moves entries into the PEL
  EXPECT_TRUE(get("xreadgroup").has(F::kWrite));
}

TEST_F(BuiltinTableTest, Transactions) {
  for (std::string_view name : {"multi", "exec", "discard", "watch", "unwatch"}) {
    EXPECT_TRUE(get(name).in(C::kTransaction)) << name;
    EXPECT_TRUE(get(name).has(F::kNoscript)) << name;
  }
  EXPECT_TRUE(get("multi").has(F::kAllowBusy));
  EXPECT_EQ(get("watch").first_key, 1);
  EXPECT_EQ(get("watch").last_key, -1);
}

TEST_F(BuiltinTableTest, AdminAndConnection) {
  const CommandInfo& config_set = get("config", "set");
  EXPECT_TRUE(config_set.has(F::kAdmin));
  EXPECT_TRUE(config_set.in(C::kDangerous));
  EXPECT_FALSE(get("config", "get").has(F::kWrite));

  const CommandInfo& setname = get("client", "setname");
  EXPECT_EQ(setname.arity, 3);
  EXPECT_EQ(setname.flags, (CommandFlags{F::kNoscript, F::kLoading, F::kStale}));
  EXPECT_TRUE(setname.in(C::kConnection));

  EXPECT_TRUE(get("auth").has(F::kNoAuth));
  EXPECT_TRUE(get("hello").has(F::kNoAuth));
  EXPECT_TRUE(get("exec").has(F::kSkipSlowlog));
  EXPECT_TRUE(get("asking").has(F::kFast));
  EXPECT_TRUE(get("shutdown").has(F::kNoMulti));
  EXPECT_TRUE(get("flushall").has(F::kWrite));
}

TEST_F(BuiltinTableTest, KeyPositions) {
  const CommandInfo& mset = get("mset");
  EXPECT_EQ(mset.first_key, 1);
  EXPECT_EQ(mset.last_key, -1);
  EXPECT_EQ(mset.key_step, 2);

  const CommandInfo& blpop = get("blpop");  // the last argument is the timeout
  EXPECT_EQ(blpop.first_key, 1);
  EXPECT_EQ(blpop.last_key, -2);
  EXPECT_EQ(blpop.key_step, 1);

  const CommandInfo& xinfo_stream = get("xinfo", "stream");
  EXPECT_EQ(xinfo_stream.name, "xinfo|stream");
  EXPECT_EQ(xinfo_stream.first_key, 2);
  EXPECT_EQ(xinfo_stream.last_key, 2);
  EXPECT_TRUE(xinfo_stream.has(F::kReadonly));

  const CommandInfo& ping = get("ping");
  EXPECT_EQ(ping.first_key, 0);
  EXPECT_EQ(ping.key_step, 0);
  EXPECT_EQ(get("get").first_key, 1);
}

TEST_F(BuiltinTableTest, EveryCommandIsWriteOrReadonlyAtMost) {
  for (const CommandInfo& command : table_->commands()) {
    EXPECT_FALSE(command.has(F::kWrite) && command.has(F::kReadonly)) << command.name;
    for (const CommandInfo& sub : command.subcommands) {
      EXPECT_FALSE(sub.has(F::kWrite) && sub.has(F::kReadonly)) << sub.name;
      EXPECT_TRUE(sub.name.starts_with(command.name + "|")) << sub.name;
      EXPECT_EQ(table_->find(command.name, sub.name.substr(command.name.size() + 1)), &sub);
    }
    EXPECT_EQ(table_->find(command.name), &command);
  }
}

}  // namespace
}  // namespace resplit::commands
