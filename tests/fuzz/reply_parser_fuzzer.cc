// The reply scanner on arbitrary bytes (RESP2 and RESP3, any depth): it never reads outside its
// input, a reply never ends past the bytes given, and bytes arriving in pieces (the first byte
// picks their size) give the same reply boundaries and the same verdict as all at once.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "proxy/resp/reply_parser.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using resplit::resp::ParseStatus;
using resplit::resp::ReplyParser;

struct Outcome {
  std::vector<size_t> sizes;
  bool failed = false;
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

Outcome scan_in_steps(std::string_view input, size_t step) {
  ReplyParser parser;
  Outcome out;
  size_t start = 0;
  size_t end = step == 0 ? input.size() : 0;
  for (int guard = 0; guard < 1'000'000; ++guard) {
    if (step != 0) end = std::min(input.size(), end + step);
    const std::string_view window = input.substr(start, end - start);
    auto r = parser.parse(window);
    if (r.status == ParseStatus::kComplete) {
      FUZZ_CHECK(r.reply.size > 0 && r.reply.size <= window.size());
      FUZZ_CHECK(r.reply.type == window[0]);
      if (!r.reply.error.empty()) {
        FUZZ_CHECK(r.reply.error.data() >= window.data());
        FUZZ_CHECK(r.reply.error.data() + r.reply.error.size() <= window.data() + r.reply.size);
      }
      out.sizes.push_back(r.reply.size);
      start += r.reply.size;
      parser.reset();
      if (start == input.size()) return out;
      continue;
    }
    if (r.status == ParseStatus::kError) {
      out.failed = true;
      return out;
    }
    if (end == input.size()) return out;
  }
  FUZZ_CHECK(false);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check_chunking_changes_nothing(data, size, scan_in_steps);
  return 0;
}
