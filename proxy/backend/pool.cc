#include "proxy/backend/pool.h"

#include <algorithm>

namespace resplit::backend {

BackendPool::BackendPool(boost::asio::any_io_executor executor, ConnectionOptions connection,
                         PoolOptions options, ReplySink& sink)
    : executor_(std::move(executor)),
      connection_(std::move(connection)),
      options_(options),
      sink_(sink),
      shared_(std::max<size_t>(1, options.shared_connections)),
      jitter_(static_cast<unsigned>(
          std::hash<std::string>{}(connection_.host) ^ connection_.port ^
          static_cast<unsigned>(Clock::now().time_since_epoch().count()))) {}

BackendPool::~BackendPool() { close_all(errc::kBackendClosed); }

void BackendPool::note_closed(const Connection& connection) {
  if (connection.was_ready()) {
    // It worked before: try again at once, the backend may only have dropped this connection.
    backoff_ = std::chrono::milliseconds(0);
    return;
  }
  backoff_ = backoff_.count() == 0 ? options_.backoff_min
                                   : std::min(backoff_ * 2, options_.backoff_max);
  // Full jitter in [backoff/2, backoff] keeps many workers and proxies from reconnecting in step.
  const auto half = backoff_.count() / 2;
  const auto wait = std::chrono::milliseconds(half + (half > 0 ? jitter_() % (half + 1) : 0));
  retry_at_ = Clock::now() + wait;
}

std::shared_ptr<Connection> BackendPool::connect() {
  auto connection = std::make_shared<Connection>(executor_, connection_, sink_);
  connection->start();
  return connection;
}

Connection* BackendPool::shared(uint32_t affinity) {
  auto& slot = shared_[affinity % shared_.size()];
  if (slot && !slot->closed()) return slot.get();
  if (slot) {
    note_closed(*slot);
    slot.reset();
  }
  if (backing_off()) return nullptr;
  slot = connect();
  return slot.get();
}

std::shared_ptr<Connection> BackendPool::acquire_pinned() {
  while (!idle_pinned_.empty()) {
    auto connection = std::move(idle_pinned_.back());
    idle_pinned_.pop_back();
    if (!connection->closed()) return connection;
  }
  if (backing_off()) return nullptr;
  return connect();
}

void BackendPool::release_pinned(std::shared_ptr<Connection> connection, bool clean) {
  if (!connection) return;
  if (connection->closed()) {
    note_closed(*connection);
    return;
  }
  if (clean && connection->outstanding() == 0 && !connection->passthrough() &&
      idle_pinned_.size() < options_.max_idle_pinned) {
    idle_pinned_.push_back(std::move(connection));
    return;
  }
  connection->close(errc::kBackendClosed);
}

size_t BackendPool::outstanding() const {
  size_t total = 0;
  for (const auto& c : shared_) {
    if (c) total += c->outstanding();
  }
  return total;
}

void BackendPool::close_all(errc why) {
  for (auto& c : shared_) {
    if (c) c->close(why);
    c.reset();
  }
  for (auto& c : idle_pinned_) c->close(why);
  idle_pinned_.clear();
}

}  // namespace resplit::backend
