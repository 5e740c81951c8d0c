// resplit's own error conditions as a boost::system error category, so failures travel as values
// (error_code) through Asio completions and parsers instead of exceptions.
#pragma once

#include <boost/system/error_code.hpp>

namespace resplit {

enum class errc {
  kOk = 0,
  // Client protocol (the client's connection closes after the reply, as Redis does).
  kProtocolError,
  kTooBigInlineRequest,
  kInvalidMultibulkLength,
  kInvalidBulkLength,
  kUnbalancedQuotes,
  // Backends.
  kBackendTimeout,
  kBackendClosed,
  kBackendProtocolError,
  kConnectFailed,
  kConnectTimeout,
  kAuthFailed,
  kNotMaster,
  kReplicaNotReady,  // a replica answered -LOADING or -MASTERDOWN: it did not run the command
  // Routing.
  kNoRoutableReplica,
  kNoMaster,
  // Limits.
  kOutputBufferLimit,
  kMaxClients,
  // Configuration.
  kConfigInvalid,
};

const boost::system::error_category& resplit_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), resplit_category()};
}

}  // namespace resplit

namespace boost::system {
template <>
struct is_error_code_enum<resplit::errc> : std::true_type {};
}  // namespace boost::system
