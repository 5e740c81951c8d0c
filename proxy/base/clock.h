// The monotonic clock that timeouts, lag-in-seconds and health decisions read. Components take a
// `const Clock&` so tests can drive time by hand with ManualClock instead of sleeping.
#pragma once

#include <atomic>
#include <chrono>

namespace resplit {

class Clock {
 public:
  using duration = std::chrono::steady_clock::duration;
  using time_point = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  virtual time_point now() const noexcept = 0;

  // The process-wide real clock (std::chrono::steady_clock).
  static const Clock& steady() noexcept;
};

// A clock that moves only when told; safe to read from other threads while a test advances it.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(time_point start = time_point{} + std::chrono::hours(1)) : now_(start) {}

  time_point now() const noexcept override { return now_.load(std::memory_order_acquire); }
  void advance(duration d) noexcept {
    now_.store(now_.load(std::memory_order_relaxed) + d, std::memory_order_release);
  }
  void set(time_point t) noexcept { now_.store(t, std::memory_order_release); }

 private:
  std::atomic<time_point> now_;
};

}  // namespace resplit
