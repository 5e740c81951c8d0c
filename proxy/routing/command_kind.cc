#include "proxy/routing/command_kind.h"

#include <algorithm>
#include <array>
#include <utility>

namespace resplit::routing {
namespace {

using commands::CommandFlag;

struct Special {
  std::string_view name;  // lowercase, as in the command table ("client|setname")
  CommandKind kind;
  LocalCommand local;
};

// Commands whose handling does not follow from their flags alone. Sorted by name.
constexpr std::array kSpecials = std::to_array<Special>({
    {"auth", CommandKind::kLocal, LocalCommand::kAuth},
    {"client|caching", CommandKind::kTracking, LocalCommand::kNone},
    {"client|getname", CommandKind::kLocal, LocalCommand::kClientGetname},
    {"client|id", CommandKind::kLocal, LocalCommand::kClientId},
    {"client|info", CommandKind::kLocal, LocalCommand::kClientInfo},
    {"client|no-evict", CommandKind::kLocal, LocalCommand::kClientNoEvict},
    {"client|reply", CommandKind::kLocal, LocalCommand::kClientReply},
    {"client|setname", CommandKind::kLocal, LocalCommand::kClientSetname},
    {"client|tracking", CommandKind::kTracking, LocalCommand::kNone},
    {"discard", CommandKind::kDiscard, LocalCommand::kNone},
    {"echo", CommandKind::kLocal, LocalCommand::kEcho},
    {"eval", CommandKind::kScriptWrite, LocalCommand::kNone},
    {"eval_ro", CommandKind::kScriptRead, LocalCommand::kNone},
    {"evalsha", CommandKind::kScriptWrite, LocalCommand::kNone},
    {"evalsha_ro", CommandKind::kScriptRead, LocalCommand::kNone},
    {"exec", CommandKind::kExec, LocalCommand::kNone},
    {"fcall", CommandKind::kScriptWrite, LocalCommand::kNone},
    {"fcall_ro", CommandKind::kScriptRead, LocalCommand::kNone},
    {"hello", CommandKind::kLocal, LocalCommand::kHello},
    {"monitor", CommandKind::kMonitor, LocalCommand::kNone},
    {"multi", CommandKind::kMulti, LocalCommand::kNone},
    {"ping", CommandKind::kLocal, LocalCommand::kPing},
    {"psubscribe", CommandKind::kSubscribe, LocalCommand::kNone},
    {"psync", CommandKind::kRefused, LocalCommand::kNone},
    {"punsubscribe", CommandKind::kUnsubscribe, LocalCommand::kNone},
    {"quit", CommandKind::kLocal, LocalCommand::kQuit},
    {"reset", CommandKind::kLocal, LocalCommand::kReset},
    {"script|flush", CommandKind::kScriptFanout, LocalCommand::kNone},
    {"script|load", CommandKind::kScriptFanout, LocalCommand::kNone},
    {"select", CommandKind::kLocal, LocalCommand::kSelect},
    {"ssubscribe", CommandKind::kSubscribe, LocalCommand::kNone},
    {"subscribe", CommandKind::kSubscribe, LocalCommand::kNone},
    {"sunsubscribe", CommandKind::kUnsubscribe, LocalCommand::kNone},
    {"sync", CommandKind::kRefused, LocalCommand::kNone},
    {"unsubscribe", CommandKind::kUnsubscribe, LocalCommand::kNone},
    {"unwatch", CommandKind::kUnwatch, LocalCommand::kNone},
    {"wait", CommandKind::kWait, LocalCommand::kNone},
    {"watch", CommandKind::kWatch, LocalCommand::kNone},
});

static_assert(std::is_sorted(kSpecials.begin(), kSpecials.end(),
                             [](const Special& a, const Special& b) { return a.name < b.name; }));

const Special* find_special(std::string_view name) {
  auto it = std::lower_bound(kSpecials.begin(), kSpecials.end(), name,
                             [](const Special& s, std::string_view n) { return s.name < n; });
  return it != kSpecials.end() && it->name == name ? &*it : nullptr;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

// XREAD and XREADGROUP block only with a BLOCK option, which comes before STREAMS.
bool has_block_option(std::span<const std::string_view> args) {
  for (size_t i = 1; i < args.size(); ++i) {
    if (iequals(args[i], "streams")) return false;
    if (iequals(args[i], "block")) return true;
  }
  return false;
}

}  // namespace

bool arity_ok(const commands::CommandInfo& info, size_t argc) noexcept {
  const long n = static_cast<long>(argc);
  return info.arity >= 0 ? n == info.arity : n >= -info.arity;
}

Classified classify(const commands::CommandTable& table,
                    std::span<const std::string_view> args) noexcept {
  Classified c;
  c.info = args.size() > 1 ? table.find(args[0], args[1]) : table.find(args[0]);
  if (c.info == nullptr) return c;  // kUnknown
  if (const Special* s = find_special(c.info->name)) {
    c.kind = s->kind;
    c.local = s->local;
    return c;
  }
  const auto& info = *c.info;
  if (info.has(CommandFlag::kBlocking)) {
    const bool stream_read = info.name == "xread" || info.name == "xreadgroup";
    if (!stream_read || has_block_option(args)) {
      c.kind = CommandKind::kBlocking;
      return c;
    }
  }
  const bool read_only = info.has(CommandFlag::kReadonly) && !info.has(CommandFlag::kWrite) &&
                         !info.has(CommandFlag::kAdmin) &&
                         !info.has(CommandFlag::kMayReplicate);
  c.kind = read_only ? CommandKind::kRead : CommandKind::kWrite;
  return c;
}

std::string_view to_string(CommandKind kind) {
  switch (kind) {
    case CommandKind::kRead: return "read";
    case CommandKind::kWrite: return "write";
    case CommandKind::kUnknown: return "unknown";
    case CommandKind::kLocal: return "local";
    case CommandKind::kMulti: return "multi";
    case CommandKind::kExec: return "exec";
    case CommandKind::kDiscard: return "discard";
    case CommandKind::kWatch: return "watch";
    case CommandKind::kUnwatch: return "unwatch";
    case CommandKind::kBlocking: return "blocking";
    case CommandKind::kSubscribe: return "subscribe";
    case CommandKind::kUnsubscribe: return "unsubscribe";
    case CommandKind::kMonitor: return "monitor";
    case CommandKind::kTracking: return "tracking";
    case CommandKind::kScriptRead: return "script_read";
    case CommandKind::kScriptWrite: return "script_write";
    case CommandKind::kScriptFanout: return "script_fanout";
    case CommandKind::kWait: return "wait";
    case CommandKind::kRefused: return "refused";
  }
  return "unknown";
}

}  // namespace resplit::routing
