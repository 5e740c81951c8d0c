// Counts every heap allocation in this test binary (global operator new replaced) to show that the
// scanners allocate nothing in steady state and nothing sized from a count on the wire.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <string>

#include "proxy/resp/reply_parser.h"
#include "proxy/resp/reply_writer.h"
#include "proxy/resp/request_parser.h"

namespace {

bool g_counting = false;
std::size_t g_allocations = 0;
std::size_t g_bytes = 0;

void* counted_alloc(std::size_t size) {
  if (g_counting) {
    ++g_allocations;
    g_bytes += size;
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) { return counted_alloc(size); }
void* operator new[](std::size_t size) { return counted_alloc(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace resplit::resp {
namespace {

// Allocations made while `body` runs.
template <typename Body>
std::pair<std::size_t, std::size_t> count_allocations(Body body) {
  g_allocations = 0;
  g_bytes = 0;
  g_counting = true;
  body();
  g_counting = false;
  return {g_allocations, g_bytes};
}

std::string get_set_pipeline(int commands) {
  std::string out;
  for (int i = 0; i < commands; ++i) {
    const std::string key = "key:" + std::to_string(i);
    if (i % 2 == 0) {
      ReplyWriter(out).command({"SET", key, "value-" + std::to_string(i)});
    } else {
      ReplyWriter(out).command({"GET", key});
    }
  }
  return out;
}

// Parses every command of `input`; returns how many there were (bounded by the input's size).
std::size_t parse_all(RequestParser& parser, std::string_view input) {
  std::size_t frames = 0;
  const std::size_t rounds = input.size() + 1;
  for (std::size_t round = 0; round < rounds; ++round) {
    const auto r = parser.parse(input);
    input.remove_prefix(r.consumed);
    if (r.status != ParseStatus::kComplete) break;
    ++frames;
  }
  return frames;
}

TEST(AllocationTest, TheCounterSeesAllocations) {
  const auto [allocations, bytes] = count_allocations([] {
    std::string s(1000, 'x');
    EXPECT_EQ(s.size(), 1000u);
  });
  EXPECT_EQ(allocations, 1u);
  EXPECT_GE(bytes, 1000u);
}

TEST(AllocationTest, RequestPipelineInSteadyStateAllocatesNothing) {
  const std::string pipeline = get_set_pipeline(10'000);
  RequestParser parser;
  ASSERT_EQ(parse_all(parser, pipeline), 10'000u);  // warm-up
  std::size_t frames = 0;
  const auto [allocations, bytes] = count_allocations([&] {
    for (int i = 0; i < 5; ++i) frames += parse_all(parser, pipeline);
  });
  EXPECT_EQ(frames, 50'000u);
  EXPECT_EQ(allocations, 0u) << bytes << " bytes";
}

TEST(AllocationTest, SplitRequestsInSteadyStateAllocateNothing) {
  const std::string pipeline = get_set_pipeline(1000);
  RequestParser parser;
  parse_all(parser, pipeline);
  const auto [allocations, bytes] = count_allocations([&] {
    // Deliver in 7-byte steps so that every command is resumed several times.
    std::size_t start = 0;
    for (std::size_t have = 0; have < pipeline.size();) {
      have = std::min(pipeline.size(), have + 7);
      start += parser.parse(std::string_view(pipeline).substr(start, have - start)).consumed;
    }
  });
  EXPECT_EQ(allocations, 0u) << bytes << " bytes";
}

TEST(AllocationTest, InlineCommandsInSteadyStateAllocateNothing) {
  std::string input;
  for (int i = 0; i < 1000; ++i) {
    input += "SET \"k\\x41" + std::to_string(i) + "\" 'v a l'\r\nPING\n";
  }
  RequestParser parser;
  parse_all(parser, input);
  const auto [allocations, bytes] = count_allocations([&] {
    EXPECT_EQ(parse_all(parser, input), 2000u);
  });
  EXPECT_EQ(allocations, 0u) << bytes << " bytes";
}

TEST(AllocationTest, HugeCountsReserveNothing) {
  RequestParser parser;  // fresh: nothing warmed up
  const auto [allocations, bytes] = count_allocations([&] {
    EXPECT_EQ(parser.parse("*2000000000\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\n").status,
              ParseStatus::kNeedMore);
  });
  EXPECT_EQ(allocations, 0u) << bytes << " bytes";
}

TEST(AllocationTest, ReplyParserNeverAllocates) {
  std::string replies = "+OK\r\n:1\r\n$5\r\nhello\r\n*-1\r\n%1\r\n+a\r\n~1\r\n#t\r\n";
  for (int i = 0; i < 5000; ++i) replies += "*1\r\n";
  replies += "$2000000000\r\n";
  ReplyParser parser;
  const auto [allocations, bytes] = count_allocations([&] {
    std::string_view input = replies;
    for (int round = 0; round < 10; ++round) {
      const auto r = parser.parse(input);
      if (r.status != ParseStatus::kComplete) break;
      input.remove_prefix(r.reply.size);
    }
  });
  EXPECT_EQ(allocations, 0u) << bytes << " bytes";
}

}  // namespace
}  // namespace resplit::resp
