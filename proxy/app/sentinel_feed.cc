#include "proxy/app/sentinel_feed.h"

namespace resplit::app {

void SentinelFeed::apply(const config::Config& config,
                         std::shared_ptr<const net::TlsClient> tls) {
  std::optional<topology::SentinelSettings> next;
  if (config.sentinel) next = topology::sentinel_settings_from(config, std::move(tls));
  if (next == settings_) return;
  stop();
  settings_ = std::move(next);
  if (!settings_) return;
  topology::TopologyMonitor& monitor = monitor_;
  watcher_ = std::make_unique<topology::SentinelWatcher>(
      io_, *settings_,
      [&monitor](topology::Address a, std::string source) {
        monitor.set_master_address(std::move(a), std::move(source));
      },
      [&monitor](std::vector<topology::Address> list, std::string source) {
        monitor.set_replica_addresses(std::move(list), std::move(source));
      },
      [&monitor](std::string source) { monitor.hold_writes(std::move(source)); },
      [board = status_, generation = status_->restart()](topology::SentinelStatusList list) {
        board->publish(generation, std::move(list));
      });
  watcher_->start();
}

void SentinelFeed::stop() {
  if (watcher_) watcher_->stop();
  watcher_.reset();
  settings_.reset();
  status_->restart();
}

}  // namespace resplit::app
