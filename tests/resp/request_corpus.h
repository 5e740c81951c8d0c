// The malformed-request corpus: each case lists the frames the parser must yield and how the
// input ends. Every expectation was checked against redis-server 7.0.15 (its replies to the same
// bytes, and whether it closed the connection).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace resplit::resp::testing {

enum class End {
  kConsumed,  // no error and all input consumed
  kWaits,     // no error and a partial command left unconsumed (Redis waits for more)
  kError,     // the error line below, then the connection closes
};

struct Ending {
  Ending(End e) : end(e) {}  // NOLINT: implicit, so that table rows stay short
  Ending(std::string_view line) : end(End::kError), error(line) {}  // NOLINT
  End end;
  std::string error;
};

struct CorpusCase {
  std::string_view name;
  std::string input;
  std::vector<std::vector<std::string>> frames;
  Ending ending;
};

// "-ERR Protocol error: expected '$', got 'X'\r\n" with X as Redis shows it.
inline Ending expected_dollar(char shown) {
  return Ending("-ERR Protocol error: expected '$', got '" + std::string(1, shown) + "'\r\n");
}

// Feeds the case at every split (see feed.h) and checks frames and ending.
void check_corpus_case(const CorpusCase& c);

}  // namespace resplit::resp::testing
