// Connection: the write half. Commands queued in one event-loop turn leave in one write (a
// non-blocking attempt first, the rest asynchronously); while connecting they wait in a holding
// buffer. Read-your-writes probes (ROLE) ride in the same batches.
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "proxy/backend/connection.h"
#include "proxy/backend/handshake.h"

namespace resplit::backend {

namespace asio = boost::asio;

void Connection::queue_probe() {
  append_role(out_);
  pending_.push_back({Tag{}, Clock::now() + options_.command_timeout, Internal::kProbe});
  ++unwritten_;
  ++probes_queued_;
  last_queued_probe_ = true;
}

uint64_t Connection::probe_after_writes() {
  if (state_ != State::kReady) {
    // Not yet connected: nothing written on it can be pending; the next batch carries the probe.
    probe_wanted_ = true;
    return probes_queued_ + 1;
  }
  probe_wanted_ = true;
  schedule_flush();
  return probes_queued_ + 1;
}

uint64_t Connection::probe_now() {
  // A probe still unanswered at the end of the queue serves: it runs after everything before now.
  if (last_queued_probe_ && !probe_wanted_ && probes_done_ < probes_queued_) return probes_queued_;
  // Queued right here, behind the caller's write, also while connecting and also when a deferred
  // probe is due (this one serves it): left for the next flush it could follow a MULTI queued in
  // the meantime and run inside the client's transaction, adding an element to EXEC's reply.
  probe_wanted_ = false;
  if (state_ != State::kReady) {
    append_role(held_);
    pending_.push_back({Tag{}, Clock::now() + options_.command_timeout, Internal::kProbe});
    ++unwritten_;
    ++held_records_;
    ++probes_queued_;
    last_queued_probe_ = true;
    return probes_queued_;
  }
  queue_probe();
  schedule_flush();
  return probes_queued_;
}

void Connection::became_ready() {
  state_ = State::kReady;
  if (options_.stats) options_.stats->connections.add();
  was_ready_ = true;
  out_.append(held_);
  std::string().swap(held_);
  held_records_ = 0;
  flush();
}

bool Connection::send(std::string_view command, const Tag& tag, bool deadline) {
  if (closed()) return false;
  if (options_.stats) options_.stats->commands_sent.add();
  const Pending p{tag, deadline ? Clock::now() + options_.command_timeout : kNoDeadline,
                  Internal::kNone};
  pending_.push_back(p);
  ++unwritten_;
  last_queued_probe_ = false;
  if (state_ == State::kConnecting) {
    held_.append(command);
    ++held_records_;
    return true;
  }
  out_.append(command);
  schedule_flush();
  if (deadline && !watchdog_armed_) arm_watchdog(p.deadline);
  return true;
}

bool Connection::send_untracked(std::string_view command) {
  if (closed()) return false;
  if (options_.stats) options_.stats->commands_sent.add();
  if (state_ == State::kConnecting) {
    held_.append(command);
  } else {
    out_.append(command);
    schedule_flush();
  }
  return true;
}

void Connection::set_passthrough(const Tag& owner) {
  passthrough_ = true;
  passthrough_owner_ = owner;
}

void Connection::schedule_flush() {
  if (flush_scheduled_ || writing_now_) return;
  flush_scheduled_ = true;
  // Deferred to the end of this event-loop turn so that every command queued in the turn goes out
  // in one write.
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->flush_scheduled_ = false;
    self->flush();
  });
}

void Connection::flush() {
  if (closed() || writing_now_) return;
  if (probe_wanted_ && state_ == State::kReady) {
    probe_wanted_ = false;
    queue_probe();
  }
  if (out_.empty()) return;
  std::swap(out_, writing_);
  unwritten_ = held_records_;
  // Plain TCP: one non-blocking write first. The batch usually fits the socket buffer and leaves
  // at once, without waiting a loop turn for the completion; the rest (all of TLS) goes async.
  boost::system::error_code ec;
  const size_t sent = socket_.write_now(writing_, ec);
  if (ec || sent == writing_.size()) {
    writing_.clear();
    if (ec) close(errc::kBackendClosed);
    return;
  }
  writing_now_ = true;
  asio::async_write(socket_, asio::buffer(writing_.data() + sent, writing_.size() - sent),
                    [self = shared_from_this()](boost::system::error_code ec, size_t) {
                      self->writing_now_ = false;
                      self->writing_.clear();
                      if (self->closed()) return;
                      if (ec) {
                        self->close(errc::kBackendClosed);
                        return;
                      }
                      self->flush();
                    });
}

}  // namespace resplit::backend
