// Builds a CommandTable from a server's COMMAND reply as hiredis parsed it, so that module commands
// and commands newer than the built-in table are routed by what the master itself says.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include <hiredis/hiredis.h>

#include "proxy/commands/command_table.h"

namespace resplit::commands {

// What a load saw besides the rows themselves, for the log and for metrics.
struct CommandReplyStats {
  std::size_t commands = 0;
  std::size_t subcommands = 0;
  // Names this build does not know (a newer Redis or a module); left out of the table.
  std::size_t unknown_flags = 0;
  std::size_t unknown_categories = 0;
};

struct CommandReplyLoad {
  std::shared_ptr<const CommandTable> table;  // nullptr when the reply was malformed
  std::string error;  // on failure: where the reply was malformed ("entry 3 (\"get\"): ...")
  CommandReplyStats stats;  // all zero on failure

  bool ok() const noexcept { return table != nullptr; }
};

// Accepts every shape Redis has sent: 6 elements per row (Redis < 6), 7 with ACL categories
// (Redis 6), 10 with tips, key specs and subcommands (Redis 7; more elements are ignored); flags
// and categories as status or bulk strings. Anything else (wrong types, short rows, an empty or
// error reply) gives an error and no table; it never reads outside the reply.
CommandReplyLoad load_command_reply(const redisReply& reply);

}  // namespace resplit::commands
