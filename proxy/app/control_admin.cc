// Control: the admin server and the facts it reports (metrics, readiness, topology).
#include <sstream>

#include <prometheus/text_serializer.h>

#include "proxy/admin/topology_json.h"
#include "proxy/app/control.h"
#include "proxy/base/log.h"

namespace resplit::app {

void Control::start_admin() {
  metrics::Sources sources;
  sources.workers = [this] {
    std::vector<const metrics::WorkerStats*> out;
    for (const auto& w : shared_.worker_stats) out.push_back(w.get());
    return out;
  };
  sources.topology = [this] { return shared_.topology.get(); };
  sources.reload = [this] {
    const ReloadState r = reload_state();
    return metrics::ReloadInfo{r.successes, r.failures, r.last_ok, r.last_success};
  };
  sources.client_connections = [this] { return shared_.clients.load(std::memory_order_relaxed); };
  sources.per_command = [this] { return shared_.config.get()->metrics.per_command; };
  sources.sentinels = [board = sentinel_status_] { return board->get(); };
  collector_ = std::make_unique<metrics::Collector>(std::move(sources));

  const auto config = shared_.config.get();
  if (!config->admin.address) return;
  admin::Endpoints endpoints;
  endpoints.metrics = [this] { return metrics_text(); };
  endpoints.readiness = [this] { return readiness(); };
  endpoints.topology = [this] { return topology_text(); };
  endpoints.quit = [this] {
    log::info("shutdown_requested", {{"source", "admin"}});
    request_shutdown();
  };
  endpoints.reload = [this] {
    admin::ReloadOutcome outcome;
    std::string notes;
    outcome.ok = reload(&notes);
    outcome.message = outcome.ok ? "reloaded" + (notes.empty() ? "" : ": " + notes) : notes;
    return outcome;
  };
  admin_ = std::make_unique<admin::AdminServer>(io_, std::move(endpoints));
  admin_->start(config->admin.address->host, config->admin.address->port);
}

admin::Readiness Control::readiness() const {
  if (draining_ || shared_.draining.load()) return {false, "draining"};
  const auto config = shared_.config.get();
  const auto topology = shared_.topology.get();
  if (config->readiness.require_master) {
    const topology::BackendState* master = topology ? topology->master_state() : nullptr;
    if (master == nullptr) return {false, "no master known"};
    if (!master->reachable) return {false, "master unreachable"};
  }
  if (config->readiness.require_replica && (!topology || topology->routable_replicas.empty())) {
    return {false, "no routable replica"};
  }
  return {true, "ready"};
}

std::string Control::metrics_text() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, collector_->Collect());
  return out.str();
}

std::string Control::topology_text() const {
  const auto topology = shared_.topology.get();
  if (!topology) return "{\"backends\":[]}\n";
  const auto sentinels = sentinel_status_->get();
  return admin::topology_json(
      *topology,
      [this](topology::BackendId id) -> int64_t {
        int64_t total = 0;
        if (id >= metrics::kMaxBackends) return 0;
        for (const auto& w : shared_.worker_stats) total += w->backends[id].connections.get();
        return total;
      },
      sentinels.get());
}

}  // namespace resplit::app
