// ClientSession: writes across a failover. A write is sent at most once, except when the master
// refused it without running it (READONLY from a demoted master, NOREPLICAS, MASTERDOWN, LOADING) or
// it never left resplit (the connection failed before the write was handed to the socket). Those
// wait, for at most timeouts.failover_wait, until the topology names a master that can take them,
// and are then sent there in their original order. Meanwhile the client's later commands wait too,
// so nothing it sends later can overtake them. A write whose outcome is unknown (sent, then the
// connection failed or timed out) is never sent again. A write answered by a node that has stopped
// being the trusted master since it was sent (a hung master waking up while Sentinel fails it
// over, or after) may have run after the promotion, which the next master never gets: the
// client hears "outcome unknown", not the node's OK. A read whose master connection failed (not
// timed out) waits with them and is asked of the next master, unless the client sent anything but
// reads after it.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "proxy/base/error_text.h"
#include "proxy/base/log.h"
#include "proxy/server/client_session.h"
#include "proxy/server/worker.h"

namespace resplit::server {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kResendPoll = std::chrono::milliseconds(20);
// A refusal other than READONLY may clear on the same master (LOADING ends, replicas come back).
constexpr auto kSameMasterRetry = std::chrono::milliseconds(200);

}  // namespace

ClientSession::Step ClientSession::wait_for_master() {
  const auto now = Clock::now();
  if (no_master_since_ == Clock::time_point{}) no_master_since_ = now;
  if (now - no_master_since_ < worker_.config().timeouts.failover_wait) {
    wake_at_ = now + kResendPoll;  // look at the topology again soon
    return Step::kPark;
  }
  no_master_since_ = {};
  reply_now(text::kNoMaster);
  return Step::kNext;
}

bool ClientSession::is_refusal(std::string_view error) {
  return error.starts_with("READONLY ") || error.starts_with("NOREPLICAS ") ||
         error.starts_with("MASTERDOWN ") || error.starts_with("LOADING ");
}

void ClientSession::hold_write_for_master(ReplyQueue::Seq seq, std::string_view refusal) {
  const KeptCommands::Entry* w = sent_writes_.find(seq);
  if (w == nullptr) return;
  hold(seq, w->backend_id, refusal, false);
}

bool ClientSession::hold_read_for_master(const backend::Tag& t, errc why,
                                         std::string_view failure) {
  // Not after a timeout (the client's time is spent), nor when the client sent anything but
  // reads after it: the next master could show it a write the client sent later. Only once: a
  // read that also fails on the next master (one that gets its connection closed by Redis, say)
  // gets its error instead of waiting, and costing other clients' connections, again and again.
  if (why == errc::kBackendTimeout || t.seq < reask_from_ || (t.aux & kAuxResent)) return false;
  const KeptCommands::Entry* read = kept_.find(t.seq);
  if (read == nullptr) return false;
  hold(t.seq, read->backend_id, failure, true);
  return true;
}

void ClientSession::hold(ReplyQueue::Seq seq, uint32_t node, std::string_view refusal, bool read) {
  held_.push_back({seq, node, read, std::string(refusal), Clock::now(),
                          worker_.topology().version});
  if (!resend_running_) {
    resend_running_ = true;
    asio::co_spawn(
        stream_.get_executor(), [self = shared_from_this()] { return self->resend_loop(); },
        asio::detached);
  }
}

bool ClientSession::answered_by_untrusted_master(const KeptCommands::Kept& write) {
  const auto untrusted = [&write](const topology::TopologySnapshot& t) {
    const topology::BackendState* master = t.master_state();
    if (master != nullptr) return master->id != write.backend_id;
    // None trusted: a failover of it runs. A node that kept answering polls ran the write before
    // the promotion (a planned failover: its OK stands); one that failed a poll since the write
    // went out, or does not answer polls now, had hung and may have run it after.
    const topology::BackendState* node = t.find(write.backend_id);
    return node == nullptr || !node->reachable || node->poll_errors > write.node_poll_errors;
  };
  // A write held by a hung node is answered long after the worker last refreshed its view, and
  // the failover published meanwhile is exactly what this looks for.
  if (!worker_.topology_stale()) return untrusted(worker_.topology());
  return untrusted(*worker_.latest_topology());
}

// May `held` go to the master of the current topology now?
bool ClientSession::can_resend(const HeldCommand& held, Clock::time_point now) {
  const topology::TopologySnapshot& t = worker_.topology();
  const topology::BackendState* master = t.master_state();
  if (master == nullptr || !master->reachable) return false;
  if (master->id != held.refused_by) return true;
  if (held.read) {
    // The same node, for a read whose connection failed: once a new connection to it has passed
    // its handshake (ROLE says master) it was the connection that failed, not the node; a dead
    // node refuses the connection until the next master is known.
    const backend::Connection* connection = shared_connection(*t.master);
    return connection != nullptr && connection->ready();
  }
  // The same node: only once the monitor has looked at it again, and never after READONLY unless
  // it has been confirmed as master since.
  if (t.version == held.topology_version) return false;
  const bool readonly = held.refusal.starts_with("-READONLY");
  return !readonly || now - held.since >= kSameMasterRetry;
}

asio::awaitable<void> ClientSession::resend_loop() {
  auto self = shared_from_this();
  asio::steady_timer timer(stream_.get_executor());
  const auto wait = worker_.config().timeouts.failover_wait;
  while (!closed_ && !held_.empty()) {
    worker_.refresh();
    const auto now = Clock::now();
    HeldCommand& first = held_.front();
    if (can_resend(first, now)) {
      const topology::TopologySnapshot& t = worker_.topology();
      backend::Connection* master = shared_connection(*t.master);
      if (master != nullptr) {
        channel_ = Channel::kShared;
        // Everything held goes in order, as one batch, to the master the topology now names.
        size_t reads = 0;
        for (HeldCommand& h : held_) {
          KeptCommands& kept = h.read ? kept_ : sent_writes_;
          KeptCommands::Entry* w = kept.find(h.seq);
          if (w == nullptr) continue;
          const std::string_view bytes = kept.bytes(*w);
          w->backend_id = t.backends[*t.master].id;
          if (h.read) {
            ++reads;
            worker_.stats().reads_retried.add();
            const uint32_t aux = kAuxMasterRead | kAuxResent;
            if (!send_bytes(*master, bytes, h.seq, TagKind::kReply, aux, true)) kept_.forget(h.seq);
            continue;
          }
          w->node_poll_errors = t.backends[*t.master].poll_errors;
          const bool ryw = worker_.config().routing.read_your_writes;
          const uint32_t aux = kAuxResendable | (ryw ? kAuxWrite : 0);
          if (!send_bytes(*master, bytes, h.seq, TagKind::kReply, aux, true)) {
            sent_writes_.forget(h.seq);  // answered with resplit's error in its slot
          } else if (ryw) {
            note_write_sent(*master, false);
          }
        }
        log::info("held_commands_resent", {{"client", id_},
                                           {"writes", held_.size() - reads},
                                           {"reads", reads}});
        held_.clear();
        break;
      }
    }
    if (now - first.since >= wait) {
      // No master took them in time: the client gets the refusal (the writes did not run).
      for (HeldCommand& h : held_) {
        (h.read ? kept_ : sent_writes_).forget(h.seq);
        queue_.complete(h.seq, h.refusal);
      }
      held_.clear();
      after_reply();
      break;
    }
    timer.expires_after(kResendPoll);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  resend_running_ = false;
  wake_reader();
}

}  // namespace resplit::server
