// ClientSession: counting each command where its route is decided and each reply as it arrives,
// into the worker's own counters (no locks, no allocation, no label lookups).
#include "proxy/metrics/worker_stats.h"
#include "proxy/server/client_session.h"
#include "proxy/server/worker.h"

namespace resplit::server {
namespace {

using routing::CommandKind;
using routing::Destination;

// A command whose wait is the client's choice, not latency.
bool blocks(CommandKind kind) {
  return kind == CommandKind::kBlocking || kind == CommandKind::kWait ||
         kind == CommandKind::kSubscribe || kind == CommandKind::kMonitor;
}

}  // namespace

void ClientSession::meter_route(const routing::Route& route, const routing::Classified& c,
                                const resp::Frame& frame) {
#ifdef RESPLIT_NO_METRICS
  return;
#endif
  const topology::TopologySnapshot& t = worker_.topology();
  metrics::Route where = metrics::Route::kMaster;
  switch (route.destination) {
    case Destination::kLocal:
    case Destination::kError:
      where = metrics::Route::kLocal;
      break;
    case Destination::kMaster:
    case Destination::kFanout:
      break;
    case Destination::kReplica:
      where = metrics::Route::kReplica;
      break;
    case Destination::kPinned: {
      const topology::BackendState* master = t.master_state();
      const bool on_replica = pinned_ ? master == nullptr || master->id != pinned_backend_id_
                                      : route.backend != routing::kNoBackend &&
                                            (!t.master || route.backend != *t.master);
      if (on_replica) where = metrics::Route::kReplica;
      break;
    }
  }
  meter_.route = static_cast<uint8_t>(where);
  meter_.timed = state_.in_multi || !blocks(c.kind);
  metrics::WorkerStats& stats = worker_.stats();
  stats.route(where, route.reason);
  if (worker_.config().metrics.per_command && !frame.args.empty()) {
    stats.by_name[metrics::command_index(frame.args[0])][static_cast<size_t>(where)].add();
  }
}

void ClientSession::on_complete(const SlotMeter& meter, std::string_view reply) {
  int64_t elapsed_ns = 0;
  if (meter.timed) {
    elapsed_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::steady_clock::now() - meter.start)
                     .count();
  }
  metrics::WorkerStats& stats = worker_.stats();
  stats.in_flight[meter.route].sub();
  stats.reply(static_cast<metrics::Route>(meter.route), meter.timed, elapsed_ns, reply);
}

void ClientSession::on_abandon(const SlotMeter& meter) {
  worker_.stats().in_flight[meter.route].sub();
}

}  // namespace resplit::server
