// The scrape-time side of resplit's metrics: a prometheus-cpp Collectable that sums every worker's
// WorkerStats and reads the published topology, reload state and /proc when Prometheus asks, so the
// request path never touches a prometheus-cpp object (which locks per observation).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "proxy/metrics/worker_stats.h"
#include "proxy/topology/sentinel_status.h"
#include "proxy/topology/snapshot.h"

namespace resplit::metrics {

struct ReloadInfo {
  uint64_t successes = 0;
  uint64_t failures = 0;
  bool last_ok = true;
  std::chrono::system_clock::time_point last_success{};
};

// Where the collector reads from; each getter is called on the scraping thread.
struct Sources {
  // Every worker's stats; the objects must outlive the collector's use.
  std::function<std::vector<const WorkerStats*>()> workers;
  std::function<topology::SnapshotPtr()> topology;
  std::function<ReloadInfo()> reload;
  std::function<uint64_t()> client_connections;
  std::function<bool()> per_command;
  // What each Sentinel answered; null (or unset) without a `sentinel` section.
  std::function<std::shared_ptr<const topology::SentinelStatusList>()> sentinels;
};

class Collector final : public prometheus::Collectable {
 public:
  explicit Collector(Sources sources) : sources_(std::move(sources)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  void collect_clients(std::vector<prometheus::MetricFamily>& out,
                       const std::vector<const WorkerStats*>& workers) const;
  void collect_commands(std::vector<prometheus::MetricFamily>& out,
                        const std::vector<const WorkerStats*>& workers) const;
  void collect_backends(std::vector<prometheus::MetricFamily>& out,
                        const std::vector<const WorkerStats*>& workers,
                        const topology::TopologySnapshot& topology) const;
  void collect_sentinels(std::vector<prometheus::MetricFamily>& out) const;

  Sources sources_;
};

// process_* metrics from /proc/self (Linux).
void collect_process(std::vector<prometheus::MetricFamily>& out);

}  // namespace resplit::metrics
