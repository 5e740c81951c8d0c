// Random request pipelines and random RESP2 replies, framed by resplit's scanners and by hiredis's
// reader (the parser of record): both must find the same boundaries and the same arguments.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "proxy/resp/hiredis_reply.h"
#include "proxy/resp/reply_writer.h"
#include "tests/resp/feed.h"

namespace resplit::resp {
namespace {

struct ReaderDeleter {
  void operator()(redisReader* r) const { redisReaderFree(r); }
};

// Feeds hiredis one byte at a time; a reply's boundary is the byte after which it became ready.
std::vector<std::size_t> hiredis_boundaries(std::string_view input,
                                            std::vector<OwnedReply>& replies) {
  std::unique_ptr<redisReader, ReaderDeleter> reader(redisReaderCreate());
  std::vector<std::size_t> boundaries;
  for (std::size_t i = 0; i < input.size(); ++i) {
    EXPECT_EQ(redisReaderFeed(reader.get(), input.data() + i, 1), REDIS_OK);
    void* raw = nullptr;
    EXPECT_EQ(redisReaderGetReply(reader.get(), &raw), REDIS_OK) << reader->errstr;
    if (raw != nullptr) {
      replies.emplace_back(static_cast<redisReply*>(raw));
      boundaries.push_back(i + 1);
    }
  }
  return boundaries;
}

std::vector<std::size_t> random_cuts(std::mt19937_64& rng, std::size_t size) {
  std::vector<std::size_t> cuts(rng() % 40);
  for (auto& cut : cuts) cut = size == 0 ? 0 : rng() % size;
  std::sort(cuts.begin(), cuts.end());
  return cuts;
}

std::string random_bytes(std::mt19937_64& rng, std::size_t max_length) {
  std::string s(rng() % (max_length + 1), '\0');
  for (char& c : s) c = static_cast<char>(rng() % 256);
  return s;
}

std::string random_line(std::mt19937_64& rng) {
  std::string s(rng() % 40, ' ');
  for (char& c : s) c = static_cast<char>(' ' + rng() % 95);
  return s;
}

void random_reply(std::mt19937_64& rng, int depth, std::string& out) {
  const int kind = static_cast<int>(rng() % (depth < 6 ? 7 : 5));
  switch (kind) {
    case 0: out += "+" + random_line(rng) + "\r\n"; break;
    case 1: out += "-ERR " + random_line(rng) + "\r\n"; break;
    case 2: out += ":" + std::to_string(static_cast<std::int64_t>(rng())) + "\r\n"; break;
    case 3: ReplyWriter(out).bulk(random_bytes(rng, 100)); break;
    case 4: out += rng() % 2 ? "$-1\r\n" : "*-1\r\n"; break;
    default: {
      const std::size_t n = rng() % 5;
      ReplyWriter(out).array_header(n);
      for (std::size_t i = 0; i < n; ++i) random_reply(rng, depth + 1, out);
    }
  }
}

TEST(HiredisDifferentialTest, RequestPipelinesHaveTheSameFrames) {
  std::mt19937_64 rng(20240601);
  const testing::Deadline deadline;
  for (int round = 0; round < 200 && !deadline.expired(); ++round) {
    std::string input;
    std::vector<std::vector<std::string>> commands(1 + rng() % 20);
    for (auto& args : commands) {
      args.resize(1 + rng() % 8);
      for (auto& arg : args) arg = random_bytes(rng, rng() % 4 == 0 ? 2000 : 30);
      std::vector<std::string_view> views(args.begin(), args.end());
      ReplyWriter(input).command(views);
    }
    std::vector<OwnedReply> replies;
    const auto boundaries = hiredis_boundaries(input, replies);
    const auto ours = testing::feed_requests(input, random_cuts(rng, input.size()));
    ASSERT_EQ(ours.frames, commands);
    ASSERT_EQ(ours.raws.size(), boundaries.size());
    std::size_t end = 0;
    for (std::size_t i = 0; i < boundaries.size(); ++i) {
      end += ours.raws[i].size();
      EXPECT_EQ(end, boundaries[i]);
      ASSERT_EQ(replies[i]->elements, commands[i].size());
      for (std::size_t j = 0; j < commands[i].size(); ++j) {
        EXPECT_EQ(reply_text(*replies[i]->element[j]), commands[i][j]);
      }
    }
  }
}

TEST(HiredisDifferentialTest, RandomRepliesUpToDepthSixHaveTheSameBoundaries) {
  std::mt19937_64 rng(7);
  const testing::Deadline deadline;
  for (int round = 0; round < 300 && !deadline.expired(); ++round) {
    std::string input;
    const int count = 1 + static_cast<int>(rng() % 30);
    for (int i = 0; i < count; ++i) random_reply(rng, 1, input);
    std::vector<OwnedReply> replies;
    const auto boundaries = hiredis_boundaries(input, replies);
    const auto ours = testing::feed_replies(input, random_cuts(rng, input.size()));
    ASSERT_FALSE(ours.failed);
    ASSERT_EQ(ours.sizes.size(), boundaries.size());
    std::size_t end = 0;
    for (std::size_t i = 0; i < boundaries.size(); ++i) {
      end += ours.sizes[i];
      EXPECT_EQ(end, boundaries[i]);
      if (replies[i]->type == REDIS_REPLY_ERROR) {
        EXPECT_EQ(ours.errors[i], reply_text(*replies[i]));
      }
    }
  }
}

}  // namespace
}  // namespace resplit::resp
