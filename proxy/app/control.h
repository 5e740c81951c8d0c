// The control side of a running resplit: its own thread of events (signals, the topology monitor,
// configuration reloads, the admin server) beside the worker threads. It turns SIGTERM/SIGINT into a
// graceful drain (a second signal or the drain deadline closes everything at once) and SIGHUP or a
// change of the configuration file into an all-or-nothing reload.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "proxy/admin/admin_server.h"
#include "proxy/app/config_watcher.h"
#include "proxy/app/sentinel_feed.h"
#include "proxy/cli/command_line.h"
#include "proxy/metrics/collector.h"
#include "proxy/net/tls_contexts.h"
#include "proxy/server/server.h"
#include "proxy/server/shared_state.h"
#include "proxy/topology/monitor.h"

namespace resplit::app {

class Control {
 public:
  Control(cli::Options options, std::shared_ptr<const config::Config> config,
          net::TlsContexts tls = {});
  ~Control();

  // Starts everything and runs until shut down; returns the process exit code.
  int run();

  // Thread-safe: what SIGTERM does (graceful drain), and what SIGHUP does (reload).
  void request_shutdown();
  void request_reload();

  // The outcome of the last reload (for metrics and the admin server).
  struct ReloadState {
    uint64_t successes = 0;
    uint64_t failures = 0;
    bool last_ok = true;
    std::chrono::system_clock::time_point last_success = std::chrono::system_clock::now();
  };
  ReloadState reload_state() const;

  server::SharedState& shared() { return shared_; }
  boost::asio::io_context& io() { return io_; }

 private:
  void on_signal(int signal);
  void begin_drain();
  void finish();
  // Reloads the configuration file; on failure `errors` gets the configuration errors.
  bool reload(std::string* errors = nullptr);
  // The admin server and what it reports (control_admin.cc).
  void start_admin();
  admin::Readiness readiness() const;
  std::string metrics_text() const;
  std::string topology_text() const;
  void watch_signals();
  void poll_drain();

  cli::Options options_;
  boost::asio::io_context io_;
  server::SharedState shared_;
  server::Server server_;
  std::unique_ptr<topology::TopologyMonitor> monitor_;
  std::unique_ptr<SentinelFeed> sentinel_feed_;
  // Outlives the feed's watchers and is read by the metrics collector from the start.
  std::shared_ptr<topology::SentinelStatusBoard> sentinel_status_ =
      std::make_shared<topology::SentinelStatusBoard>();
  std::unique_ptr<ConfigWatcher> watcher_;
  std::unique_ptr<metrics::Collector> collector_;
  std::unique_ptr<admin::AdminServer> admin_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer drain_timer_;
  std::chrono::steady_clock::time_point drain_deadline_{};
  bool draining_ = false;
  bool finished_ = false;

  mutable std::mutex reload_mutex_;
  ReloadState reload_state_;
};

}  // namespace resplit::app
