// Test helpers that feed the RESP scanners the way a connection does (append what arrived, parse,
// drop what was consumed) and check that any split of the same bytes gives the same result.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/resp/request_parser.h"

namespace resplit::resp::testing {

// Every feeding loop stops at its deadline as well as at its count bound.
class Deadline {
 public:
  explicit Deadline(std::chrono::seconds budget = std::chrono::seconds(20))
      : end_(std::chrono::steady_clock::now() + budget) {}
  bool expired() const { return std::chrono::steady_clock::now() > end_; }

 private:
  std::chrono::steady_clock::time_point end_;
};

struct RequestOutcome {
  std::vector<std::vector<std::string>> frames;
  std::vector<std::string> raws;
  std::vector<bool> inline_flags;
  std::size_t consumed = 0;  // bytes dropped in total
  std::string error_reply;   // empty when no error
  bool operator==(const RequestOutcome&) const = default;
};

struct ReplyOutcome {
  std::vector<std::size_t> sizes;
  std::vector<char> types;
  std::vector<std::string> errors;
  std::size_t consumed = 0;
  bool failed = false;
  bool operator==(const ReplyOutcome&) const = default;
};

// Delivers `input` in chunks that end at each of the ascending offsets in `cuts`, then the rest.
RequestOutcome feed_requests(std::string_view input, const std::vector<std::size_t>& cuts,
                             const ParserLimits& limits = {});
ReplyOutcome feed_replies(std::string_view input, const std::vector<std::size_t>& cuts);

// Cut points for one byte at a time.
std::vector<std::size_t> every_byte(std::size_t size);

// Feeds `input` whole, one byte at a time, and in two chunks split at every offset (inputs over
// 4 KiB: at 200 random offsets and in 20 random multi-chunk splits); every delivery must give
// the whole-delivery outcome, which is returned.
RequestOutcome requests_at_any_split(std::string_view input, const ParserLimits& limits = {});
ReplyOutcome replies_at_any_split(std::string_view input);

}  // namespace resplit::resp::testing
