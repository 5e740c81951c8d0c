// A short timeline of the master's replication offset over monotonic time, so that a replica's own
// offset turns into how far behind it is: in bytes, and in seconds of data age.
//
// Redis reports a third figure, the master's `lag=` per replica: whole seconds since that replica's
// last REPLCONF ACK. Replicas ACK once a second, so it moves in 1 s steps and says nothing about
// how old the data is (a healthy replica shows 0 or 1, and so does one 50 MB behind). The monitor
// reports it separately as ack_age_seconds and never uses it for routing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "proxy/base/clock.h"
#include "proxy/base/ring.h"

namespace resplit::topology {

struct Lag {
  uint64_t bytes = 0;
  double seconds = 0;
  // The replica is behind everything the timeline remembers: `seconds` is the timeline's age at
  // the sample, a lower bound of the real figure.
  bool beyond_timeline = false;
};

class LagTracker {
 public:
  using time_point = Clock::time_point;

  // At the default 250 ms poll interval, 512 samples cover about two minutes of steady writes
  // (idle periods take no room: a run of equal offsets keeps only its first and last sample).
  static constexpr size_t kDefaultCapacity = 512;

  explicit LagTracker(size_t capacity = kDefaultCapacity);

  // Adds the master's offset sampled at `at`. Samples must come in time order (an older one is
  // ignored). An offset below the last one means a new replication history (a restart without
  // data, another node as master): the timeline starts again from this sample.
  void record(time_point at, uint64_t master_offset);

  // Forgets everything, e.g. when another node becomes master.
  void reset();

  // The lag of a replica whose processed offset was `replica_offset` at `sampled_at`:
  // - bytes: the master's offset at `sampled_at` (interpolated between samples; the newest sample
  //   when `sampled_at` is later) minus `replica_offset`, never negative;
  // - seconds: how long before `sampled_at` the master first went past `replica_offset`
  //   (interpolated between the two samples around it); 0 when the replica has everything the
  //   newest sample has.
  // nullopt while the timeline is empty.
  std::optional<Lag> lag(uint64_t replica_offset, time_point sampled_at) const;

  // The master's offset at `t` as the timeline estimates it; nullopt while empty.
  std::optional<uint64_t> offset_at(time_point t) const;

  bool empty() const { return samples_.empty(); }
  size_t size() const { return samples_.size(); }
  std::optional<uint64_t> latest_offset() const;
  std::optional<time_point> oldest_time() const;

 private:
  struct Sample {
    time_point at{};
    uint64_t offset = 0;
  };

  // Index of the first sample whose offset is greater than `offset`; size() when none is.
  size_t first_above(uint64_t offset) const;

  size_t capacity_;
  Ring<Sample> samples_;
};

}  // namespace resplit::topology
