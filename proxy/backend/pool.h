// All connections one worker keeps to one backend: a few shared connections that carry many clients'
// commands, and pinned connections lent to one client at a time (transactions, blocking commands,
// pub/sub). Reconnects lazily, with exponential backoff and jitter after failed connects, and fails
// fast (nullptr) while backing off so that commands are not queued for a backend that is down.
#pragma once

#include <chrono>
#include <memory>
#include <random>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "proxy/backend/connection.h"
#include "proxy/backend/reply_sink.h"

namespace resplit::backend {

struct PoolOptions {
  size_t shared_connections = 2;
  size_t max_idle_pinned = 4;
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{2000};
};

class BackendPool {
 public:
  using Clock = std::chrono::steady_clock;

  BackendPool(boost::asio::any_io_executor executor, ConnectionOptions connection,
              PoolOptions options, ReplySink& sink);
  ~BackendPool();
  BackendPool(const BackendPool&) = delete;
  BackendPool& operator=(const BackendPool&) = delete;

  // The shared connection for `affinity` (a client keeps the same one, so its commands to this
  // backend stay in order), connecting if needed; nullptr while backing off after failed connects.
  Connection* shared(uint32_t affinity);

  // A connection for one client's exclusive use; nullptr while backing off.
  std::shared_ptr<Connection> acquire_pinned();
  // Gives a pinned connection back; a clean one (no state, nothing waiting) may be kept for reuse.
  void release_pinned(std::shared_ptr<Connection> connection, bool clean);

  // Commands waiting for replies on the shared connections (least-outstanding replica choice).
  size_t outstanding() const;
  bool backing_off() const { return Clock::now() < retry_at_; }

  // Applies to connections made from now on (e.g. the role check after a failover).
  void set_connection_options(const ConnectionOptions& options) { connection_ = options; }
  const ConnectionOptions& connection_options() const { return connection_; }

  void close_all(errc why);

 private:
  std::shared_ptr<Connection> connect();
  void note_closed(const Connection& connection);

  boost::asio::any_io_executor executor_;
  ConnectionOptions connection_;
  PoolOptions options_;
  ReplySink& sink_;
  std::vector<std::shared_ptr<Connection>> shared_;
  std::vector<std::shared_ptr<Connection>> idle_pinned_;
  Clock::time_point retry_at_{};
  std::chrono::milliseconds backoff_{0};
  std::minstd_rand jitter_;
};

}  // namespace resplit::backend
