#include "proxy/server/worker.h"

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "proxy/base/error_text.h"
#include "proxy/base/log.h"
#include "proxy/server/client_session.h"

namespace resplit::server {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr size_t kReadBufferSize = 16 * 1024;
constexpr size_t kMaxFreeBuffers = 64;

}  // namespace

Worker::Worker(int index, SharedState& shared)
    : index_(index),
      shared_(shared),
      stats_(*shared.worker_stats.at(static_cast<size_t>(index))),
      acceptor_(io_),
      config_(shared.config),
      commands_(shared.commands),
      topology_(shared.topology),
      tls_(shared.tls) {}

Worker::~Worker() {
  stop();
  join();
}

void Worker::start(const tcp::endpoint& endpoint) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  // Every worker listens on the same port; the kernel spreads new connections over them.
  const int one = 1;
  if (::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    throw std::system_error(errno, std::generic_category(), "SO_REUSEPORT");
  }
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  asio::co_spawn(io_, accept_loop(), asio::detached);
  asio::co_spawn(io_, idle_loop(), asio::detached);
  thread_ = std::thread([this] {
    try {
      io_.run();
    } catch (const std::exception& e) {
      log::error("worker_crashed", {{"worker", index_}, {"error", e.what()}});
      throw;
    }
  });
}

void Worker::stop() {
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    std::vector<ClientSession*> all;
    sessions_.for_each([&](ClientSession& s) { all.push_back(&s); });
    for (ClientSession* s : all) s->close();
    for (auto& p : pools_) {
      if (p) p->close_all(errc::kBackendClosed);
    }
    io_.stop();
  });
}

void Worker::drain() {
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    std::vector<ClientSession*> all;
    sessions_.for_each([&](ClientSession& s) { all.push_back(&s); });
    for (ClientSession* s : all) s->drain();
    asio::co_spawn(io_, drain_loop(), asio::detached);
  });
}

asio::awaitable<void> Worker::drain_loop() {
  asio::steady_timer timer(io_);
  std::vector<ClientSession*> last;
  while (sessions_.size() > 0) {
    size_t busy = 0;
    last.clear();
    sessions_.for_each([&](ClientSession& s) {
      if (s.passthrough()) {
        last.push_back(&s);
      } else {
        ++busy;
      }
    });
    // Subscribers and monitors have nothing to finish; they go once everyone else is done.
    if (busy == 0) {
      for (ClientSession* s : last) s->close();
      co_return;
    }
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

asio::awaitable<void> Worker::accept_loop() {
  asio::steady_timer pause(io_);
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
    if (!acceptor_.is_open()) co_return;
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      // Out of file descriptors (or similar): wait a moment instead of spinning on accept.
      log::warn("accept_failed", {{"worker", index_}, {"error", ec.message()}});
      pause.expires_after(std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    refresh();
    const uint32_t limit = config().listen.max_clients;
    if (shared_.clients.fetch_add(1, std::memory_order_relaxed) >= limit ||
        shared_.draining.load(std::memory_order_relaxed)) {
      shared_.clients.fetch_sub(1, std::memory_order_relaxed);
      // Redis's own words, then close; the write is best effort on a fresh socket. A TLS client
      // gets no words: plain bytes before the handshake would only confuse its TLS layer.
      boost::system::error_code ignored;
      const bool draining = shared_.draining.load(std::memory_order_relaxed);
      const auto text = draining ? text::kShuttingDown : text::kMaxClients;
      stats_.rejected[static_cast<size_t>(draining ? metrics::Rejection::kShuttingDown
                                                   : metrics::Rejection::kMaxClients)]
          .add();
      if (!tls_->server) socket.write_some(asio::buffer(text.data(), text.size()), ignored);
      socket.close(ignored);
      continue;
    }
    stats_.accepted.add();
    auto session = std::make_shared<ClientSession>(*this, std::move(socket));
    session->handle_ = sessions_.add(session.get());
    session->start(tls_->server);
  }
}

asio::awaitable<void> Worker::idle_loop() {
  asio::steady_timer timer(io_);
  std::vector<ClientSession*> idle;
  while (acceptor_.is_open()) {
    timer.expires_after(std::chrono::seconds(1));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    refresh();
    const auto limit = config().listen.idle_timeout;
    if (limit.count() <= 0) continue;
    const auto now = std::chrono::steady_clock::now();
    idle.clear();
    sessions_.for_each([&](ClientSession& s) {
      if (s.idle_for(now) > limit) idle.push_back(&s);
    });
    for (ClientSession* s : idle) {
      stats_.disconnect(metrics::Disconnect::kIdleTimeout);
      s->close();
    }
  }
}

void Worker::session_closed(ClientSession& session) {
  sessions_.remove(session.handle_);
  shared_.clients.fetch_sub(1, std::memory_order_relaxed);
}

void Worker::refresh() {
  config_.refresh();
  commands_.refresh();
  if (topology_.refresh()) reconcile_pools();
  if (tls_.refresh()) {
    // New backend connections use the reloaded contexts; open ones keep theirs.
    for (auto& p : pools_) {
      if (!p) continue;
      backend::ConnectionOptions options = p->connection_options();
      options.tls = tls_->client;
      p->set_connection_options(options);
    }
  }
}

backend::ConnectionOptions Worker::connection_options(const topology::BackendState& b) const {
  const config::Config& c = config();
  backend::ConnectionOptions o;
  o.host = b.address.host;
  o.port = b.address.port;
  o.connect_timeout = c.timeouts.connect;
  o.command_timeout = c.timeouts.command;
  o.tcp_keepalive = std::chrono::duration_cast<std::chrono::seconds>(c.listen.tcp_keepalive);
  o.username = c.auth.backend.username;
  o.password = c.auth.backend.password.value;
  using RoleCheck = backend::ConnectionOptions::RoleCheck;
  o.role_check = b.role == topology::Role::kMaster    ? RoleCheck::kMaster
                 : b.role == topology::Role::kReplica ? RoleCheck::kSyncedReplica
                                                      : RoleCheck::kNone;
  o.tls = tls_->client;
  o.stats = stats_.backend(b.id);
  return o;
}

void Worker::reconcile_pools() {
  const topology::TopologySnapshot& t = topology();
  std::vector<bool> present(pools_.size(), false);
  for (const auto& b : t.backends) {
    if (b.id < present.size()) present[b.id] = true;
    if (b.id < pools_.size() && pools_[b.id]) {
      // A node's role decides what its new connections must prove: that they reach a master, or
      // a replica linked to its master.
      auto options = connection_options(b);
      if (options.role_check != pools_[b.id]->connection_options().role_check) {
        pools_[b.id]->set_connection_options(options);
      }
    }
  }
  for (size_t id = 0; id < pools_.size(); ++id) {
    if (pools_[id] && !present[id]) pools_[id].reset();  // closes its connections
  }
}

backend::BackendPool* Worker::pool(size_t backend_index) {
  const topology::TopologySnapshot& t = topology();
  if (backend_index >= t.backends.size()) return nullptr;
  const topology::BackendState& b = t.backends[backend_index];
  if (b.id >= pools_.size()) pools_.resize(b.id + 1);
  auto& p = pools_[b.id];
  if (!p) {
    const config::Config& c = config();
    backend::PoolOptions po;
    po.shared_connections = c.pool.connections_per_backend;
    po.backoff_min = c.pool.reconnect_backoff_min;
    po.backoff_max = c.pool.reconnect_backoff_max;
    p = std::make_unique<backend::BackendPool>(io_.get_executor(), connection_options(b), po,
                                               *this);
  }
  return p.get();
}

std::span<const uint32_t> Worker::outstanding() {
  const topology::TopologySnapshot& t = topology();
  outstanding_.resize(t.backends.size());
  for (size_t i = 0; i < t.backends.size(); ++i) {
    const auto id = t.backends[i].id;
    outstanding_[i] =
        id < pools_.size() && pools_[id] ? static_cast<uint32_t>(pools_[id]->outstanding()) : 0;
  }
  return outstanding_;
}

std::string Worker::take_buffer() {
  if (free_buffers_.empty()) return std::string(kReadBufferSize, '\0');
  std::string b = std::move(free_buffers_.back());
  free_buffers_.pop_back();
  return b;
}

void Worker::give_buffer(std::string&& buffer) {
  if (buffer.size() == kReadBufferSize && free_buffers_.size() < kMaxFreeBuffers) {
    free_buffers_.push_back(std::move(buffer));
  }
  buffer = std::string();
}

ClientSession* Worker::session_for(const backend::Tag& tag) const {
  return sessions_.find(tag.session, tag.generation);
}

void Worker::on_reply(const backend::Tag& tag, const backend::Reply& reply) {
  if (static_cast<TagKind>(tag.kind) == TagKind::kSwallow) return;
  if (ClientSession* s = session_for(tag)) s->on_reply(tag, reply);
}

void Worker::on_failure(const backend::Tag& tag, errc why, bool sent) {
  if (static_cast<TagKind>(tag.kind) == TagKind::kSwallow) return;
  if (ClientSession* s = session_for(tag)) s->on_failure(tag, why, sent);
}

void Worker::on_push(const backend::Tag& owner, const backend::Reply& reply) {
  if (ClientSession* s = session_for(owner)) s->on_push(reply);
}

void Worker::on_passthrough_closed(const backend::Tag& owner, errc why) {
  if (ClientSession* s = session_for(owner)) s->on_passthrough_closed(why);
}

void Worker::on_read_end() {
  if (flush_list_.empty()) return;
  std::swap(flush_list_, flushing_);
  for (const auto& h : flushing_) {
    if (ClientSession* s = sessions_.find(h.index, h.generation)) s->flush_replies();
  }
  flushing_.clear();
}

}  // namespace resplit::server
