// What all workers share with the control thread: the configuration in force and its TLS contexts,
// the command table, the
// topology snapshot (each published by one thread and cached by workers, see Published), client ids
// and the number of connected clients (max_clients spans every worker), and every worker's counters
// (made before the workers start, kept after they stop, so a metrics scrape may read them any time).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "proxy/base/published.h"
#include "proxy/commands/command_table.h"
#include "proxy/config/config.h"
#include "proxy/metrics/worker_stats.h"
#include "proxy/net/tls_contexts.h"
#include "proxy/topology/snapshot.h"

namespace resplit::server {

struct SharedState {
  explicit SharedState(std::shared_ptr<const config::Config> initial)
      : config(std::move(initial)), commands(commands::CommandTable::builtin()) {}

  Published<config::Config> config;
  Published<commands::CommandTable> commands;
  // Empty (no master, no replica) until the monitor's first publication: workers accept clients
  // before the monitor has run, and must never see no snapshot at all.
  Published<topology::TopologySnapshot> topology{
      std::make_shared<const topology::TopologySnapshot>()};

  // The TLS contexts of the configuration in force (published before it); none until set.
  Published<net::TlsContexts> tls{std::make_shared<const net::TlsContexts>()};

  std::atomic<uint64_t> next_client_id{1};
  std::atomic<uint32_t> clients{0};
  std::atomic<bool> draining{false};
  std::vector<std::unique_ptr<metrics::WorkerStats>> worker_stats;
};

}  // namespace resplit::server
