#include "proxy/topology/monitor.h"

#include <boost/asio/post.hpp>

#include "proxy/topology/monitor_core.h"

namespace resplit::topology {

TopologyMonitor::TopologyMonitor(boost::asio::io_context& io,
                                 std::shared_ptr<const config::Config> config,
                                 Published<TopologySnapshot>& out, const Clock& clock,
                                 std::shared_ptr<Resolver> resolver)
    : core_(std::make_shared<MonitorCore>(io, std::move(config), out, clock, std::move(resolver))) {
}

TopologyMonitor::~TopologyMonitor() {
  stop();
}

void TopologyMonitor::start() {
  boost::asio::post(core_->strand(), [core = core_] { core->start(); });
}

void TopologyMonitor::stop() {
  boost::asio::post(core_->strand(), [core = core_] { core->stop(); });
}

void TopologyMonitor::apply(std::shared_ptr<const config::Config> config) {
  boost::asio::post(core_->strand(),
                    [core = core_, config = std::move(config)] { core->apply(config); });
}

void TopologyMonitor::set_tls(std::shared_ptr<const net::TlsClient> tls) {
  boost::asio::post(core_->strand(), [core = core_, tls = std::move(tls)] { core->set_tls(tls); });
}

void TopologyMonitor::set_master_address(Address address, std::string source) {
  boost::asio::post(core_->strand(),
                    [core = core_, address = std::move(address), source = std::move(source)] {
                      core->set_master_address(address, source);
                    });
}

void TopologyMonitor::hold_writes(std::string source) {
  boost::asio::post(core_->strand(),
                    [core = core_, source = std::move(source)] { core->hold_writes(source); });
}

void TopologyMonitor::set_replica_addresses(std::vector<Address> addresses, std::string source) {
  boost::asio::post(core_->strand(),
                    [core = core_, addresses = std::move(addresses), source = std::move(source)] {
                      core->set_replica_addresses(addresses, source);
                    });
}

}  // namespace resplit::topology
