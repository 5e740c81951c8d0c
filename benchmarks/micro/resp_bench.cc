// The RESP scanners on typical traffic: GET/SET request pipelines (RESP and inline) and bulk,
// integer, array and 1 MB replies, with hiredis's reader on the same bytes for comparison.
#include <benchmark/benchmark.h>
#include <hiredis/hiredis.h>

#include <string>

#include "proxy/resp/reply_parser.h"
#include "proxy/resp/reply_writer.h"
#include "proxy/resp/request_parser.h"

namespace resplit::resp {
namespace {

constexpr int kPipelineDepth = 1000;

std::string get_set_pipeline() {
  std::string out;
  for (int i = 0; i < kPipelineDepth; ++i) {
    const std::string key = "user:session:" + std::to_string(100000 + i);
    if (i % 2 == 0) {
      ReplyWriter(out).command({"SET", key, std::string(32, 'v')});
    } else {
      ReplyWriter(out).command({"GET", key});
    }
  }
  return out;
}

std::string inline_pipeline() {
  std::string out;
  for (int i = 0; i < kPipelineDepth; ++i) {
    const std::string key = "user:session:" + std::to_string(100000 + i);
    out += i % 2 == 0 ? "SET " + key + " \"hello world\"\r\n" : "GET " + key + "\r\n";
  }
  return out;
}

void set_counters(benchmark::State& state, std::size_t bytes, std::size_t items) {
  const auto iterations = static_cast<std::int64_t>(state.iterations());
  state.SetBytesProcessed(iterations * static_cast<std::int64_t>(bytes));
  state.SetItemsProcessed(iterations * static_cast<std::int64_t>(items));
  // Seconds per command or reply, printed with an SI prefix ("62.9n" is 62.9 ns).
  state.counters["time_per_item"] = benchmark::Counter(
      static_cast<double>(items),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void run_requests(benchmark::State& state, const std::string& input) {
  RequestParser parser;
  std::size_t frames = 0;
  for (auto _ : state) {
    std::string_view rest = input;
    frames = 0;
    for (int round = 0; round <= kPipelineDepth; ++round) {
      const auto r = parser.parse(rest);
      rest.remove_prefix(r.consumed);
      if (r.status != ParseStatus::kComplete) break;
      benchmark::DoNotOptimize(r.frame.args.data());
      ++frames;
    }
  }
  if (frames != kPipelineDepth) state.SkipWithError("wrong frame count");
  set_counters(state, input.size(), frames);
}

void BM_RequestPipelineGetSet(benchmark::State& state) { run_requests(state, get_set_pipeline()); }
BENCHMARK(BM_RequestPipelineGetSet);

void BM_RequestPipelineInline(benchmark::State& state) { run_requests(state, inline_pipeline()); }
BENCHMARK(BM_RequestPipelineInline);

void run_replies(benchmark::State& state, const std::string& input, std::size_t count) {
  ReplyParser parser;
  std::size_t replies = 0;
  for (auto _ : state) {
    std::string_view rest = input;
    replies = 0;
    for (std::size_t round = 0; round <= count; ++round) {
      const auto r = parser.parse(rest);
      if (r.status != ParseStatus::kComplete) break;
      rest.remove_prefix(r.reply.size);
      ++replies;
    }
    benchmark::DoNotOptimize(rest.data());
  }
  if (replies != count) state.SkipWithError("wrong reply count");
  set_counters(state, input.size(), replies);
}

std::string repeated(const std::string& one, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += one;
  return out;
}

void BM_ReplyBulk(benchmark::State& state) {
  run_replies(state, repeated("$32\r\n" + std::string(32, 'v') + "\r\n", kPipelineDepth),
              kPipelineDepth);
}
BENCHMARK(BM_ReplyBulk);

void BM_ReplyInteger(benchmark::State& state) {
  run_replies(state, repeated(":1234567\r\n", kPipelineDepth), kPipelineDepth);
}
BENCHMARK(BM_ReplyInteger);

// An MGET / LRANGE shape: arrays of 10 bulks.
void BM_ReplyArray10(benchmark::State& state) {
  std::string array = "*10\r\n";
  for (int i = 0; i < 10; ++i) array += "$16\r\n" + std::string(16, 'e') + "\r\n";
  run_replies(state, repeated(array, 100), 100);
}
BENCHMARK(BM_ReplyArray10);

void BM_ReplyBulk1MB(benchmark::State& state) {
  run_replies(state, "$1000000\r\n" + std::string(1'000'000, 'x') + "\r\n", 1);
}
BENCHMARK(BM_ReplyBulk1MB);

// The same 1 MB bulk arriving in 64 KiB reads, the scanner resumed after each.
void BM_ReplyBulk1MBIn64KiBReads(benchmark::State& state) {
  const std::string input = "$1000000\r\n" + std::string(1'000'000, 'x') + "\r\n";
  ReplyParser parser;
  for (auto _ : state) {
    for (std::size_t have = 0; have < input.size();) {
      have = std::min(input.size(), have + 64 * 1024);
      benchmark::DoNotOptimize(parser.parse(std::string_view(input).substr(0, have)));
    }
  }
  set_counters(state, input.size(), 1);
}
BENCHMARK(BM_ReplyBulk1MBIn64KiBReads);

// hiredis's reader on the same bytes: the parser of record, which builds objects.
void run_hiredis(benchmark::State& state, const std::string& input, std::size_t count) {
  std::size_t replies = 0;
  for (auto _ : state) {
    redisReader* reader = redisReaderCreate();
    redisReaderFeed(reader, input.data(), input.size());
    replies = 0;
    void* reply = nullptr;
    while (replies <= count && redisReaderGetReply(reader, &reply) == REDIS_OK && reply) {
      freeReplyObject(reply);
      ++replies;
    }
    redisReaderFree(reader);
  }
  if (replies != count) state.SkipWithError("wrong reply count");
  set_counters(state, input.size(), replies);
}

void BM_HiredisRequestPipelineGetSet(benchmark::State& state) {
  run_hiredis(state, get_set_pipeline(), kPipelineDepth);
}
BENCHMARK(BM_HiredisRequestPipelineGetSet);

void BM_HiredisReplyBulk(benchmark::State& state) {
  run_hiredis(state, repeated("$32\r\n" + std::string(32, 'v') + "\r\n", kPipelineDepth),
              kPipelineDepth);
}
BENCHMARK(BM_HiredisReplyBulk);

}  // namespace
}  // namespace resplit::resp
