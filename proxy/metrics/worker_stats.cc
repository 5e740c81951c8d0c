#include "proxy/metrics/worker_stats.h"

#include <algorithm>

#include "proxy/base/error_text.h"

namespace resplit::metrics {
namespace {

// Bucket bounds in nanoseconds, so that an observation compares integers.
constexpr std::array<int64_t, kDurationBuckets.size()> bounds_ns() {
  std::array<int64_t, kDurationBuckets.size()> out{};
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<int64_t>(kDurationBuckets[i] * 1e9 + 0.5);
  }
  return out;
}
constexpr auto kBoundsNs = bounds_ns();

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// resplit's own failure texts map to results other than "error".
Result result_of(std::string_view reply, ErrorType& type) {
  if (reply.empty() || (reply[0] != '-' && reply[0] != '!')) return Result::kOk;
  if (reply == text::kBackendTimeout) {
    type = ErrorType::kTimeout;
    return Result::kTimeout;
  }
  if (reply == text::kBackendClosed || reply == text::kBackendProtocolError) {
    type = ErrorType::kConnection;
    return Result::kError;
  }
  if (reply == text::kBackendUnavailable || reply == text::kNoMaster ||
      reply == text::kNoRoutableReplica || reply == text::kShuttingDown) {
    type = ErrorType::kConnection;
    return Result::kRejected;
  }
  type = error_type(reply);
  return Result::kError;
}

}  // namespace

size_t command_index(std::string_view name) noexcept {
  for (size_t i = 0; i < kCommandAllowlist.size(); ++i) {
    const std::string_view known = kCommandAllowlist[i];
    if (known.size() != name.size()) continue;
    bool same = true;
    for (size_t k = 0; k < name.size() && same; ++k) {
      const char c = name[k];
      same = (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) == known[k];
    }
    if (same) return i;
  }
  return kOtherCommand;
}

ErrorType error_type(std::string_view reply) noexcept {
  if (!reply.empty() && (reply[0] == '-' || reply[0] == '!')) reply.remove_prefix(1);
  const size_t end = reply.find_first_of(" \r");
  const std::string_view word = reply.substr(0, end);
  for (size_t i = 0; i < static_cast<size_t>(ErrorType::kTimeout); ++i) {
    if (word == kErrorTypeNames[i]) return static_cast<ErrorType>(i);
  }
  if (starts_with(word, "MOVED") || word == "ASK") return ErrorType::kMoved;
  return ErrorType::kOther;
}

void DurationHistogram::observe(int64_t ns) noexcept {
  if (ns < 0) ns = 0;
  const size_t i = static_cast<size_t>(
      std::lower_bound(kBoundsNs.begin(), kBoundsNs.end(), ns) - kBoundsNs.begin());
  buckets[i].add();
  sum_ns.add(static_cast<uint64_t>(ns));
}

void WorkerStats::reply(Route route, bool timed, int64_t elapsed_ns,
                        std::string_view reply) noexcept {
  ErrorType type = ErrorType::kOther;
  const Result result = result_of(reply, type);
  at(commands, route, result).add();
  if (result != Result::kOk) at(errors, route, type).add();
  if (timed) durations[static_cast<size_t>(route)].observe(elapsed_ns);
}

}  // namespace resplit::metrics
