// ClientSession: read-your-writes and WAIT. After a client's write is answered, the master offset
// reported by the probe (ROLE) that followed the write on its connection is what a replica must
// have reached before it may serve this client's reads; until that offset is known, reads go to
// the master. A read may still go to a replica that is not known to be fresh enough, behind a probe
// of its own: if the probe shows the replica had not reached the offset, the read is sent again to
// the master and the replica's answer is dropped.
#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "proxy/backend/handshake.h"
#include "proxy/base/error_text.h"
#include "proxy/resp/reply_writer.h"
#include "proxy/server/client_session.h"
#include "proxy/server/local_commands.h"
#include "proxy/server/worker.h"

namespace resplit::server {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// When the connection that should report a write's offset fails first, the session waits this long
// and then takes the monitor's latest master offset, which by then was sampled after the write.
constexpr auto kLostProbeWait = std::chrono::seconds(1);
constexpr auto kWaitPollInterval = std::chrono::milliseconds(5);

}  // namespace

void ClientSession::note_write_sent(backend::Connection& connection, bool pinned) {
  if (!worker_.config().routing.read_your_writes) return;
  ++writes_in_flight_;
  // Shared connections carry no state, so one probe at the end of the batch serves every write in
  // it. A pinned connection's next command may open a transaction, where a probe would be queued
  // instead of run: its probe goes right behind the write.
  const uint64_t probe = pinned ? connection.probe_now() : connection.probe_after_writes();
  for (WriteMark& m : write_marks_) {
    if (m.connection.lock().get() == &connection) {
      m.probe = probe;
      return;
    }
  }
  write_marks_.push_back({connection.weak_from_this(), probe, {}});
}

void ClientSession::note_write_answered() {
  if (writes_in_flight_ > 0) --writes_in_flight_;
}

void ClientSession::refresh_consistency() {
  if (writes_in_flight_ > 0 || write_marks_.empty()) {
    state_.write_in_flight = writes_in_flight_ > 0 || !write_marks_.empty();
    state_.min_replica_offset = required_offset_;
    return;
  }
  // Every write is answered: the marks' probes (queued after them) tell the offset to require.
  const auto now = Clock::now();
  uint64_t required = 0;
  bool resolved = true;
  for (WriteMark& m : write_marks_) {
    auto connection = m.connection.lock();
    if (connection && connection->probe_done(m.probe) && connection->probe_ok()) {
      required = std::max(required, connection->probe_offset());
      continue;
    }
    if (connection && !connection->closed() && !connection->probe_done(m.probe)) {
      resolved = false;
      continue;
    }
    // The probe will never come (connection gone, or ROLE refused): fall back to the monitor.
    if (m.lost_at == Clock::time_point{}) m.lost_at = now;
    if (now - m.lost_at < kLostProbeWait) {
      resolved = false;
      continue;
    }
    required = std::max(required, worker_.topology().master_offset);
  }
  if (resolved) {
    required_offset_ = std::max(required_offset_, required);
    write_marks_.clear();
  }
  state_.write_in_flight = !resolved;
  state_.min_replica_offset = required_offset_;
}

bool ClientSession::try_probed_read(const routing::Classified& c, const resp::Frame& frame) {
  if (state_.write_in_flight || required_offset_ == 0) return false;
  const topology::TopologySnapshot& topology = worker_.topology();
  if (topology.routable_replicas.empty()) return false;
  routing::Load load{worker_.outstanding(), worker_.next_ticket()};
  const size_t replica = routing::choose_replica(
      topology, 0, worker_.config().routing.replica_selection, load, false);
  if (replica == routing::kNoBackend) return false;
  backend::Connection* connection = shared_connection(replica);
  if (connection == nullptr || !connection->ready()) return false;
  if (channel_ == Channel::kPinned && !queue_.idle()) return false;
  channel_ = Channel::kShared;

  const std::string_view bytes = wire_bytes(frame);
  if (connection->db() != db_) {
    scratch_.clear();
    backend::append_select(scratch_, db_);
    connection->send(scratch_, tag(0, TagKind::kSwallow, 0));
    connection->set_db(db_);
  }
  connection->probe_now();
  const auto seq = take_slot();
  kept_.add(seq, worker_.topology().backends[replica].id, bytes, required_offset_);
  if (!connection->send(bytes, tag(seq, TagKind::kProbedRead, 0))) {
    KeptCommands::Kept dropped;
    kept_.take(seq, dropped);
    queue_.complete(seq, text::kBackendUnavailable);
    after_reply();
  }
  return true;
}

bool ClientSession::finish_probed_read(const backend::Tag& t, const backend::Reply& reply,
                                       bool not_run) {
  KeptCommands::Kept retry;
  if (!kept_.take(t.seq, retry)) return false;
  // The read went out on this session's shared connection to that replica, right behind a probe;
  // replies come in order, so the latest answered probe there is the read's own.
  backend::BackendPool* pool = worker_.pool_by_id(retry.backend_id);
  backend::Connection* from = pool != nullptr ? pool->shared(handle_.index) : nullptr;
  const bool fresh = !not_run && from != nullptr && from->probe_ok() &&
                     from->probe_offset() >= retry.required_offset;
  // A *_RO script the replica never loaded is the master's to run, as with any NOSCRIPT.
  if (fresh && !reply.error_text().starts_with("NOSCRIPT")) return false;  // deliver it
  const auto& topology = worker_.topology();
  if (topology.master) {
    if (backend::Connection* master = shared_connection(*topology.master)) {
      ++stale_probed_reads_;
      send_bytes(*master, retry.command, t.seq, TagKind::kReply, 0, true);
      return true;
    }
  }
  queue_.complete(t.seq, text::kBackendUnavailable);
  after_reply();
  return true;
}

ClientSession::Step ClientSession::wait_for_replicas(std::span<const std::string_view> args) {
  // Redis checks the count first, then the timeout, each with its own words.
  const auto wanted = local::parse_integer(args[1]);
  if (!wanted) {
    reply_now(text::kNotInteger);
    return Step::kNext;
  }
  const auto timeout = local::parse_integer(args[2]);
  if (!timeout) {
    reply_now(text::kTimeoutNotInteger);
    return Step::kNext;
  }
  if (*timeout < 0) {
    reply_now(text::kTimeoutNegative);
    return Step::kNext;
  }
  const auto seq = take_slot();
  // As in Redis, the client's next commands run only after WAIT returns.
  hold_until_idle_ = true;
  // Beyond about 30 years a deadline would overflow the clock: such a wait is as good as endless.
  constexpr int64_t kEndlessMs = 1'000'000'000'000;
  const auto deadline = *timeout == 0 || *timeout > kEndlessMs
                            ? Clock::time_point::max()
                            : Clock::now() + std::chrono::milliseconds(*timeout);
  asio::co_spawn(
      stream_.get_executor(),
      [self = shared_from_this(), seq, n = *wanted, deadline] {
        return self->wait_loop(seq, n, deadline);
      },
      asio::detached);
  return Step::kNext;
}

size_t ClientSession::replicas_at(uint64_t offset) {
  const topology::TopologySnapshot& topology = worker_.topology();
  size_t count = 0;
  for (size_t i = 0; i < topology.backends.size(); ++i) {
    const topology::BackendState& b = topology.backends[i];
    if (b.role != topology::Role::kReplica || !b.reachable) continue;
    uint64_t known = b.offset;
    if (backend::BackendPool* pool = worker_.pool(i)) {
      if (backend::Connection* c = pool->shared(handle_.index); c && c->probe_ok()) {
        known = std::max(known, c->probe_offset());
      }
    }
    if (known >= offset) ++count;
  }
  return count;
}

void ClientSession::probe_replicas() {
  const topology::TopologySnapshot& topology = worker_.topology();
  for (size_t i = 0; i < topology.backends.size(); ++i) {
    if (topology.backends[i].role != topology::Role::kReplica) continue;
    if (backend::Connection* c = shared_connection(i); c && c->ready()) {
      c->probe_now();  // reuses a probe still waiting at the end of the queue
    }
  }
}

asio::awaitable<void> ClientSession::wait_loop(ReplyQueue::Seq seq, int64_t wanted,
                                                Clock::time_point deadline) {
  asio::steady_timer timer(stream_.get_executor());
  size_t count = 0;
  while (!closed_) {
    worker_.refresh();
    refresh_consistency();
    if (!state_.write_in_flight) {
      count = replicas_at(required_offset_);
      if (static_cast<int64_t>(count) >= wanted) break;
      probe_replicas();
    }
    const auto now = Clock::now();
    if (now >= deadline) break;
    timer.expires_at(std::min(deadline, now + kWaitPollInterval));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (closed_) co_return;
  scratch_.clear();
  resp::ReplyWriter(scratch_).integer(static_cast<int64_t>(count));
  queue_.complete(seq, scratch_);
  after_reply();
}

}  // namespace resplit::server
