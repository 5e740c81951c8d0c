// One event-loop thread: its own listener on the shared port (SO_REUSEPORT), the client sessions it
// accepted, and its own connections to every backend. Nothing here is touched by another thread
// except through SharedState, so the request path takes no locks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "proxy/backend/pool.h"
#include "proxy/backend/reply_sink.h"
#include "proxy/server/session_table.h"
#include "proxy/server/shared_state.h"

namespace resplit::server {

class ClientSession;

class Worker final : public backend::ReplySink {
 public:
  Worker(int index, SharedState& shared);
  ~Worker() override;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Binds the worker's listener (throws on failure: start-up error) and runs the loop in a thread.
  void start(const boost::asio::ip::tcp::endpoint& endpoint);
  void stop();  // closes everything and joins the thread; callable from any thread
  // Graceful shutdown (any thread): stops accepting, lets every client finish what it has sent,
  // closes subscribed and monitoring clients last.
  void drain();
  void join();

  int index() const { return index_; }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  boost::asio::io_context& io() { return io_; }
  SharedState& shared() { return shared_; }
  metrics::WorkerStats& stats() { return stats_; }

  // Cached views of what the control thread publishes; refresh() once per batch of work.
  void refresh();
  const config::Config& config() const { return *config_; }
  const commands::CommandTable& commands() const { return *commands_; }
  const topology::TopologySnapshot& topology() const { return *topology_; }
  // The view may predate a topology published since; a check that must not act on an older one
  // (and may not refresh: refresh() can close connections) looks at the newest.
  bool topology_stale() const { return topology_.stale(); }
  std::shared_ptr<const topology::TopologySnapshot> latest_topology() const {
    return topology_.latest();
  }

  // The pool of connections to a backend of the current snapshot (made on first use).
  backend::BackendPool* pool(size_t backend_index);
  // The pool of a backend by its id, if this worker has one (the backend may have left).
  backend::BackendPool* pool_by_id(uint32_t id) {
    return id < pools_.size() ? pools_[id].get() : nullptr;
  }
  // Commands in flight per backend index of the current snapshot (for replica selection).
  std::span<const uint32_t> outstanding();
  uint64_t next_ticket() { return ticket_++; }

  SessionTable<ClientSession>& sessions() { return sessions_; }
  void session_closed(ClientSession& session);

  // Reusable read buffers, so idle clients hold none.
  std::string take_buffer();
  void give_buffer(std::string&& buffer);

  // backend::ReplySink
  void on_reply(const backend::Tag& tag, const backend::Reply& reply) override;
  void on_failure(const backend::Tag& tag, errc why, bool sent) override;
  void on_push(const backend::Tag& owner, const backend::Reply& reply) override;
  void on_passthrough_closed(const backend::Tag& owner, errc why) override;
  void on_read_end() override;

  // Writes `session`'s completed replies at the end of the backend read being processed.
  void flush_at_read_end(SessionTable<ClientSession>::Handle session) {
    flush_list_.push_back(session);
  }

 private:
  boost::asio::awaitable<void> accept_loop();
  // Closes clients idle for longer than listen.idle_timeout, as Redis's `timeout` does.
  boost::asio::awaitable<void> idle_loop();
  boost::asio::awaitable<void> drain_loop();
  void reconcile_pools();
  backend::ConnectionOptions connection_options(const topology::BackendState& backend) const;
  ClientSession* session_for(const backend::Tag& tag) const;

  int index_;
  SharedState& shared_;
  metrics::WorkerStats& stats_;  // written only on this worker's thread
  boost::asio::io_context io_{1};
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;

  PublishedView<config::Config> config_;
  PublishedView<commands::CommandTable> commands_;
  PublishedView<topology::TopologySnapshot> topology_;
  PublishedView<net::TlsContexts> tls_;

  SessionTable<ClientSession> sessions_;
  // Pools by BackendId (ids are small and never reused).
  std::vector<std::unique_ptr<backend::BackendPool>> pools_;
  std::vector<uint32_t> outstanding_;
  uint64_t ticket_ = 0;
  std::vector<std::string> free_buffers_;
  // Sessions with replies to write when the current backend read is processed (two lists, swapped,
  // so that they keep their memory).
  std::vector<SessionTable<ClientSession>::Handle> flush_list_;
  std::vector<SessionTable<ClientSession>::Handle> flushing_;
};

}  // namespace resplit::server
