// The running part of TopologyMonitor: on one strand, a round every health_check.interval (with
// jitter) polls every backend at the same moment, feeds the results to TopologyState and
// publishes the snapshot when the picture changed; DNS discovery re-resolves on its own timer.
// Coroutines hold a shared_ptr to it, so it outlives the monitor object until they end.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "proxy/base/clock.h"
#include "proxy/base/published.h"
#include "proxy/config/config.h"
#include "proxy/topology/poller.h"
#include "proxy/topology/resolver.h"
#include "proxy/topology/snapshot.h"
#include "proxy/topology/topology_state.h"

namespace resplit::topology {

class MonitorCore : public std::enable_shared_from_this<MonitorCore> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  MonitorCore(boost::asio::io_context& io, std::shared_ptr<const config::Config> config,
              Published<TopologySnapshot>& out, const Clock& clock,
              std::shared_ptr<Resolver> resolver);

  // Each must run on the strand (TopologyMonitor posts them there).
  void start();
  void stop();
  void apply(std::shared_ptr<const config::Config> config);
  void set_tls(std::shared_ptr<const net::TlsClient> tls);
  void set_master_address(const Address& address, const std::string& source);
  void hold_writes(const std::string& source);
  void set_replica_addresses(const std::vector<Address>& addresses, const std::string& source);

  const Strand& strand() const { return strand_; }

 private:
  struct Slot {
    BackendId id = 0;
    std::unique_ptr<Poller> poller;
    bool busy = false;
  };

  boost::asio::awaitable<void> round_loop();
  boost::asio::awaitable<void> dns_loop();
  boost::asio::awaitable<void> poll_one(std::shared_ptr<Slot> slot, uint64_t round);
  void on_poll_done(const std::shared_ptr<Slot>& slot, uint64_t round, PollResult result);
  size_t start_round();
  void close_round();
  void reconcile();
  void publish();
  void apply_replica_config();
  void poll_now();
  Clock::duration jittered_interval();

  Strand strand_;
  std::shared_ptr<const config::Config> config_;
  Published<TopologySnapshot>& out_;
  const Clock& clock_;
  std::shared_ptr<Resolver> resolver_;
  TopologyState state_;
  std::shared_ptr<const net::TlsClient> tls_;
  PollerSettings poller_settings_;
  std::map<BackendId, std::shared_ptr<Slot>> slots_;

  boost::asio::steady_timer wake_timer_;   // between rounds; cancelled to poll at once
  boost::asio::steady_timer round_timer_;  // a round's wait for its polls
  boost::asio::steady_timer dns_timer_;
  uint64_t round_ = 0;
  size_t pending_ = 0;
  bool round_open_ = false;
  bool poll_now_ = false;
  bool started_ = false;
  bool stopped_ = false;
  uint64_t version_ = 0;
  std::optional<TopologySnapshot> published_;
  std::minstd_rand jitter_;
};

}  // namespace resplit::topology
