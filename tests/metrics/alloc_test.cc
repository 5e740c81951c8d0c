// Counts every heap allocation in this binary (global operator new replaced) to show that counting a
// command allocates nothing: routing decisions, replies by result and class, histogram samples,
// per-command names, and the reply queue's meters.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <new>
#include <string>

#include "proxy/base/error_text.h"
#include "proxy/metrics/worker_stats.h"
#include "proxy/server/reply_queue.h"

namespace {

bool g_counting = false;
std::size_t g_allocations = 0;

void* counted_alloc(std::size_t size) {
  if (g_counting) ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) { return counted_alloc(size); }
void* operator new[](std::size_t size) { return counted_alloc(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace resplit::metrics {
namespace {

class Counting final : public server::ReplyObserver {
 public:
  explicit Counting(WorkerStats& stats) : stats_(stats) {}
  void on_complete(const server::SlotMeter& m, std::string_view reply) override {
    stats_.in_flight[m.route].sub();
    stats_.reply(static_cast<Route>(m.route), m.timed, 1000, reply);
  }

 private:
  WorkerStats& stats_;
};

TEST(CountingAllocTest, CountingCommandsAllocatesNothing) {
  auto stats = std::make_unique<WorkerStats>();
  Counting observer(*stats);
  server::ReplyQueue queue;
  std::string out;  // the session's output buffer, trading places with the queue's
  queue.set_observer(&observer);
  const std::string ok = "+OK\r\n";
  const std::string error = "-WRONGTYPE Operation against a key\r\n";
  // Warm up: the queue's ring and both buffers reach their steady size.
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 64; ++i) queue.complete(queue.push(false, {}), ok);
    queue.take_ready(out);
    out.clear();
  }

  g_allocations = 0;
  g_counting = true;
  for (int i = 0; i < 10000; ++i) {
    const auto route = static_cast<Route>(i % 3);
    stats->route(route, Reason::kRead);
    stats->by_name[command_index(i % 2 ? "GET" : "HGETALL")][i % 3].add();
    const server::SlotMeter meter{static_cast<uint8_t>(route), true, {}};
    stats->in_flight[meter.route].add();
    queue.complete(queue.push(false, meter), i % 5 == 0 ? error : ok);
    if (i % 7 == 0) stats->reply(route, false, 0, text::kBackendTimeout);
    queue.take_ready(out);
    out.clear();
  }
  g_counting = false;
  EXPECT_EQ(g_allocations, 0u);
  EXPECT_EQ(at(stats->commands, Route::kMaster, Result::kOk).get() +
                at(stats->commands, Route::kMaster, Result::kError).get(),
            3334u);
}

}  // namespace
}  // namespace resplit::metrics
