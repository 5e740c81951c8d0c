// Connects Sentinel to the topology monitor: with a `sentinel` section, a SentinelWatcher whose
// trusted master and replica list go to the monitor (which ROLE-checks every address itself), and
// whose view of each Sentinel goes to the status board the metrics read.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>

#include "proxy/config/config.h"
#include "proxy/topology/monitor.h"
#include "proxy/topology/sentinel_watcher.h"

namespace resplit::app {

class SentinelFeed {
 public:
  SentinelFeed(boost::asio::io_context& io, topology::TopologyMonitor& monitor,
               std::shared_ptr<topology::SentinelStatusBoard> status)
      : io_(io), monitor_(monitor), status_(std::move(status)) {}
  ~SentinelFeed() { stop(); }

  // Starts watching as `config` says, or stops when it has no `sentinel` section; a reload with
  // the same Sentinel settings keeps the running watcher and its connections.
  void apply(const config::Config& config, std::shared_ptr<const net::TlsClient> tls = nullptr);
  void stop();

 private:
  boost::asio::io_context& io_;
  topology::TopologyMonitor& monitor_;
  std::shared_ptr<topology::SentinelStatusBoard> status_;
  std::optional<topology::SentinelSettings> settings_;
  std::unique_ptr<topology::SentinelWatcher> watcher_;
};

}  // namespace resplit::app
