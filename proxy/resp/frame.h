// What the RESP scanners hand back: the status of one parse call and a complete client command
// (argument views plus the command's bytes), so the session can route and forward it in place.
#pragma once

#include <span>
#include <string_view>

namespace resplit::resp {

enum class ParseStatus {
  kNeedMore,  // the input ends inside a command or reply; call again with more bytes appended
  kComplete,  // one command or reply is complete
  kError,     // the input breaks the protocol; the connection must be closed
};

// One client command, valid until the next parse()/reset() on the parser that produced it and only
// while the input buffer is neither changed nor moved.
struct Frame {
  // Never empty: the command name first (it may be the empty string, as Redis allows). Views point
  // into the input, except inline arguments with quotes or escapes, which live in the parser.
  std::span<const std::string_view> args;
  // The command's own bytes in the input: a RESP array as received, or an inline line with its
  // line end. Empty commands skipped before it (`*0`, `*-1`, blank lines) are not part of it.
  std::string_view raw;
  // Inline commands are re-encoded (ReplyWriter::command) before they go to a backend, because
  // their quoting rules are Redis's and the raw line is not RESP.
  bool is_inline = false;
};

}  // namespace resplit::resp
