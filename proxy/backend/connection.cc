#include "proxy/backend/connection.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "proxy/backend/handshake.h"
#include "proxy/backend/socket_options.h"
#include "proxy/base/log.h"
#include "proxy/resp/reply_writer.h"

namespace resplit::backend {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Up to 64 KiB per read: a pipeline's replies from many clients come in with one system call.
constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kKeepInputCapacity = 256 * 1024;

}  // namespace

std::string_view Reply::error_text() const {
  if (!is_error() || bytes.size() < 3) return {};
  return bytes.substr(1, bytes.size() - 3);
}

Connection::Connection(asio::any_io_executor executor, const ConnectionOptions& options,
                       ReplySink& sink)
    : options_(options),
      sink_(sink),
      socket_(executor),
      resolver_(executor),
      watchdog_(executor) {}

Connection::~Connection() = default;

void Connection::start() {
  queue_handshake();
  asio::co_spawn(
      socket_.get_executor(),
      [self = shared_from_this()]() { return self->run(); }, asio::detached);
}

void Connection::queue_handshake() {
  const auto deadline = Clock::now() + options_.connect_timeout;
  if (!options_.password.empty()) {
    append_auth(out_, options_.username, options_.password);
    pending_.push_back({Tag{}, deadline, Internal::kAuth});
  }
  append_client_setname(out_, options_.client_name);
  pending_.push_back({Tag{}, deadline, Internal::kSetName});
  resp::ReplyWriter(out_).command({"CLIENT", "ID"});
  pending_.push_back({Tag{}, deadline, Internal::kClientId});
  if (options_.role_check != ConnectionOptions::RoleCheck::kNone) {
    append_role(out_);
    pending_.push_back({Tag{}, deadline, Internal::kRole});
  }
}

asio::awaitable<void> Connection::run() {
  auto self = shared_from_this();
  arm_watchdog(Clock::now() + options_.connect_timeout);
  auto [resolve_ec, endpoints] = co_await resolver_.async_resolve(
      options_.host, std::to_string(options_.port), asio::as_tuple(asio::use_awaitable));
  if (closed()) co_return;
  if (resolve_ec) {
    log::warn("backend_resolve_failed",
              {{"host", options_.host}, {"error", resolve_ec.message()}});
    close(errc::kConnectFailed);
    co_return;
  }
  auto [connect_ec, endpoint] =
      co_await asio::async_connect(socket_.socket(), endpoints, asio::as_tuple(asio::use_awaitable));
  if (closed()) co_return;
  if (connect_ec) {
    close(errc::kConnectFailed);
    co_return;
  }
  tune_socket(socket_.socket(), options_.tcp_keepalive);
  if (!options_.tls) {
    // flush() tries a direct write first; it must never block the worker.
    boost::system::error_code ignored;
    socket_.socket().non_blocking(true, ignored);
  }
  if (options_.tls) {
    // Within the connect deadline: the watchdog closes the socket, which ends the handshake.
    net::start_client_tls(socket_, *options_.tls, options_.host);
    auto [handshake_ec] = co_await socket_.tls().async_handshake(
        asio::ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
    if (closed()) co_return;
    if (handshake_ec) {
      log::warn("backend_tls_handshake_failed", {{"backend", options_.host},
                                                 {"port", options_.port},
                                                 {"error", handshake_ec.message()}});
      close(errc::kConnectFailed);
      co_return;
    }
  }
  flush();
  co_await read_loop();
}

asio::awaitable<void> Connection::read_loop() {
  while (!closed()) {
    if (in_begin_ == in_end_) {
      in_begin_ = in_end_ = 0;
      if (in_.size() > kKeepInputCapacity) std::string().swap(in_);
    }
    if (in_.size() - in_end_ < kReadChunk / 4) {
      if (in_begin_ > 0) {
        std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
        in_end_ -= in_begin_;
        in_begin_ = 0;
      }
      if (in_.size() - in_end_ < kReadChunk / 4) in_.resize(std::max(in_.size() * 2, kReadChunk));
    }
    auto [ec, n] = co_await socket_.async_read_some(
        asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
        asio::as_tuple(asio::use_awaitable));
    if (closed()) co_return;
    if (ec) {
      close(errc::kBackendClosed);
      co_return;
    }
    in_end_ += n;
    extend_deadline_on_progress();
    while (!closed() && in_begin_ < in_end_) {
      const auto scan = parser_.parse(std::string_view(in_.data() + in_begin_, in_end_ - in_begin_));
      if (scan.status == resp::ParseStatus::kNeedMore) break;
      if (scan.status == resp::ParseStatus::kError) {
        log::warn("backend_protocol_error", {{"backend", options_.host},
                                             {"port", options_.port},
                                             {"problem", scan.problem}});
        close(errc::kBackendProtocolError);
        break;
      }
      const std::string_view frame(in_.data() + in_begin_, scan.reply.size);
      in_begin_ += scan.reply.size;
      dispatch(frame);
    }
    // On every path: replies already handed over must reach their clients.
    sink_.on_read_end();
  }
}

// The command at the head of the line waits at most command_timeout for the backend's next
// byte, counted from the bytes before it: a backend streaming a pipeline of big replies (one
// client asking for 256 x 1 MiB) is busy, not stuck, and timing out the commands queued behind
// them would fail other clients' commands on this shared connection. A backend that sends nothing
// still times out as before.
void Connection::extend_deadline_on_progress() {
  if (pending_.empty()) return;
  Pending& head = pending_.front();
  if (head.deadline == kNoDeadline || head.internal != Internal::kNone) return;
  head.deadline = std::max(head.deadline, Clock::now() + options_.command_timeout);
}

void Connection::dispatch(std::string_view frame) {
  const Reply reply{frame};
  if (pending_.size() == unwritten_) {
    // No command on the wire waits for this reply.
    if (passthrough_) {
      sink_.on_push(passthrough_owner_, reply);
    } else {
      log::warn("backend_unsolicited_reply", {{"backend", options_.host}, {"port", options_.port}});
      close(errc::kBackendProtocolError);
    }
    return;
  }
  const Pending p = pending_.pop_front();
  extend_deadline_on_progress();
  if (p.internal != Internal::kNone) {
    if (!on_internal_reply(p.internal, reply)) return;
    if (state_ == State::kConnecting &&
        (pending_.empty() || pending_.front().internal == Internal::kNone)) {
      became_ready();
    }
  } else {
    sink_.on_reply(p.tag, reply);
  }
  if (!closed() && !watchdog_armed_ && !pending_.empty() &&
      pending_.front().deadline != kNoDeadline) {
    arm_watchdog(pending_.front().deadline);
  }
}

bool Connection::on_internal_reply(Internal what, const Reply& reply) {
  switch (what) {
    case Internal::kAuth:
      if (reply.is_error()) {
        log::error("backend_auth_failed", {{"backend", options_.host},
                                           {"port", options_.port},
                                           {"reply", reply.error_text()}});
        close(errc::kAuthFailed);
        return false;
      }
      return true;
    case Internal::kSetName:
      return true;  // a renamed or disabled CLIENT command is no reason to give up
    case Internal::kClientId:
      if (reply.type() == ':') {
        backend_client_id_ = std::strtoll(reply.bytes.data() + 1, nullptr, 10);
      }
      return true;
    case Internal::kRole:
      if (options_.role_check == ConnectionOptions::RoleCheck::kMaster) {
        if (role_reply_is_master(reply.bytes)) return true;
        log::warn("backend_not_master", {{"backend", options_.host}, {"port", options_.port}});
        close(errc::kNotMaster);
        return false;
      }
      if (role_reply_is_synced_replica(reply.bytes)) return true;
      log::info("backend_replica_not_synced", {{"backend", options_.host}, {"port", options_.port}});
      close(errc::kReplicaNotReady);
      return false;
    case Internal::kProbe: {
      ++probes_done_;
      const auto offset = role_reply_offset(reply.bytes);
      probe_ok_ = offset.has_value();
      if (offset) probe_offset_ = *offset;
      return true;
    }
    case Internal::kNone:
      break;
  }
  return true;
}

void Connection::arm_watchdog(Clock::time_point when) {
  watchdog_armed_ = true;
  watchdog_.expires_at(when);
  watchdog_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (!self) return;
    self->watchdog_armed_ = false;
    if (!ec) self->on_watchdog();
  });
}

void Connection::on_watchdog() {
  if (closed()) return;
  if (state_ == State::kConnecting) {
    log::warn("backend_connect_timeout", {{"backend", options_.host}, {"port", options_.port}});
    close(errc::kConnectTimeout);
    return;
  }
  if (pending_.empty() || pending_.front().deadline == kNoDeadline) return;
  if (Clock::now() >= pending_.front().deadline) {
    log::warn("backend_command_timeout",
              {{"backend", options_.host}, {"port", options_.port},
               {"outstanding", pending_.size()}});
    close(errc::kBackendTimeout);
    return;
  }
  arm_watchdog(pending_.front().deadline);
}

void Connection::close(errc why) {
  if (closed()) return;
  if (options_.stats) {
    if (state_ == State::kReady) {
      options_.stats->connections.sub();
    } else if (why != errc::kBackendClosed) {
      options_.stats->connect_failures.add();  // never got ready: refused, timed out, AUTH, ROLE
    }
  }
  state_ = State::kClosed;
  close_reason_ = why;
  socket_.close();
  resolver_.cancel();
  watchdog_.cancel();
  held_.clear();
  out_.clear();
  // Commands whose bytes went to the socket may have run; the rest certainly did not.
  const size_t written = pending_.size() - unwritten_;
  size_t index = 0;
  unwritten_ = 0;
  held_records_ = 0;
  while (!pending_.empty()) {
    const Pending p = pending_.pop_front();
  extend_deadline_on_progress();
    if (p.internal == Internal::kNone) sink_.on_failure(p.tag, why, index < written);
    ++index;
  }
  if (passthrough_) {
    passthrough_ = false;
    sink_.on_passthrough_closed(passthrough_owner_, why);
  }
}

}  // namespace resplit::backend
