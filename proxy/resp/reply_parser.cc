#include "proxy/resp/reply_parser.h"

#include <cstring>
#include <optional>

#include "proxy/resp/redis_integer.h"

namespace resplit::resp {
namespace {

// Far above any real reply; keeps the pending counter from overflowing on a hostile count.
constexpr std::uint64_t kMaxPending = UINT64_MAX / 4;

std::optional<std::uint64_t> parse_length(std::string_view text) {
  const auto value = parse_redis_integer(text);
  if (!value || *value < 0) return std::nullopt;
  return static_cast<std::uint64_t>(*value);
}

bool is_big_number(std::string_view text) {
  if (!text.empty() && text[0] == '-') text.remove_prefix(1);
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

void ReplyParser::start_reply() noexcept {
  pos_ = 0;
  scan_ = 0;
  pending_ = 1;
  in_body_ = false;
  body_end_ = 0;
  top_body_ = 0;
  needed_ = 1;
}

void ReplyParser::reset() noexcept {
  start_reply();
  problem_ = {};
}

ReplyParseResult ReplyParser::fail(std::string_view problem) {
  problem_ = problem;
  ReplyParseResult result;
  result.status = ParseStatus::kError;
  result.problem = problem;
  return result;
}

ReplyParseResult ReplyParser::parse(std::string_view input) {
  if (!problem_.empty()) return fail(problem_);
  while (pending_ > 0) {
    if (in_body_) {
      if (input.size() < body_end_) {
        needed_ = body_end_ - input.size();
        return {};
      }
      scanned_ += 2;
      if (input[body_end_ - 2] != '\r' || input[body_end_ - 1] != '\n') {
        return fail("bulk string not followed by CRLF");
      }
      pos_ = body_end_;
      scan_ = pos_;
      in_body_ = false;
      --pending_;
      continue;
    }
    // A header or line value at pos_: find its CR (resuming where the last call stopped).
    needed_ = 1;
    if (scan_ >= input.size()) return {};
    const void* cr_ptr = std::memchr(input.data() + scan_, '\r', input.size() - scan_);
    if (cr_ptr == nullptr) {
      scanned_ += input.size() - scan_;
      scan_ = input.size();
      return {};
    }
    const auto cr = static_cast<std::size_t>(static_cast<const char*>(cr_ptr) - input.data());
    scanned_ += cr - scan_ + 1;
    scan_ = cr;
    if (cr + 1 >= input.size()) return {};
    if (input[cr + 1] != '\n') return fail("CR not followed by LF");
    if (cr == pos_) return fail("bad type byte");
    const std::string_view problem =
        header(input[pos_], input.substr(pos_ + 1, cr - pos_ - 1), cr + 2);
    if (!problem.empty()) return fail(problem);
    pos_ = cr + 2;
    scan_ = pos_;
  }
  ReplyParseResult result;
  result.status = ParseStatus::kComplete;
  result.reply.size = pos_;
  result.reply.type = input[0];
  if (input[0] == '-') {
    result.reply.error = input.substr(1, pos_ - 3);
  } else if (input[0] == '!') {
    result.reply.error = input.substr(top_body_, pos_ - top_body_ - 2);
  }
  start_reply();
  return result;
}

// Applies one header to the pending count; returns a problem, or empty when the header is valid.
std::string_view ReplyParser::header(char type, std::string_view text, std::size_t next) {
  if (resp2_only_ && std::strchr("+-:$*", type) == nullptr) {
    return std::strchr("(,#_!=~>%|", type) == nullptr ? "bad type byte"
                                                      : "RESP3 type on a RESP2 connection";
  }
  switch (type) {
    case '+':
    case '-':
      break;
    case ':':
      if (!parse_redis_integer(text)) return "bad integer";
      break;
    case '(':
      if (!is_big_number(text)) return "bad big number";
      break;
    case ',':
      if (text.empty()) return "empty double";
      break;
    case '#':
      if (text != "t" && text != "f") return "bad boolean";
      break;
    case '_':
      if (!text.empty()) return "bad null";
      break;
    case '$':
    case '!':
    case '=': {
      if (type == '$' && text == "-1") break;
      const auto length = parse_length(text);
      if (!length) return text == "?" ? "streamed string not supported" : "bad bulk length";
      if (*length > kMaxPending) return "bad bulk length";
      in_body_ = true;
      body_end_ = next + *length + 2;
      if (pos_ == 0) top_body_ = next;
      return {};  // the value is counted once its body is complete
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      if (type == '*' && text == "-1") break;
      const auto count = parse_length(text);
      if (!count) return text == "?" ? "streamed aggregate not supported" : "bad aggregate length";
      const std::uint64_t per_element = type == '%' || type == '|' ? 2 : 1;
      if (*count > (kMaxPending - pending_) / per_element) return "aggregate too large";
      pending_ += *count * per_element;
      // An attribute annotates the value after it and does not count as one itself.
      if (type == '|') return {};
      break;
    }
    default:
      return "bad type byte";
  }
  --pending_;
  return {};
}

}  // namespace resplit::resp
