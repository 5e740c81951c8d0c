// What one worker thread counts while it serves clients: fixed arrays indexed by the label enums,
// each cell written only by that worker (see OwnedCounter). The scrape-time collector sums them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proxy/base/owned_counter.h"
#include "proxy/metrics/labels.h"

namespace resplit::metrics {

// Backends are counted by their BackendId (small, never reused); ids past this are not counted.
inline constexpr size_t kMaxBackends = 256;

struct BackendStats {
  Counter64 commands_sent;
  Counter64 connect_failures;
  Gauge64 connections;  // open connections (shared and pinned)
};

struct DurationHistogram {
  std::array<Counter64, kDurationBuckets.size() + 1> buckets;  // non-cumulative; last is +Inf
  Counter64 sum_ns;
  void observe(int64_t ns) noexcept;
};

template <typename Row, typename Col>
using Grid = std::array<std::array<Counter64, count_of<Col>()>, count_of<Row>()>;

template <typename G, typename R, typename C>
auto& at(G& grid, R row, C col) noexcept {
  return grid[static_cast<size_t>(row)][static_cast<size_t>(col)];
}

class WorkerStats {
 public:
  // The client side.
  Counter64 accepted;
  std::array<Counter64, count_of<Rejection>()> rejected;
  std::array<Counter64, count_of<Disconnect>()> disconnected;
  Counter64 protocol_errors;
  Counter64 received_bytes;
  Counter64 sent_bytes;

  // Commands.
  std::array<Gauge64, count_of<Route>()> in_flight;  // reply slots taken and not yet filled
  Grid<Route, Result> commands;
  std::array<DurationHistogram, count_of<Route>()> durations;
  Grid<Route, Reason> routing;
  Grid<Route, ErrorType> errors;
  std::array<std::array<Counter64, count_of<Route>()>, kCommandAllowlist.size() + 1> by_name;
  Counter64 reads_retried;  // replica reads sent again to the master (session_reread.cc)

  std::array<BackendStats, kMaxBackends> backends;

  BackendStats* backend(uint32_t id) { return id < kMaxBackends ? &backends[id] : nullptr; }

  void route(Route route, Reason reason) noexcept { at(routing, route, reason).add(); }
  void disconnect(Disconnect why) noexcept { disconnected[static_cast<size_t>(why)].add(); }
  // A reply to a command: counts it by result (and error class); `timed` commands also go into the
  // duration histogram (blocking commands do not: their wait is not latency).
  void reply(Route route, bool timed, int64_t elapsed_ns, std::string_view reply) noexcept;
  // A command sent without a reply slot (passthrough modes): counted as answered.
  void untracked(Route route) noexcept { at(commands, route, Result::kOk).add(); }
};

}  // namespace resplit::metrics
