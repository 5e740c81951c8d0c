// A counter that one thread writes and any thread may read: a relaxed atomic updated by load+store,
// which compiles to plain loads and stores (no locked instruction), because only its owner writes.
// Per-worker statistics are built from these and summed by readers (metrics scrapes).
// Building with -DRESPLIT_NO_METRICS turns every update into nothing (for overhead benchmarks).
#pragma once

#include <atomic>
#include <cstdint>

namespace resplit {

template <typename T>
class OwnedCounter {
 public:
  // Owner thread only.
#ifndef RESPLIT_NO_METRICS
  void add(T n = 1) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void sub(T n = 1) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) - n, std::memory_order_relaxed);
  }
#else
  void add(T = 1) noexcept {}
  void sub(T = 1) noexcept {}
#endif
  // Any thread.
  T get() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<T> value_{0};
};

using Counter64 = OwnedCounter<uint64_t>;
using Gauge64 = OwnedCounter<int64_t>;

}  // namespace resplit
