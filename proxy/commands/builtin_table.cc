// CommandTable::builtin(): the table compiled in from builtin_table.inc, used until the master's
// own COMMAND reply has been loaded.
#include <string_view>

#include "proxy/commands/command_table.h"

namespace resplit::commands {
namespace {

struct BuiltinRow {
  std::string_view name;  // a subcommand is "container|sub" and follows its container
  int arity;
  CommandFlags flags;
  AclCategories categories;
  int first_key;
  int last_key;
  int key_step;
};

using F = CommandFlag;
using C = AclCategory;

constexpr BuiltinRow kBuiltinRows[] = {
#include "proxy/commands/builtin_table.inc"
};

CommandInfo to_info(const BuiltinRow& row) {
  CommandInfo info;
  info.name = std::string(row.name);
  info.arity = row.arity;
  info.flags = row.flags;
  info.categories = row.categories;
  info.first_key = row.first_key;
  info.last_key = row.last_key;
  info.key_step = row.key_step;
  return info;
}

std::vector<CommandInfo> builtin_rows() {
  std::vector<CommandInfo> commands;
  for (const BuiltinRow& row : kBuiltinRows) {
    const std::size_t bar = row.name.find('|');
    if (bar == std::string_view::npos) {
      commands.push_back(to_info(row));
      continue;
    }
    // The generator writes each container right before its subcommands.
    const std::string_view container = row.name.substr(0, bar);
    if (!commands.empty() && commands.back().name == container) {
      commands.back().subcommands.push_back(to_info(row));
    }
  }
  return commands;
}

}  // namespace

std::shared_ptr<const CommandTable> CommandTable::builtin() {
  static const std::shared_ptr<const CommandTable> table =
      std::make_shared<const CommandTable>(builtin_rows());
  return table;
}

}  // namespace resplit::commands
