#include "proxy/server/server.h"

#include <thread>

#include <boost/asio/ip/address.hpp>

#include "proxy/base/log.h"

namespace resplit::server {

namespace asio = boost::asio;

Server::Server(SharedState& shared) : shared_(shared) {}

Server::~Server() { stop(); }

void Server::start() {
  const auto config = shared_.config.get();
  size_t count = config->listen.workers;
  if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(config->listen.address.host, ec);
  if (ec) {
    throw std::runtime_error("listen.address: '" + config->listen.address.host +
                             "' is not an IP address");
  }
  asio::ip::tcp::endpoint endpoint(address, config->listen.address.port);
  while (shared_.worker_stats.size() < count) {
    shared_.worker_stats.push_back(std::make_unique<metrics::WorkerStats>());
  }
  for (size_t i = 0; i < count; ++i) {
    auto worker = std::make_unique<Worker>(static_cast<int>(i), shared_);
    try {
      worker->start(endpoint);
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot listen on " + config->listen.address.to_string() + ": " +
                               e.what());
    }
    // With port 0 the first worker picks a port; the others must join it.
    if (endpoint.port() == 0) endpoint.port(worker->port());
    workers_.push_back(std::move(worker));
  }
  port_ = endpoint.port();
  log::info("listening", {{"address", config->listen.address.host},
                          {"port", port_},
                          {"workers", workers_.size()}});
}

void Server::drain() {
  for (auto& w : workers_) w->drain();
}

void Server::stop() {
  for (auto& w : workers_) w->stop();
  for (auto& w : workers_) w->join();
  workers_.clear();
}

}  // namespace resplit::server
