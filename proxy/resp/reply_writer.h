// Appends the RESP2 replies resplit makes itself, and the commands it sends to backends, to an
// output buffer, in Redis 7.0's exact words wherever resplit answers in Redis's place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace resplit::resp {

class ReplyWriter {
 public:
  explicit ReplyWriter(std::string& out) noexcept : out_(&out) {}

  // "+text\r\n"; the text must hold no CR or LF (statuses are constants such as "OK").
  ReplyWriter& simple_string(std::string_view text);
  // A complete error line as declared in proxy/base/error_text.h.
  ReplyWriter& error_line(std::string_view line);
  // "-text\r\n" with CR and LF turned into spaces, as Redis does for texts that quote user input;
  // the text starts with its code ("ERR ...", "NOPROTO ...").
  ReplyWriter& error(std::string_view text);
  ReplyWriter& integer(std::int64_t value);
  ReplyWriter& bulk(std::string_view data);
  ReplyWriter& null_bulk();   // "$-1\r\n"
  ReplyWriter& null_array();  // "*-1\r\n"
  ReplyWriter& array_header(std::size_t count);

  // "-ERR Protocol error: expected '$', got 'X'\r\n" (CR and LF shown as a space, as Redis does).
  ReplyWriter& expected_dollar(char got);
  // "-ERR unknown command 'name', with args beginning with: 'a' 'b' \r\n": like Redis, the name
  // and each argument stop at a NUL, the name at 128 bytes, and arguments are listed until the
  // list reaches 128 bytes, the last one cut to fit.
  ReplyWriter& unknown_command(std::span<const std::string_view> args);
  // "-ERR unknown subcommand 'sub'. Try CONTAINER HELP.\r\n"
  ReplyWriter& unknown_subcommand(std::string_view container, std::string_view subcommand);
  // "-ERR wrong number of arguments for 'name' command\r\n"; `full_name` is the command table's
  // lower-case name, "get" or "client|setname" for a subcommand.
  ReplyWriter& wrong_arity(std::string_view full_name);

  // A command as a RESP array of bulk strings: for commands resplit sends itself (AUTH, SELECT,
  // CLIENT SETNAME ...) and for inline client commands, which are re-encoded before forwarding.
  ReplyWriter& command(std::span<const std::string_view> args);
  ReplyWriter& command(std::initializer_list<std::string_view> args);

 private:
  void append_number(char prefix, std::int64_t value);
  void append_mapped(std::string_view text);

  std::string* out_;
};

}  // namespace resplit::resp
