#include "proxy/resp/request_parser.h"

#include <algorithm>

#include "proxy/base/error_text.h"
#include "proxy/resp/redis_integer.h"
#include "proxy/resp/reply_writer.h"

namespace resplit::resp {
namespace {

// After a command with more arguments than this the vectors give their memory back, so one huge
// command does not pin megabytes for the rest of the connection's life.
constexpr std::size_t kKeptArgCapacity = 4096;
constexpr std::size_t kInitialArgCapacity = 16;

}  // namespace

RequestParser::RequestParser(ParserLimits limits) : limits_(limits) {
  slots_.reserve(kInitialArgCapacity);
  args_.reserve(kInitialArgCapacity);
  error_line_.reserve(64);
}

void RequestParser::reset() {
  state_ = State::kStart;
  error_ = RequestError::kNone;
  start_frame();
}

void RequestParser::start_frame() {
  pos_ = 0;
  scan_ = 0;
  blocked_ = false;
  remaining_ = 0;
  bulk_length_ = 0;
  frame_size_ = 0;
  needed_ = 1;
  slots_.clear();
}

RequestParseResult RequestParser::parse(std::string_view input) {
  RequestParseResult result;
  if (state_ == State::kStart && args_.capacity() > kKeptArgCapacity) {
    std::vector<ArgSlot>().swap(slots_);
    std::vector<std::string_view>().swap(args_);
    slots_.reserve(kInitialArgCapacity);
    args_.reserve(kInitialArgCapacity);
  }
  while (true) {
    const std::string_view frame = input.substr(result.consumed);
    switch (step(frame)) {
      case Step::kNeedMore:
        result.status = ParseStatus::kNeedMore;
        return result;
      case Step::kSkip:
        // Redis runs nothing for "*0", "*-1" or a blank inline line and reads on.
        result.consumed += frame_size_;
        state_ = State::kStart;
        start_frame();
        continue;
      case Step::kFrame:
        finish_frame(frame, state_ == State::kInline, result);
        return result;
      case Step::kError:
      case Step::kContinue:
        break;
    }
    result.status = ParseStatus::kError;
    result.error = error_;
    result.error_reply = error_ == RequestError::kExpectedDollar ? std::string_view(error_line_)
                                                                 : error_text(error_);
    return result;
  }
}

std::string_view RequestParser::error_text(RequestError error) noexcept {
  switch (error) {
    case RequestError::kInvalidMultibulkLength: return text::kInvalidMultibulkLength;
    case RequestError::kInvalidBulkLength: return text::kInvalidBulkLength;
    case RequestError::kUnbalancedQuotes: return text::kUnbalancedQuotes;
    case RequestError::kTooBigInlineRequest: return text::kTooBigInlineRequest;
    case RequestError::kTooBigMultibulkCount: return text::kTooBigMultibulkRequest;
    case RequestError::kTooBigBulkCount: return text::kTooBigBulkCountString;
    case RequestError::kExpectedDollar:  // built per byte in error_line_
    case RequestError::kNone: break;
  }
  return {};
}

RequestParser::Step RequestParser::step(std::string_view frame) {
  while (true) {
    Step next = Step::kContinue;
    switch (state_) {
      case State::kStart:
        if (frame.empty()) {
          needed_ = 1;
          return Step::kNeedMore;
        }
        // Like Redis, anything that does not start with '*' is an inline command.
        state_ = frame[0] == '*' ? State::kCount : State::kInline;
        break;
      case State::kInline: next = parse_inline(frame); break;
      case State::kCount: next = parse_count(frame); break;
      case State::kBulkHeader: next = parse_bulk_header(frame); break;
      case State::kBulkBody: next = parse_bulk_body(frame); break;
      case State::kFailed: return Step::kError;
    }
    if (next != Step::kContinue) return next;
  }
}

// Redis finds line ends with strchr on its NUL-terminated query buffer: a NUL before the line end
// hides it, and the client waits until the line is too long. Without a line end Redis gives up
// once more than PROTO_INLINE_MAX_SIZE bytes are buffered. Here the same limit applies to the
// line's length, so the outcome never depends on how the bytes were split into reads.
RequestParser::LineScan RequestParser::find_line_end(std::string_view frame,
                                                     std::size_t line_start, char terminator,
                                                     std::size_t& at) {
  needed_ = 1;
  if (!blocked_) {
    const std::size_t end = std::min(frame.size(), line_start + limits_.max_inline_length + 1);
    const std::size_t from = std::max(scan_, line_start);
    std::size_t i = from;
    for (; i < end; ++i) {
      const char c = frame[i];
      if (c == terminator) break;
      if (c == '\0') {
        blocked_ = true;
        break;
      }
    }
    scanned_ += i - from;
    scan_ = i;
    if (!blocked_ && i < end) {
      // Redis skips the byte after '\r' without looking at it ("*1\rX" ends a line).
      const std::size_t after = terminator == '\r' ? 1 : 0;
      if (i + after >= frame.size()) return LineScan::kNeedMore;
      at = i;
      return LineScan::kFound;
    }
  }
  if (frame.size() - line_start > limits_.max_inline_length) return LineScan::kTooLong;
  return LineScan::kNeedMore;
}

RequestParser::Step RequestParser::parse_inline(std::string_view frame) {
  std::size_t at = 0;
  switch (find_line_end(frame, 0, '\n', at)) {
    case LineScan::kTooLong: return fail(RequestError::kTooBigInlineRequest);
    case LineScan::kNeedMore: return Step::kNeedMore;
    case LineScan::kFound: break;
  }
  const std::size_t content_end = at > 0 && frame[at - 1] == '\r' ? at - 1 : at;
  if (!splitter_.split(frame.substr(0, content_end), slots_)) {
    return fail(RequestError::kUnbalancedQuotes);
  }
  frame_size_ = at + 1;
  return slots_.empty() ? Step::kSkip : Step::kFrame;
}

RequestParser::Step RequestParser::parse_count(std::string_view frame) {
  std::size_t at = 0;
  switch (find_line_end(frame, 0, '\r', at)) {
    case LineScan::kTooLong: return fail(RequestError::kTooBigMultibulkCount);
    case LineScan::kNeedMore: return Step::kNeedMore;
    case LineScan::kFound: break;
  }
  const auto count = parse_redis_integer(frame.substr(1, at - 1));
  if (!count || *count > limits_.max_multibulk_length) {
    return fail(RequestError::kInvalidMultibulkLength);
  }
  pos_ = at + 2;
  if (*count <= 0) {
    // Redis 7.0 skips every count <= 0, not only "*0" and "*-1".
    frame_size_ = pos_;
    return Step::kSkip;
  }
  remaining_ = *count;
  scan_ = pos_;
  state_ = State::kBulkHeader;
  return Step::kContinue;
}

RequestParser::Step RequestParser::parse_bulk_header(std::string_view frame) {
  std::size_t at = 0;
  switch (find_line_end(frame, pos_, '\r', at)) {
    case LineScan::kTooLong: return fail(RequestError::kTooBigBulkCount);
    case LineScan::kNeedMore: return Step::kNeedMore;
    case LineScan::kFound: break;
  }
  // Redis checks the '$' only once the whole count line is there.
  if (frame[pos_] != '$') return fail(RequestError::kExpectedDollar, frame[pos_]);
  const auto length = parse_redis_integer(frame.substr(pos_ + 1, at - pos_ - 1));
  if (!length || *length < 0 || static_cast<std::uint64_t>(*length) > limits_.max_bulk_length) {
    return fail(RequestError::kInvalidBulkLength);
  }
  bulk_length_ = static_cast<std::uint64_t>(*length);
  pos_ = at + 2;
  state_ = State::kBulkBody;
  return Step::kContinue;
}

RequestParser::Step RequestParser::parse_bulk_body(std::string_view frame) {
  // Redis skips the two bytes after the data without checking them: "$4\r\nPINGXY" is PING.
  const std::size_t end = pos_ + bulk_length_ + 2;
  if (frame.size() < end) {
    needed_ = end - frame.size();
    return Step::kNeedMore;
  }
  slots_.push_back({pos_, bulk_length_, false});
  pos_ = end;
  scan_ = end;
  if (--remaining_ > 0) {
    state_ = State::kBulkHeader;
    return Step::kContinue;
  }
  frame_size_ = end;
  return Step::kFrame;
}

RequestParser::Step RequestParser::fail(RequestError error, char got) {
  error_ = error;
  state_ = State::kFailed;
  if (error == RequestError::kExpectedDollar) {
    error_line_.clear();
    ReplyWriter(error_line_).expected_dollar(got);
  }
  return Step::kError;
}

void RequestParser::finish_frame(std::string_view frame, bool is_inline,
                                 RequestParseResult& result) {
  args_.clear();
  const std::string_view scratch = splitter_.scratch();
  for (const ArgSlot& slot : slots_) {
    args_.push_back(slot.in_scratch ? scratch.substr(slot.offset, slot.length)
                                    : frame.substr(slot.offset, slot.length));
  }
  result.status = ParseStatus::kComplete;
  result.frame = Frame{args_, frame.substr(0, frame_size_), is_inline};
  result.consumed += frame_size_;
  state_ = State::kStart;
  start_frame();
}

}  // namespace resplit::resp
