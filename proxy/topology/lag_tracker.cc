#include "proxy/topology/lag_tracker.h"

#include <algorithm>
#include <chrono>

namespace resplit::topology {
namespace {

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

LagTracker::LagTracker(size_t capacity) : capacity_(std::max<size_t>(capacity, 3)) {}

void LagTracker::record(time_point at, uint64_t master_offset) {
  if (!samples_.empty()) {
    const Sample& last = samples_.back();
    if (at < last.at) return;
    if (master_offset < last.offset) {
      reset();
    } else if (master_offset == last.offset && samples_.size() >= 2 &&
               samples_[samples_.size() - 2].offset == master_offset) {
      // A run of equal offsets needs only its first sample (when the master got there) and its
      // last (until when it stayed there); move the last one forward.
      samples_.back().at = at;
      return;
    }
  }
  if (samples_.size() == capacity_) samples_.pop_front();
  samples_.push_back(Sample{at, master_offset});
}

void LagTracker::reset() {
  samples_.clear();
}

std::optional<uint64_t> LagTracker::latest_offset() const {
  if (samples_.empty()) return std::nullopt;
  return samples_[samples_.size() - 1].offset;
}

std::optional<LagTracker::time_point> LagTracker::oldest_time() const {
  if (samples_.empty()) return std::nullopt;
  return samples_.front().at;
}

size_t LagTracker::first_above(uint64_t offset) const {
  // Offsets never decrease along the timeline, so a binary search finds the first one above.
  size_t lo = 0;
  size_t hi = samples_.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (samples_[mid].offset > offset) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

std::optional<uint64_t> LagTracker::offset_at(time_point t) const {
  if (samples_.empty()) return std::nullopt;
  const Sample& first = samples_.front();
  const Sample& last = samples_[samples_.size() - 1];
  if (t <= first.at) return first.offset;
  if (t >= last.at) return last.offset;
  size_t lo = 0;
  size_t hi = samples_.size() - 1;
  while (hi - lo > 1) {  // samples_[lo].at < t < samples_[hi].at
    const size_t mid = lo + (hi - lo) / 2;
    if (samples_[mid].at <= t) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  const Sample& a = samples_[lo];
  const Sample& b = samples_[hi];
  const double span = seconds_between(a.at, b.at);
  if (span <= 0) return b.offset;
  const double fraction = seconds_between(a.at, t) / span;
  return a.offset + static_cast<uint64_t>(fraction * static_cast<double>(b.offset - a.offset));
}

std::optional<Lag> LagTracker::lag(uint64_t replica_offset, time_point sampled_at) const {
  if (samples_.empty()) return std::nullopt;
  Lag out;
  const uint64_t master_then = *offset_at(sampled_at);
  out.bytes = master_then > replica_offset ? master_then - replica_offset : 0;

  const size_t above = first_above(replica_offset);
  if (above == samples_.size()) return out;  // caught up with the newest sample
  if (above == 0) {
    out.beyond_timeline = true;
    out.seconds = std::max(0.0, seconds_between(samples_.front().at, sampled_at));
    return out;
  }
  // The master was at or below the replica's offset at `a` and above it at `b`; spread the bytes
  // written in between evenly over that time to estimate when it went past.
  const Sample& a = samples_[above - 1];
  const Sample& b = samples_[above];
  const double fraction =
      static_cast<double>(replica_offset - a.offset) / static_cast<double>(b.offset - a.offset);
  const auto passed =
      a.at + std::chrono::duration_cast<Clock::duration>(
                 std::chrono::duration<double>(fraction * seconds_between(a.at, b.at)));
  out.seconds = std::max(0.0, seconds_between(passed, sampled_at));
  return out;
}

}  // namespace resplit::topology
