// The bounded label values of resplit's metrics, as enums that index the per-worker counter arrays,
// so that counting a command is an array increment and never a label lookup.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proxy/routing/reason.h"

namespace resplit::metrics {

// Where a command went: a backend of either role, or resplit itself (local commands, its own
// error answers).
enum class Route : uint8_t { kMaster, kReplica, kLocal, kCount };

enum class Result : uint8_t {
  kOk,
  kError,     // an error reply (Redis's or resplit's)
  kTimeout,   // the backend did not answer in time; outcome unknown
  kRejected,  // resplit did not send it (no backend, shutting down)
  kCount,
};

// Why a command was routed where it was: the router's own reason, counted as it is.
using routing::Reason;

// Error replies by their Redis prefix, plus resplit's own failures.
enum class ErrorType : uint8_t {
  kErr,
  kWrongType,
  kReadOnly,
  kLoading,
  kNoAuth,
  kBusy,
  kMoved,
  kTimeout,
  kConnection,
  kOther,
  kCount,
};

enum class Rejection : uint8_t { kMaxClients, kShuttingDown, kTls, kCount };
// Why resplit closed a client connection it had accepted (protocol errors are counted apart).
enum class Disconnect : uint8_t { kOutputBuffer, kQueryBuffer, kIdleTimeout, kCount };

template <typename E>
constexpr size_t count_of() {
  return static_cast<size_t>(E::kCount);
}

inline constexpr std::array<std::string_view, count_of<Route>()> kRouteNames = {"master", "replica",
                                                                               "local"};
inline constexpr std::array<std::string_view, count_of<Result>()> kResultNames = {
    "ok", "error", "timeout", "rejected"};
using routing::kReasonNames;
inline constexpr std::array<std::string_view, count_of<ErrorType>()> kErrorTypeNames = {
    "ERR",     "WRONGTYPE", "READONLY", "LOADING",    "NOAUTH",
    "BUSY",    "MOVED",     "timeout",  "connection", "other"};
inline constexpr std::array<std::string_view, count_of<Rejection>()> kRejectionNames = {
    "max_clients", "shutting_down", "tls"};
inline constexpr std::array<std::string_view, count_of<Disconnect>()> kDisconnectNames = {
    "output_buffer", "query_buffer", "idle_timeout"};

// Upper bounds of resplit_command_duration_seconds (Redis answers in tens of microseconds).
inline constexpr std::array<double, 15> kDurationBuckets = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
    0.025,   0.05,   0.1,     0.25,   0.5,   1,     2.5};

// Commands counted by name when metrics.per_command is on; everything else is "other".
inline constexpr std::array<std::string_view, 24> kCommandAllowlist = {
    "get",   "set",    "mget",   "mset",    "del",   "exists", "expire", "ttl",
    "incr",  "decr",   "hget",   "hset",    "hgetall", "hmget", "lpush", "rpush",
    "lpop",  "rpop",   "lrange", "sadd",    "smembers", "zadd", "zrange", "eval"};
inline constexpr size_t kOtherCommand = kCommandAllowlist.size();

// The allowlist index of a command name (any case), or kOtherCommand. Allocates nothing.
size_t command_index(std::string_view name) noexcept;

// The class of an error reply ("-WRONGTYPE ..."), by the word after '-'.
ErrorType error_type(std::string_view reply) noexcept;

}  // namespace resplit::metrics
