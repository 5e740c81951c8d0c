// Finds where each backend reply ends in a connection's input buffer without building objects: an
// iterative scanner for RESP2 and RESP3 replies of any depth and size, resumable across reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proxy/resp/frame.h"

namespace resplit::resp {

struct Reply {
  std::size_t size = 0;  // bytes of the complete reply from the input's start
  char type = 0;         // its first byte: '+', '-', ':', '$', '*', '%', '|', '>' ...
  // For a top-level error ('-' line or '!' blob) its text without type byte and line end, e.g.
  // "READONLY You can't write against a read only replica.", so that the caller can spot
  // READONLY, NOSCRIPT, LOADING, MOVED... without parsing. Empty for other replies.
  std::string_view error;
};

struct ReplyParseResult {
  ParseStatus status = ParseStatus::kNeedMore;
  Reply reply;               // kComplete; views valid while the input is unchanged
  std::string_view problem;  // kError: what was wrong, for the log
};

// Accepts every RESP2 and RESP3 type (+ - : $ * _ , # ( = % ~ | > !) with "$-1" / "*-1" nulls.
// Strict where Redis's own output is: an unknown type byte, a malformed length or number, or a
// bulk not followed by CRLF is an error, after which the caller closes the backend connection.
// Streamed RESP3 strings and aggregates ("$?", "*?") are rejected: Redis never sends them.
//
// No recursion and no depth stack: one counter of values still pending (an aggregate of n adds
// n, a map 2n, and stands for itself; an attribute adds 2n and is not a value of its own), so
// depth costs nothing and a reply 5,000 levels deep is as cheap as a flat one. The scan position
// is kept between calls, so a reply costs O(bytes) however it arrives. Allocates nothing.
// Not thread-safe: one parser per backend connection.
// Which replies a connection may carry. Backend connections stay on RESP2 (resplit answers HELLO 3
// itself), so a RESP3 type byte there means a broken stream, and passing it on would hand RESP2
// clients bytes they cannot read.
enum class ReplyProtocol { kResp3, kResp2Only };

class ReplyParser {
 public:
  explicit ReplyParser(ReplyProtocol protocol = ReplyProtocol::kResp3) noexcept
      : resp2_only_(protocol == ReplyProtocol::kResp2Only) {}

  // `input` starts at the first byte of a reply and, until that reply completes or fails, every
  // call passes the same start with more bytes appended. After kComplete the next reply starts
  // reply.size bytes later. After kError every call fails again until reset().
  ReplyParseResult parse(std::string_view input);

  // After kNeedMore: at least this many more bytes are needed before parse() can progress.
  std::size_t bytes_needed() const noexcept { return needed_; }

  void reset() noexcept;

  // Bytes examined so far (a statistic; tests use it to show linear cost).
  std::uint64_t bytes_scanned() const noexcept { return scanned_; }

 private:
  std::string_view header(char type, std::string_view text, std::size_t next);
  ReplyParseResult fail(std::string_view problem);
  void start_reply() noexcept;

  std::size_t pos_ = 0;            // next header, relative to the reply start
  std::size_t scan_ = 0;           // where the line-end search resumes
  std::uint64_t pending_ = 1;      // values still to read before the reply is complete
  bool in_body_ = false;           // inside a bulk whose end (with CRLF) is body_end_
  std::size_t body_end_ = 0;
  std::size_t top_body_ = 0;       // where a top-level '!' blob error's text starts
  std::size_t needed_ = 1;
  std::uint64_t scanned_ = 0;
  std::string_view problem_;       // set once failed
  bool resp2_only_ = false;
};

}  // namespace resplit::resp
