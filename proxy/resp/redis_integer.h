// Reads a decimal integer the way Redis's string2ll does: an optional '-', no '+', no spaces, no
// leading zeros, at most 20 characters, within int64. Both RESP scanners use it for counts/lengths.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace resplit::resp {

// nullopt when `text` is not such an integer; hand-written because std::from_chars accepts
// leading zeros and "-0", which Redis rejects ("*01" is an invalid multibulk length).
constexpr std::optional<std::int64_t> parse_redis_integer(std::string_view text) noexcept {
  constexpr std::size_t kMaxChars = 20;  // Redis: slen >= LONG_STR_SIZE (21) is never a number
  if (text.empty() || text.size() > kMaxChars) return std::nullopt;
  if (text == "0") return 0;
  std::size_t i = 0;
  const bool negative = text[0] == '-';
  if (negative) ++i;
  if (i == text.size() || text[i] < '1' || text[i] > '9') return std::nullopt;
  std::uint64_t value = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  if (negative) {
    if (value > static_cast<std::uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<std::int64_t>(0 - value);
  }
  if (value > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<std::int64_t>(value);
}

}  // namespace resplit::resp
