// ClientSession: what happens to each command: routed, forwarded or answered here (replies come
// back in session_replies.cc).
#include <algorithm>

#include "proxy/backend/handshake.h"
#include "proxy/base/error_text.h"
#include "proxy/base/log.h"
#include "proxy/resp/reply_writer.h"
#include "proxy/server/client_session.h"
#include "proxy/server/local_commands.h"
#include "proxy/server/worker.h"

namespace resplit::server {

using routing::CommandKind;
using routing::Destination;
using routing::LocalCommand;

namespace {

// Anything sent to the master except reads may write (conservative: MULTI, EXEC, scripts, unknown).
bool may_write(routing::CommandKind kind) {
  return kind != CommandKind::kRead && kind != CommandKind::kScriptRead;
}

bool needs_load(CommandKind kind) {
  return kind == CommandKind::kRead || kind == CommandKind::kScriptRead ||
         kind == CommandKind::kBlocking;
}

}  // namespace

ReplyQueue::Seq ClientSession::take_slot(bool plain_read) {
  bool discard = reply_mode_ == ReplyMode::kOff;
  if (reply_mode_ == ReplyMode::kSkipNext) {
    discard = true;
    reply_mode_ = ReplyMode::kOn;
  }
  if (meter_.route < metrics::count_of<metrics::Route>()) {
    worker_.stats().in_flight[meter_.route].add();
  }
  const ReplyQueue::Seq seq = queue_.push(discard, meter_);
  if (!plain_read) reask_from_ = seq + 1;
  return seq;
}

void ClientSession::reply_now(std::string_view reply) {
  queue_.complete(take_slot(), reply);
  after_reply();
}

std::string_view ClientSession::wire_bytes(const resp::Frame& frame) {
  if (!frame.is_inline) return frame.raw;
  encoded_.clear();
  resp::ReplyWriter(encoded_).command(frame.args);
  return encoded_;
}

backend::Tag ClientSession::tag(ReplyQueue::Seq seq, TagKind kind, uint32_t aux) const {
  return backend::Tag{handle_.index, handle_.generation, seq, static_cast<uint32_t>(kind), aux};
}

backend::Connection* ClientSession::shared_connection(size_t backend) {
  backend::BackendPool* pool = worker_.pool(backend);
  return pool != nullptr ? pool->shared(handle_.index) : nullptr;
}

bool ClientSession::send_bytes(backend::Connection& connection, std::string_view bytes,
                               ReplyQueue::Seq seq, TagKind kind, uint32_t aux, bool deadline) {
  if (connection.db() != db_) {
    // Shared connections serve clients of every database: switch just before this command.
    scratch_.clear();
    backend::append_select(scratch_, db_);
    connection.send(scratch_, tag(0, TagKind::kSwallow, 0));
    connection.set_db(db_);
  }
  if (!connection.send(bytes, tag(seq, kind, aux), deadline)) {
    queue_.complete(seq, text::kBackendUnavailable);
    after_reply();
    return false;
  }
  return true;
}

ClientSession::Step ClientSession::handle(const resp::Frame& frame) {
  // Writes held for the next master go first; nothing the client sent later may overtake them.
  if (!held_.empty()) return Step::kPark;
  const auto args = frame.args;
  const routing::Classified c = routing::classify(worker_.commands(), args);
  meter_ = SlotMeter{static_cast<uint8_t>(metrics::Route::kLocal), true, last_command_};
  const bool passthrough = state_.subscribed || state_.monitoring;

  if (c.info == nullptr && !authenticated_) {
    scratch_.clear();
    resp::ReplyWriter(scratch_).unknown_command(args);
    reply_now(scratch_);
    return Step::kNext;
  }
  // Redis checks arity first. Inside MULTI and in passthrough modes Redis itself must see the
  // command (a bad one aborts the transaction), so it answers there.
  if (c.info != nullptr && !state_.in_multi && !passthrough &&
      !routing::arity_ok(*c.info, args.size())) {
    scratch_.clear();
    resp::ReplyWriter(scratch_).wrong_arity(c.info->name);
    reply_now(scratch_);
    return Step::kNext;
  }
  if (!authenticated_ && !c.info->has(commands::CommandFlag::kNoAuth)) {
    reply_now(text::kNoAuth);
    return Step::kNext;
  }

  const config::Config& config = worker_.config();
  const routing::Policy policy{config.routing.read_policy, config.routing.replica_selection,
                               config.routing.read_your_writes};
  if (policy.read_your_writes) refresh_consistency();
  routing::Load load;
  load.ticket = batch_ticket_ + batch_commands_++;
  if (needs_load(c.kind)) load.outstanding = worker_.outstanding();
  load.batch_replica = batch_replica_;
  const routing::Route route = routing::route(c, state_, worker_.topology(), policy, load);
  if (route.destination == Destination::kReplica) batch_replica_ = route.backend;
  meter_route(route, c, frame);

  if (route.reason == routing::Reason::kReadYourWrites &&
      route.destination == Destination::kMaster && try_probed_read(c, frame)) {
    return Step::kNext;
  }
  switch (route.destination) {
    case Destination::kLocal:
      return run_local(c, frame);
    case Destination::kError:
      reply_now(route.error);
      return Step::kNext;
    case Destination::kMaster:
    case Destination::kReplica:
      return forward_shared(route, c, frame);
    case Destination::kPinned:
      return forward_pinned(route, c, frame);
    case Destination::kFanout:
      return fanout(route, frame);
  }
  return Step::kNext;
}

ClientSession::Step ClientSession::forward_shared(const routing::Route& route,
                                                  const routing::Classified& c,
                                                  const resp::Frame& frame) {
  if (route.backend == routing::kNoBackend) return wait_for_master();
  // Leaving a pinned connection: its commands must be answered before others overtake them.
  if (channel_ == Channel::kPinned && !queue_.idle()) return Step::kPark;

  const topology::TopologySnapshot& topology = worker_.topology();
  size_t backend = route.backend;
  backend::Connection* connection = shared_connection(backend);
  if (connection == nullptr && route.destination == Destination::kReplica && topology.master &&
      worker_.config().routing.read_policy != config::ReadPolicy::kReplica) {
    // This worker cannot reach that replica right now (reconnect backoff); the master can serve.
    backend = *topology.master;
    meter_.route = static_cast<uint8_t>(metrics::Route::kMaster);
    connection = shared_connection(backend);
  }
  if (connection == nullptr) {
    // A master that cannot be reached (killed, failing over, not yet polled down) is waited for,
    // or its successor, as when there is no master: the command never left resplit.
    if (route.destination == Destination::kMaster) return wait_for_master();
    reply_now(text::kBackendUnavailable);
    return Step::kNext;
  }
  no_master_since_ = {};
  channel_ = Channel::kShared;
  const bool on_replica = !topology.master || backend != *topology.master;
  const TagKind kind =
      c.kind == CommandKind::kScriptRead && on_replica ? TagKind::kScriptRead : TagKind::kReply;
  const std::string_view bytes = wire_bytes(frame);
  const bool plain_read = kind == TagKind::kReply && !may_write(c.kind);
  const auto seq = take_slot(plain_read);
  uint32_t aux = 0;
  if (kind == TagKind::kScriptRead) {
    kept_.add(seq, topology.backends[backend].id, bytes, 0);
  }
  if (plain_read) {
    aux = on_replica ? kAuxRereadable : kAuxMasterRead;
    kept_.add(seq, topology.backends[backend].id, bytes);
  }
  if (!on_replica && may_write(c.kind)) {
    aux = kAuxResendable;
    if (worker_.config().routing.read_your_writes) aux |= kAuxWrite;
    sent_writes_.add(seq, topology.backends[backend].id, bytes).node_poll_errors =
        topology.backends[backend].poll_errors;
  }
  if (send_bytes(*connection, bytes, seq, kind, aux, true) && (aux & kAuxWrite)) {
    note_write_sent(*connection, false);
  }
  return Step::kNext;
}

ClientSession::Step ClientSession::fanout(const routing::Route& route, const resp::Frame& frame) {
  if (channel_ == Channel::kPinned && !queue_.idle()) return Step::kPark;
  backend::Connection* master = shared_connection(route.backend);
  if (master == nullptr) {
    reply_now(text::kBackendUnavailable);
    return Step::kNext;
  }
  channel_ = Channel::kShared;
  const std::string_view bytes = wire_bytes(frame);
  // Replicas get a copy (SCRIPT LOAD must reach them for EVALSHA_RO); the client gets the master's
  // answer. A replica that misses it answers NOSCRIPT later and the master serves that read.
  const topology::TopologySnapshot& topology = worker_.topology();
  for (size_t i = 0; i < topology.backends.size(); ++i) {
    if (i == route.backend || !topology.backends[i].reachable) continue;
    if (backend::Connection* replica = shared_connection(i)) {
      if (replica->db() != db_) {
        scratch_.clear();
        backend::append_select(scratch_, db_);
        replica->send(scratch_, tag(0, TagKind::kSwallow, 0));
        replica->set_db(db_);
      }
      replica->send(bytes, tag(0, TagKind::kSwallow, 0));
    }
  }
  if (send_bytes(*master, bytes, take_slot(), TagKind::kReply, kAuxWrite, true)) {
    note_write_sent(*master, false);
  }
  return Step::kNext;
}

ClientSession::Step ClientSession::forward_pinned(const routing::Route& route,
                                                  const routing::Classified& c,
                                                  const resp::Frame& frame) {
  if (!pinned_) {
    if (route.backend == routing::kNoBackend) {
      if (route.reason == routing::Reason::kNoMaster) return wait_for_master();
      reply_now(text::kNoRoutableReplica);
      return Step::kNext;
    }
    no_master_since_ = {};
    if (channel_ == Channel::kShared && !queue_.idle()) return Step::kPark;
    backend::BackendPool* pool = worker_.pool(route.backend);
    pinned_ = pool != nullptr ? pool->acquire_pinned() : nullptr;
    if (!pinned_) {
      reply_now(text::kBackendUnavailable);
      return Step::kNext;
    }
    pinned_backend_id_ = worker_.topology().backends[route.backend].id;
  }
  channel_ = Channel::kPinned;
  backend::Connection& connection = *pinned_;
  const std::string_view bytes = wire_bytes(frame);

  if (state_.subscribed || state_.monitoring) {
    // Passthrough: Redis answers in order with its pushes; resplit only follows the mode.
    if (state_.subscribed) subscriptions_.on_command(frame.args);
    if (c.kind == CommandKind::kLocal && c.local == LocalCommand::kReset) {
      reset_session_facts();
      passthrough_reset_ = true;
    }
    worker_.stats().untracked(static_cast<metrics::Route>(meter_.route));
    connection.send_untracked(bytes);
    return Step::kNext;
  }
  if (!state_.in_multi &&
      (c.kind == CommandKind::kSubscribe || c.kind == CommandKind::kMonitor)) {
    if (connection.db() != db_) {
      scratch_.clear();
      backend::append_select(scratch_, db_);
      connection.send(scratch_, tag(0, TagKind::kSwallow, 0));
      connection.set_db(db_);
    }
    if (c.kind == CommandKind::kSubscribe) {
      state_.subscribed = true;
      subscriptions_.on_command(frame.args);
    } else {
      state_.monitoring = true;
    }
    connection.set_passthrough(tag(0, TagKind::kReply, 0));
    worker_.stats().untracked(static_cast<metrics::Route>(meter_.route));
    connection.send_untracked(bytes);
    return Step::kNext;
  }

  TagKind kind = TagKind::kReply;
  uint32_t aux = 0;
  bool deadline = true;
  switch (c.kind) {
    case CommandKind::kMulti:
      if (!state_.in_multi) {
        state_.in_multi = true;
        multi_db_ = -1;
      }
      break;
    case CommandKind::kExec:
    case CommandKind::kDiscard:
      if (state_.in_multi) {
        state_.in_multi = false;
        state_.watching = false;  // EXEC and DISCARD forget every WATCH
        kind = TagKind::kPinnedEnd;
        if (c.kind == CommandKind::kExec) aux = kAuxExec;
      }
      break;
    case CommandKind::kWatch:
      if (!state_.in_multi) state_.watching = true;
      break;
    case CommandKind::kUnwatch:
      if (!state_.in_multi) {
        state_.watching = false;
        kind = TagKind::kPinnedEnd;
      }
      break;
    case CommandKind::kBlocking:
      if (!state_.in_multi) {
        deadline = false;  // it waits as long as the client asked
        kind = TagKind::kPinnedEnd;
        blocking_in_flight_ = true;
      }
      break;
    case CommandKind::kTracking:
      state_.session_pinned = true;
      break;
    case CommandKind::kLocal:
      if (state_.in_multi && c.local == LocalCommand::kSelect) {
        const auto choice = local::parse_db(frame.args[1], databases());
        if (choice.error.empty()) multi_db_ = choice.db;
      }
      break;
    default:
      break;
  }
  // Inside MULTI nothing runs before EXEC, and a probe would only be queued: EXEC counts as the
  // write then.
  const auto* master = worker_.topology().master_state();
  const bool write = master != nullptr && master->id == pinned_backend_id_ &&
                     may_write(c.kind) && !state_.in_multi;
  if (write) aux |= kAuxWrite;
  if (send_bytes(connection, bytes, take_slot(), kind, aux, deadline) && write) {
    note_write_sent(connection, true);
  }
  return Step::kNext;
}

void ClientSession::release_pinned_if_done() {
  if (!pinned_ || state_.in_multi || state_.watching || state_.subscribed || state_.monitoring ||
      state_.session_pinned || pinned_->outstanding() > 0) {
    return;
  }
  release_pinned(true);
}

void ClientSession::release_pinned(bool clean) {
  if (!pinned_) return;
  if (backend::BackendPool* pool = worker_.pool_by_id(pinned_backend_id_)) {
    pool->release_pinned(std::move(pinned_), clean);
  } else {
    pinned_->close(errc::kBackendClosed);
  }
  pinned_.reset();
}

int ClientSession::databases() const {
  const int n = worker_.topology().databases;
  return n > 0 ? n : 16;
}

}  // namespace resplit::server
