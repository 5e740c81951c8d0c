// What resplit must do with a command, decided from its command-table entry (and, for the few
// commands whose behaviour depends on them, its arguments). Routing and the session act on this.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "proxy/commands/command_table.h"

namespace resplit::routing {

enum class CommandKind : uint8_t {
  kRead,           // read-only: a replica, per read_policy
  kWrite,          // writes, admin and everything not known to be read-only: the master
  kUnknown,        // not in the command table: the master, which answers as Redis does
  kLocal,          // answered by resplit itself (see LocalCommand)
  kMulti,          // starts a transaction on a pinned master connection
  kExec,           // ends it
  kDiscard,
  kWatch,          // pins to the master until EXEC / DISCARD / UNWATCH
  kUnwatch,
  kBlocking,       // BLPOP, XREAD BLOCK, ...: a pinned connection for the command's duration
  kSubscribe,      // SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE: a pinned connection in passthrough mode
  kUnsubscribe,    // outside subscribed mode answered locally, as Redis would
  kMonitor,        // passthrough for the rest of the connection
  kTracking,       // CLIENT TRACKING / CACHING: the whole session moves to one master connection
  kScriptRead,     // EVAL_RO / EVALSHA_RO / FCALL_RO: replicas; NOSCRIPT is retried on the master
  kScriptWrite,    // EVAL / EVALSHA / FCALL: the master
  kScriptFanout,   // SCRIPT LOAD / SCRIPT FLUSH: every backend, so EVALSHA_RO works on replicas
  kWait,           // WAIT: answered from the replicas' offsets
  kRefused,        // SYNC / PSYNC: replication cannot run through a proxy
};

enum class LocalCommand : uint8_t {
  kNone,
  kPing,
  kEcho,
  kQuit,
  kReset,
  kHello,
  kAuth,
  kSelect,
  kClientSetname,
  kClientGetname,
  kClientId,
  kClientInfo,
  kClientReply,
  kClientNoEvict,
};

struct Classified {
  CommandKind kind = CommandKind::kUnknown;
  LocalCommand local = LocalCommand::kNone;
  const commands::CommandInfo* info = nullptr;  // the (sub)command's entry; nullptr when unknown
};

// `args` is the whole command, name first (never empty).
Classified classify(const commands::CommandTable& table,
                    std::span<const std::string_view> args) noexcept;

// Redis's arity rule: exact when positive, at least -arity when negative.
bool arity_ok(const commands::CommandInfo& info, size_t argc) noexcept;

std::string_view to_string(CommandKind kind);

}  // namespace resplit::routing
