// Every error text a client can see from resplit itself, in one place. Where resplit stands in for
// Redis it uses Redis's own words (checked against redis-server 7.0); its own errors start with
// "-ERR resplit:" so that they are easy to tell apart and to alert on. Each constant is a complete
// RESP line, ready to copy into a reply buffer.
#pragma once

#include <string_view>

namespace resplit::text {

// Redis's protocol errors (networking.c); the connection is closed after the reply is flushed.
inline constexpr std::string_view kInvalidMultibulkLength =
    "-ERR Protocol error: invalid multibulk length\r\n";
inline constexpr std::string_view kInvalidBulkLength = "-ERR Protocol error: invalid bulk length\r\n";
inline constexpr std::string_view kUnbalancedQuotes =
    "-ERR Protocol error: unbalanced quotes in request\r\n";
inline constexpr std::string_view kTooBigInlineRequest =
    "-ERR Protocol error: too big inline request\r\n";
inline constexpr std::string_view kTooBigMultibulkRequest =
    "-ERR Protocol error: too big mbulk count string\r\n";
inline constexpr std::string_view kTooBigBulkCountString =
    "-ERR Protocol error: too big bulk count string\r\n";
// "expected '$', got 'X'" is built by ReplyWriter::expected_dollar() around these parts.
inline constexpr std::string_view kExpectedDollarPrefix = "-ERR Protocol error: expected '$', got '";
inline constexpr std::string_view kExpectedDollarSuffix = "'\r\n";

// Redis's command errors, used where resplit answers for Redis.
inline constexpr std::string_view kMaxClients = "-ERR max number of clients reached\r\n";
inline constexpr std::string_view kNoAuth = "-NOAUTH Authentication required.\r\n";
inline constexpr std::string_view kWrongPass =
    "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
inline constexpr std::string_view kAuthNotConfigured =
    "-ERR AUTH <password> called without any password configured for the default user. Are you "
    "sure your configuration is correct?\r\n";
inline constexpr std::string_view kNoProto = "-NOPROTO unsupported protocol version\r\n";
inline constexpr std::string_view kInvalidDbIndex = "-ERR DB index is out of range\r\n";
inline constexpr std::string_view kNotInteger = "-ERR value is not an integer or out of range\r\n";
inline constexpr std::string_view kTimeoutNotInteger =
    "-ERR timeout is not an integer or out of range\r\n";
inline constexpr std::string_view kTimeoutNegative = "-ERR timeout is negative\r\n";
inline constexpr std::string_view kSyntaxError = "-ERR syntax error\r\n";
inline constexpr std::string_view kMultiNested = "-ERR MULTI calls can not be nested\r\n";
inline constexpr std::string_view kExecWithoutMulti = "-ERR EXEC without MULTI\r\n";
inline constexpr std::string_view kDiscardWithoutMulti = "-ERR DISCARD without MULTI\r\n";
inline constexpr std::string_view kWatchInsideMulti = "-ERR WATCH inside MULTI is not allowed\r\n";
inline constexpr std::string_view kExecAbort =
    "-EXECABORT Transaction discarded because of previous errors.\r\n";
inline constexpr std::string_view kSubscribedContextPrefix =
    "-ERR Can't execute '";
inline constexpr std::string_view kSubscribedContextSuffix =
    "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
    "context\r\n";
// "-ERR unknown command 'name', with args beginning with: 'a' 'b' \r\n" (ReplyWriter builds it).
inline constexpr std::string_view kUnknownCommandPrefix = "-ERR unknown command '";
inline constexpr std::string_view kUnknownCommandArgs = "', with args beginning with: ";
// "-ERR unknown subcommand 'sub'. Try CONTAINER HELP.\r\n"
inline constexpr std::string_view kUnknownSubcommandPrefix = "-ERR unknown subcommand '";
inline constexpr std::string_view kUnknownSubcommandTry = "'. Try ";
inline constexpr std::string_view kUnknownSubcommandSuffix = " HELP.\r\n";
inline constexpr std::string_view kWrongArityPrefix = "-ERR wrong number of arguments for '";
inline constexpr std::string_view kWrongAritySuffix = "' command\r\n";
inline constexpr std::string_view kClientNameSpaces =
    "-ERR Client names cannot contain spaces, newlines or special characters.\r\n";

// resplit's own errors.
inline constexpr std::string_view kNoRoutableReplica =
    "-ERR resplit: no routable replica for a read (read_policy: replica)\r\n";
inline constexpr std::string_view kNoMaster = "-ERR resplit: no master available\r\n";
inline constexpr std::string_view kBackendTimeout =
    "-ERR resplit: backend timed out, outcome of the command unknown\r\n";
inline constexpr std::string_view kBackendClosed =
    "-ERR resplit: backend connection lost, outcome of the command unknown\r\n";
inline constexpr std::string_view kBackendProtocolError =
    "-ERR resplit: backend sent an invalid reply, outcome of the command unknown\r\n";
inline constexpr std::string_view kAnsweredByUntrustedMaster =
    "-ERR resplit: answered by a master no longer trusted, outcome of the command unknown\r\n";
inline constexpr std::string_view kBackendUnavailable =
    "-ERR resplit: backend unavailable, command not sent\r\n";
inline constexpr std::string_view kShuttingDown = "-ERR resplit: shutting down, command not sent\r\n";
inline constexpr std::string_view kCommandDisabled =
    "-ERR resplit: this command is not supported through the proxy\r\n";

}  // namespace resplit::text
