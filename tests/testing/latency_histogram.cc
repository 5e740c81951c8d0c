#include "tests/testing/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace resplit::testkit {

size_t LatencyHistogram::index_of(uint64_t us) {
  constexpr uint64_t kLinear = uint64_t{1} << kSubBits;
  if (us < kLinear) return us;
  const int msb = std::bit_width(us) - 1;  // >= kSubBits
  const uint64_t step = (us >> (msb - kSubBits)) & (kLinear - 1);
  return static_cast<size_t>((msb - kSubBits + 1) << kSubBits) + step;
}

uint64_t LatencyHistogram::upper_bound_of(size_t index) {
  constexpr uint64_t kLinear = uint64_t{1} << kSubBits;
  if (index < kLinear) return index;
  const int msb = static_cast<int>(index >> kSubBits) + kSubBits - 1;
  const uint64_t step = index & (kLinear - 1);
  const uint64_t base = (kLinear | step) << (msb - kSubBits);
  return base + (uint64_t{1} << (msb - kSubBits)) - 1;
}

void LatencyHistogram::record(std::chrono::nanoseconds latency) {
  const auto us = static_cast<uint64_t>(
      std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::microseconds>(latency).count()));
  ++buckets_[std::min<size_t>(index_of(us), kBuckets - 1)];
  ++count_;
  max_us_ = std::max(max_us_, us);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_us_ = std::max(max_us_, other.max_us_);
}

std::chrono::microseconds LatencyHistogram::percentile(double p) const {
  if (count_ == 0) return std::chrono::microseconds(0);
  const auto wanted = static_cast<uint64_t>(std::ceil(static_cast<double>(count_) * p / 100.0));
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= std::max<uint64_t>(wanted, 1)) {
      return std::chrono::microseconds(std::min(upper_bound_of(i), max_us_));
    }
  }
  return max();
}

}  // namespace resplit::testkit
