// Latency buckets in the HdrHistogram manner (a power of two split into 16 linear steps, so every
// bucket is within 1/16 of its value), fixed size, cheap to record and to merge across threads.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace resplit::testkit {

class LatencyHistogram {
 public:
  void record(std::chrono::nanoseconds latency);
  void merge(const LatencyHistogram& other);
  uint64_t count() const { return count_; }
  // The upper bound of the bucket holding the p-th percentile (0 < p <= 100); 0 when empty.
  std::chrono::microseconds percentile(double p) const;
  std::chrono::microseconds max() const { return std::chrono::microseconds(max_us_); }

 private:
  static constexpr int kSubBits = 4;
  static constexpr int kBuckets = (64 - kSubBits + 1) << kSubBits;
  static size_t index_of(uint64_t us);
  static uint64_t upper_bound_of(size_t index);

  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  uint64_t max_us_ = 0;
};

}  // namespace resplit::testkit
