// ReplyQueue sits on every request and reply of a client: the cost per command of a pipeline
// answered in order (the common case: one backend), answered in reverse (every reply parked until
// the first one arrives), and with large replies, each drained the way a session drains it.
#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "proxy/server/reply_queue.h"

namespace resplit::server {
namespace {

void BM_InOrderPipeline(benchmark::State& state) {
  const auto depth = static_cast<size_t>(state.range(0));
  const std::string reply = "$5\r\nvalue\r\n";
  ReplyQueue q;
  std::string out;  // the session's output buffer, trading places with the queue's
  std::vector<ReplyQueue::Seq> seqs(depth);
  for (auto _ : state) {
    for (auto& s : seqs) s = q.push();
    for (auto s : seqs) q.complete(s, reply);
    q.take_ready(out);
    benchmark::DoNotOptimize(out.data());
    out.clear();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(depth));
}
BENCHMARK(BM_InOrderPipeline)->Arg(1)->Arg(16)->Arg(1024);

void BM_ReversedPipeline(benchmark::State& state) {
  const auto depth = static_cast<size_t>(state.range(0));
  const std::string reply = "$5\r\nvalue\r\n";
  ReplyQueue q;
  std::string out;  // the session's output buffer, trading places with the queue's
  std::vector<ReplyQueue::Seq> seqs(depth);
  for (auto _ : state) {
    for (auto& s : seqs) s = q.push();
    for (auto it = seqs.rbegin(); it != seqs.rend(); ++it) q.complete(*it, reply);
    q.take_ready(out);
    benchmark::DoNotOptimize(out.data());
    out.clear();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(depth));
}
BENCHMARK(BM_ReversedPipeline)->Arg(16)->Arg(1024);

void BM_LargeReplies(benchmark::State& state) {
  const std::string reply(static_cast<size_t>(state.range(0)), 'x');
  ReplyQueue q;
  std::string out;  // the session's output buffer, trading places with the queue's
  for (auto _ : state) {
    const auto a = q.push();
    const auto b = q.push();
    q.complete(b, reply);  // parked: copied once more when released
    q.complete(a, reply);
    q.take_ready(out);
    benchmark::DoNotOptimize(out.data());
    out.clear();
  }
  state.SetBytesProcessed(state.iterations() * 2 * state.range(0));
}
BENCHMARK(BM_LargeReplies)->Arg(1024)->Arg(100 * 1024);

}  // namespace
}  // namespace resplit::server
