// Why a command went where it went: the router's answer and, unchanged, the `reason` label of the
// routing metrics (a bounded set: keep it small and stable).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace resplit::routing {

enum class Reason : uint8_t {
  kWrite,
  kAdmin,
  kRead,
  kReadFallbackNoReplica,  // no replica is routable: the master served the read
  kReadFallbackLag,        // as above, and lag is what keeps at least one replica out
  kReadYourWrites,         // no replica has the session's last write yet: the master served it
  kTransaction,
  kScript,
  kPubSub,
  kBlocking,
  kPinned,
  kUnknownCommand,
  kLocal,
  kNoMaster,
  kNoReplica,
  kCount,
};

inline constexpr std::array<std::string_view, static_cast<size_t>(Reason::kCount)> kReasonNames = {
    "write",       "admin",   "read",    "read_fallback_no_replica", "read_fallback_lag",
    "read_your_writes", "transaction", "script", "pubsub", "blocking",
    "pinned",      "unknown_command", "local", "no_master", "no_replica"};

constexpr std::string_view to_string(Reason reason) {
  const auto i = static_cast<size_t>(reason);
  return i < kReasonNames.size() ? kReasonNames[i] : std::string_view("unknown");
}

}  // namespace resplit::routing
