// A check that holds in every build of a fuzz target: a broken invariant aborts, which libFuzzer
// and the corpus replay test both report as a finding (assert() would vanish under NDEBUG).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(condition)                                                          \
  do {                                                                                 \
    if (!(condition)) {                                                                \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)

// For parsers fed as a buffer grows: the first byte of the fuzz input picks a chunk size (1 to 64),
// the rest is parsed whole and in chunks of that size, and both must give the same outcome.
// `parse_in_steps(input, step)` feeds `input` `step` bytes at a time (0: all at once).
template <typename ParseInSteps>
void check_chunking_changes_nothing(const uint8_t* data, size_t size, ParseInSteps parse_in_steps) {
  if (size == 0) return;
  const size_t step = 1 + data[0] % 64;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  FUZZ_CHECK(parse_in_steps(input, 0) == parse_in_steps(input, step));
}
