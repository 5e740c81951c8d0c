// The request parser on arbitrary bytes: it never reads outside its input, every frame lies in
// the bytes it consumed, and splitting the input anywhere (the first byte picks where) gives the
// same commands and the same error as parsing it whole.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/resp/request_parser.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using resplit::resp::ParseStatus;
using resplit::resp::RequestParser;

struct Outcome {
  std::vector<std::vector<std::string>> commands;
  std::string error;
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

// Feeds `input` to a parser `step` bytes at a time (0: all at once), as a session's buffer grows.
Outcome parse_in_steps(std::string_view input, size_t step) {
  RequestParser parser;
  Outcome out;
  size_t start = 0;  // first unconsumed byte
  size_t end = step == 0 ? input.size() : 0;
  for (int guard = 0; guard < 1'000'000; ++guard) {
    if (step != 0) end = std::min(input.size(), end + step);
    const std::string_view window = input.substr(start, end - start);
    auto r = parser.parse(window);
    FUZZ_CHECK(r.consumed <= window.size());
    if (r.status == ParseStatus::kComplete) {
      FUZZ_CHECK(r.frame.raw.data() >= window.data());
      FUZZ_CHECK(r.frame.raw.data() + r.frame.raw.size() <= window.data() + r.consumed);
      std::vector<std::string> args;
      for (std::string_view a : r.frame.args) {
        // RESP arguments are spans of the input; inline ones may be unescaped into the parser's
        // own storage.
        if (!r.frame.is_inline) {
          FUZZ_CHECK(a.data() >= window.data() &&
                     a.data() + a.size() <= window.data() + r.consumed);
        }
        args.emplace_back(a);
      }
      out.commands.push_back(std::move(args));
      start += r.consumed;
      continue;
    }
    if (r.status == ParseStatus::kError) {
      FUZZ_CHECK(!r.error_reply.empty());
      out.error = std::string(r.error_reply);
      return out;
    }
    start += r.consumed;
    if (end == input.size()) return out;  // needs more than there is
  }
  FUZZ_CHECK(false);  // the parser made no progress
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check_chunking_changes_nothing(data, size, parse_in_steps);
  return 0;
}
