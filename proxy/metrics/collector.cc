#include "proxy/metrics/collector.h"

#include <cmath>
#include <limits>
#include <string>

#include "proxy/base/version.h"
#include "proxy/metrics/family_builder.h"

namespace resplit::metrics {
namespace {

using Workers = std::vector<const WorkerStats*>;
using prometheus::MetricFamily;

template <typename F>
double sum(const Workers& workers, F&& cell) {
  uint64_t total = 0;
  for (const WorkerStats* w : workers) total += cell(*w).get();
  return static_cast<double>(total);
}

double unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

std::vector<MetricFamily> Collector::Collect() const {
  std::vector<MetricFamily> out;
  const Workers workers = sources_.workers ? sources_.workers() : Workers{};

  const std::string revision(git_revision());
  out.push_back(FamilyBuilder(Family::kBuildInfo)
                    .add(1, {{"version", kVersion}, {"revision", revision}})
                    .take());

  const ReloadInfo reload = sources_.reload ? sources_.reload() : ReloadInfo{};
  out.push_back(
      FamilyBuilder(Family::kConfigLastReloadSuccessful).add(reload.last_ok ? 1 : 0).take());
  out.push_back(FamilyBuilder(Family::kConfigLastReloadSuccessTimestamp)
                    .add(unix_seconds(reload.last_success))
                    .take());
  out.push_back(FamilyBuilder(Family::kConfigReloads)
                    .add(static_cast<double>(reload.successes), {{"result", "success"}})
                    .add(static_cast<double>(reload.failures), {{"result", "failure"}})
                    .take());

  collect_clients(out, workers);
  collect_commands(out, workers);
  const topology::SnapshotPtr topology = sources_.topology ? sources_.topology() : nullptr;
  collect_backends(out, workers, topology ? *topology : topology::TopologySnapshot{});
  collect_sentinels(out);
  collect_process(out);
  return out;
}

void Collector::collect_clients(std::vector<MetricFamily>& out, const Workers& workers) const {
  const double open = sources_.client_connections ? sources_.client_connections() : 0;
  out.push_back(FamilyBuilder(Family::kClientConnections).add(open).take());
  auto total = [&](Counter64 WorkerStats::*field) {
    return sum(workers, [field](const WorkerStats& w) -> auto& { return w.*field; });
  };
  out.push_back(
      FamilyBuilder(Family::kClientConnectionsAccepted).add(total(&WorkerStats::accepted)).take());
  FamilyBuilder rejected(Family::kClientConnectionsRejected);
  for (size_t i = 0; i < count_of<Rejection>(); ++i) {
    rejected.add(sum(workers, [i](const WorkerStats& w) -> auto& { return w.rejected[i]; }),
                 {{"reason", kRejectionNames[i]}});
  }
  out.push_back(rejected.take());
  FamilyBuilder disconnects(Family::kClientDisconnects);
  for (size_t i = 0; i < count_of<Disconnect>(); ++i) {
    disconnects.add(
        sum(workers, [i](const WorkerStats& w) -> auto& { return w.disconnected[i]; }),
        {{"reason", kDisconnectNames[i]}});
  }
  out.push_back(disconnects.take());
  out.push_back(FamilyBuilder(Family::kClientProtocolErrors)
                    .add(total(&WorkerStats::protocol_errors))
                    .take());
  out.push_back(FamilyBuilder(Family::kClientReceivedBytes)
                    .add(total(&WorkerStats::received_bytes))
                    .take());
  out.push_back(
      FamilyBuilder(Family::kClientSentBytes).add(total(&WorkerStats::sent_bytes)).take());
}

void Collector::collect_commands(std::vector<MetricFamily>& out, const Workers& workers) const {
  FamilyBuilder in_flight(Family::kCommandsInFlight);
  FamilyBuilder commands(Family::kCommands);
  FamilyBuilder durations(Family::kCommandDuration);
  FamilyBuilder routing(Family::kRoutingDecisions);
  FamilyBuilder errors(Family::kCommandErrors);
  for (size_t r = 0; r < count_of<Route>(); ++r) {
    const std::string_view route = kRouteNames[r];
    int64_t waiting = 0;
    for (const WorkerStats* w : workers) waiting += w->in_flight[r].get();
    in_flight.add(static_cast<double>(waiting), {{"route", route}});
    for (size_t k = 0; k < count_of<Result>(); ++k) {
      commands.add(sum(workers, [&](const WorkerStats& w) -> auto& { return w.commands[r][k]; }),
                   {{"route", route}, {"result", kResultNames[k]}});
    }
    for (size_t k = 0; k < count_of<Reason>(); ++k) {
      routing.add(sum(workers, [&](const WorkerStats& w) -> auto& { return w.routing[r][k]; }),
                  {{"route", route}, {"reason", kReasonNames[k]}});
    }
    for (size_t k = 0; k < count_of<ErrorType>(); ++k) {
      errors.add(sum(workers, [&](const WorkerStats& w) -> auto& { return w.errors[r][k]; }),
                 {{"route", route}, {"type", kErrorTypeNames[k]}});
    }
    prometheus::ClientMetric& m = durations.add_metric({{"route", route}});
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kDurationBuckets.size(); ++b) {
      for (const WorkerStats* w : workers) cumulative += w->durations[r].buckets[b].get();
      const double bound = b < kDurationBuckets.size() ? kDurationBuckets[b]
                                                       : std::numeric_limits<double>::infinity();
      m.histogram.bucket.push_back({cumulative, bound});
    }
    m.histogram.sample_count = cumulative;
    m.histogram.sample_sum =
        sum(workers, [&](const WorkerStats& w) -> auto& { return w.durations[r].sum_ns; }) / 1e9;
  }
  out.push_back(in_flight.take());
  out.push_back(commands.take());
  out.push_back(durations.take());
  out.push_back(routing.take());
  out.push_back(errors.take());
  out.push_back(FamilyBuilder(Family::kReadsRetried)
                    .add(sum(workers, [](const WorkerStats& w) -> auto& { return w.reads_retried; }))
                    .take());

  if (sources_.per_command && sources_.per_command()) {
    FamilyBuilder by_name(Family::kCommandsByName);
    for (size_t c = 0; c <= kCommandAllowlist.size(); ++c) {
      const std::string_view name = c < kCommandAllowlist.size() ? kCommandAllowlist[c] : "other";
      for (size_t r = 0; r < count_of<Route>(); ++r) {
        by_name.add(sum(workers, [&](const WorkerStats& w) -> auto& { return w.by_name[c][r]; }),
                    {{"command", name}, {"route", kRouteNames[r]}});
      }
    }
    out.push_back(by_name.take());
  }
}

}  // namespace resplit::metrics
