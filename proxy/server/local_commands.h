// Replies resplit makes itself for commands that concern the client's own connection (PING, ECHO,
// HELLO, SELECT, CLIENT SETNAME/GETNAME/ID/INFO, UNSUBSCRIBE outside subscribed mode), shaped and
// worded as Redis 7 answers them. Pure functions over the session's facts; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace resplit::server::local {

using Args = std::span<const std::string_view>;

// What CLIENT INFO and HELLO report about one client connection.
struct ClientFacts {
  uint64_t id = 0;
  std::string_view peer;   // "127.0.0.1:53588"
  std::string_view local;  // the listener's address
  int fd = -1;
  std::string_view name;
  int64_t age_seconds = 0;
  int64_t idle_seconds = 0;
  std::string_view flags = "N";
  int db = 0;
  int sub = 0;
  int psub = 0;
  int ssub = 0;
  int multi = -1;  // commands queued in MULTI, -1 outside
  std::string_view user = "default";
  std::string_view last_command;
};

struct ServerFacts {
  std::string_view redis_version = "7.0.15";
  int databases = 16;
};

void ping(std::string& out, Args args);
void echo(std::string& out, Args args);
void client_info(std::string& out, const ClientFacts& facts);
// HELLO's reply map (flat in RESP2), as Redis sends it for protocol 2.
void hello(std::string& out, const ClientFacts& client, const ServerFacts& server);
// Outside subscribed mode Redis still answers each channel (or once, with a nil channel).
void unsubscribe(std::string& out, std::string_view kind, Args channels);

// SELECT's argument: the index, or the complete RESP error line Redis gives.
struct DbChoice {
  int db = 0;
  std::string_view error;  // empty on success
};
DbChoice parse_db(std::string_view arg, int databases);

// Redis refuses names with spaces, newlines or other characters outside '!'..'~'.
bool valid_client_name(std::string_view name);

void hello_option_error(std::string& out, std::string_view option);

// Redis's string-to-integer rule for command arguments (no spaces, no '+', no leading zeros).
std::optional<int64_t> parse_integer(std::string_view s);

}  // namespace resplit::server::local
