#include "tests/resp/feed.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "proxy/resp/reply_parser.h"

namespace resplit::resp::testing {
namespace {

constexpr std::size_t kEveryOffsetLimit = 4096;

std::vector<std::vector<std::size_t>> split_plans(std::size_t size) {
  std::vector<std::vector<std::size_t>> plans;
  plans.push_back(every_byte(size));
  std::mt19937_64 rng(size);
  if (size <= kEveryOffsetLimit) {
    for (std::size_t cut = 0; cut <= size; ++cut) plans.push_back({cut});
    return plans;
  }
  std::uniform_int_distribution<std::size_t> offset(0, size);
  for (int i = 0; i < 200; ++i) plans.push_back({offset(rng)});
  for (int i = 0; i < 20; ++i) {
    std::vector<std::size_t> cuts(1 + rng() % 64);
    for (auto& cut : cuts) cut = offset(rng);
    std::sort(cuts.begin(), cuts.end());
    plans.push_back(cuts);
  }
  return plans;
}

// Runs `parse_all(buffer)` after each chunk arrives; it returns the bytes to drop, which are
// erased at once so that the parser must work from offsets, never from old pointers.
template <typename ParseAll>
bool feed(std::string_view input, const std::vector<std::size_t>& cuts, ParseAll parse_all) {
  const Deadline deadline;
  std::string buffer;
  std::size_t fed = 0;
  for (std::size_t i = 0; i <= cuts.size() && !deadline.expired(); ++i) {
    const std::size_t end = i < cuts.size() ? std::min(cuts[i], input.size()) : input.size();
    if (end < fed) continue;
    buffer.append(input.substr(fed, end - fed));
    fed = end;
    const std::size_t drop = parse_all(buffer);
    buffer.erase(0, drop);
  }
  return !deadline.expired();
}

}  // namespace

std::vector<std::size_t> every_byte(std::size_t size) {
  std::vector<std::size_t> cuts(size);
  for (std::size_t i = 0; i < size; ++i) cuts[i] = i + 1;
  return cuts;
}

RequestOutcome feed_requests(std::string_view input, const std::vector<std::size_t>& cuts,
                             const ParserLimits& limits) {
  RequestParser parser(limits);
  RequestOutcome outcome;
  const bool in_time = feed(input, cuts, [&](std::string_view buffer) {
    std::size_t dropped = 0;
    // Each round consumes at least one byte or stops, so input.size() + 1 rounds suffice.
    for (std::size_t round = 0; round <= input.size() && outcome.error_reply.empty(); ++round) {
      const RequestParseResult r = parser.parse(buffer.substr(dropped));
      dropped += r.consumed;
      outcome.consumed += r.consumed;
      if (r.status == ParseStatus::kNeedMore) break;
      if (r.status == ParseStatus::kError) {
        outcome.error_reply = std::string(r.error_reply);
        break;
      }
      outcome.frames.emplace_back(r.frame.args.begin(), r.frame.args.end());
      outcome.raws.emplace_back(r.frame.raw);
      outcome.inline_flags.push_back(r.frame.is_inline);
    }
    return dropped;
  });
  EXPECT_TRUE(in_time) << "feeding requests ran past its deadline";
  return outcome;
}

ReplyOutcome feed_replies(std::string_view input, const std::vector<std::size_t>& cuts) {
  ReplyParser parser;
  ReplyOutcome outcome;
  const bool in_time = feed(input, cuts, [&](std::string_view buffer) {
    std::size_t dropped = 0;
    for (std::size_t round = 0; round <= input.size() && !outcome.failed; ++round) {
      const ReplyParseResult r = parser.parse(buffer.substr(dropped));
      if (r.status == ParseStatus::kNeedMore) break;
      if (r.status == ParseStatus::kError) {
        outcome.failed = true;
        break;
      }
      dropped += r.reply.size;
      outcome.consumed += r.reply.size;
      outcome.sizes.push_back(r.reply.size);
      outcome.types.push_back(r.reply.type);
      outcome.errors.emplace_back(r.reply.error);
    }
    return dropped;
  });
  EXPECT_TRUE(in_time) << "feeding replies ran past its deadline";
  return outcome;
}

RequestOutcome requests_at_any_split(std::string_view input, const ParserLimits& limits) {
  const RequestOutcome whole = feed_requests(input, {}, limits);
  for (const auto& cuts : split_plans(input.size())) {
    const RequestOutcome split = feed_requests(input, cuts, limits);
    if (split != whole) {
      ADD_FAILURE() << "different outcome with " << cuts.size() << " cuts, first at "
                    << (cuts.empty() ? 0 : cuts[0]);
      break;
    }
  }
  return whole;
}

ReplyOutcome replies_at_any_split(std::string_view input) {
  const ReplyOutcome whole = feed_replies(input, {});
  for (const auto& cuts : split_plans(input.size())) {
    const ReplyOutcome split = feed_replies(input, cuts);
    if (split != whole) {
      ADD_FAILURE() << "different outcome with " << cuts.size() << " cuts, first at "
                    << (cuts.empty() ? 0 : cuts[0]);
      break;
    }
  }
  return whole;
}

}  // namespace resplit::resp::testing
