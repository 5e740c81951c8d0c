// The admin HTTP server (Boost.Beast) on the control thread's io_context: /metrics, /healthz,
// /readyz, /topology, POST /quitquitquit and POST /reload (see endpoints.h). Each connection has a
// deadline for every request, requests are size-limited, and only a few connections are served at
// once, so a slow or hostile admin client costs the proxy nothing; the workers never wait for it.
#pragma once

#include <cstddef>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "proxy/admin/endpoints.h"

namespace resplit::admin {

struct ServerLimits {
  size_t max_connections = 16;
  std::chrono::milliseconds request_timeout{5000};  // to read one whole request
  uint32_t header_limit = 8 * 1024;
  uint64_t body_limit = 64 * 1024;
};

class AdminServer {
 public:
  AdminServer(boost::asio::io_context& io, Endpoints endpoints, ServerLimits limits = {});
  ~AdminServer();

  // Binds (throws std::runtime_error with a clear message) and starts accepting.
  void start(const std::string& host, uint16_t port);
  void stop();
  uint16_t port() const { return port_; }

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  Endpoints endpoints_;
  ServerLimits limits_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  size_t connections_ = 0;
  uint16_t port_ = 0;
};

}  // namespace resplit::admin
