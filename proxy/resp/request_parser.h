// Finds complete client commands at the front of a session's input buffer, in place, exactly as
// Redis 7.0 reads them (RESP arrays of bulk strings and inline commands), resumable across reads.
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/resp/frame.h"
#include "proxy/resp/inline_splitter.h"

namespace resplit::resp {

// Redis's defaults. The query buffer limit (client-query-buffer-limit) is the caller's: it owns
// the buffer, and bytes_needed() tells it how much a pending bulk still needs.
struct ParserLimits {
  std::uint64_t max_bulk_length = 512 * 1024 * 1024;  // proto-max-bulk-len
  // PROTO_INLINE_MAX_SIZE: the longest inline line, and the longest "*N" / "$N" count line.
  std::size_t max_inline_length = 64 * 1024;
  // Redis 7.0 accepts counts up to INT_MAX; nothing is sized from the count, so it costs nothing.
  std::int64_t max_multibulk_length = INT_MAX;
};

enum class RequestError {
  kNone,
  kInvalidMultibulkLength,
  kInvalidBulkLength,
  kExpectedDollar,
  kUnbalancedQuotes,
  kTooBigInlineRequest,
  kTooBigMultibulkCount,
  kTooBigBulkCount,
};

struct RequestParseResult {
  ParseStatus status = ParseStatus::kNeedMore;
  // Bytes to drop from the front of the input before the next call, whatever the status: the
  // complete frame plus any empty commands skipped before it (also reported with kNeedMore).
  std::size_t consumed = 0;
  Frame frame;  // kComplete
  // kError: the complete RESP error line Redis sends; close the connection once it is flushed.
  std::string_view error_reply;
  RequestError error = RequestError::kNone;
};

// Call parse() with the unconsumed input each time bytes arrive; the input must start where the
// previous call's input started plus its `consumed`. Progress inside a command is kept as offsets,
// so a 100 MiB bulk or a 1M-argument command costs O(bytes) in total however it is split. Nothing
// is ever sized from a count on the wire, and after warm-up parsing allocates nothing.
// Not thread-safe: one parser per client connection.
class RequestParser {
 public:
  explicit RequestParser(ParserLimits limits = {});

  RequestParseResult parse(std::string_view input);

  // After kNeedMore: at least this many more bytes are needed before parse() can progress.
  std::size_t bytes_needed() const noexcept { return needed_; }

  // Forgets a partly parsed command and a past error.
  void reset();

  // Bytes examined by line searches so far (a statistic; tests use it to show linear cost).
  std::uint64_t bytes_scanned() const noexcept { return scanned_; }

 private:
  enum class State { kStart, kInline, kCount, kBulkHeader, kBulkBody, kFailed };
  enum class Step { kContinue, kNeedMore, kFrame, kSkip, kError };
  enum class LineScan { kFound, kNeedMore, kTooLong };

  Step step(std::string_view frame);
  Step parse_inline(std::string_view frame);
  Step parse_count(std::string_view frame);
  Step parse_bulk_header(std::string_view frame);
  Step parse_bulk_body(std::string_view frame);
  LineScan find_line_end(std::string_view frame, std::size_t line_start, char terminator,
                         std::size_t& at);
  Step fail(RequestError error, char got = 0);
  static std::string_view error_text(RequestError error) noexcept;
  void start_frame();
  void finish_frame(std::string_view frame, bool is_inline, RequestParseResult& result);

  ParserLimits limits_;
  State state_ = State::kStart;
  std::size_t pos_ = 0;      // next unparsed byte, relative to the frame start
  std::size_t scan_ = 0;     // where the current line search resumes
  bool blocked_ = false;     // a NUL hid the line end: wait until the line is too long, as Redis
  std::int64_t remaining_ = 0;  // arguments still expected
  std::uint64_t bulk_length_ = 0;
  std::size_t frame_size_ = 0;  // of the frame (or skipped empty command) just finished
  std::size_t needed_ = 1;
  std::uint64_t scanned_ = 0;
  std::vector<ArgSlot> slots_;
  std::vector<std::string_view> args_;
  InlineSplitter splitter_;
  RequestError error_ = RequestError::kNone;
  std::string error_line_;
};

}  // namespace resplit::resp
