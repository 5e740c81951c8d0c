#include "tests/resp/request_corpus.h"

#include <gtest/gtest.h>

#include "tests/resp/feed.h"

namespace resplit::resp::testing {

void check_corpus_case(const CorpusCase& c) {
  SCOPED_TRACE(std::string(c.name));
  const RequestOutcome outcome = requests_at_any_split(c.input);
  EXPECT_EQ(outcome.frames, c.frames);
  switch (c.ending.end) {
    case End::kConsumed:
      EXPECT_EQ(outcome.error_reply, "");
      EXPECT_EQ(outcome.consumed, c.input.size());
      break;
    case End::kWaits:
      EXPECT_EQ(outcome.error_reply, "");
      EXPECT_LT(outcome.consumed, c.input.size());
      break;
    case End::kError:
      EXPECT_EQ(outcome.error_reply, c.ending.error);
      break;
  }
}

}  // namespace resplit::resp::testing
