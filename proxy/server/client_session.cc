#include "proxy/server/client_session.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "proxy/backend/socket_options.h"
#include "proxy/base/log.h"
#include "proxy/resp/reply_writer.h"
#include "proxy/server/worker.h"

namespace resplit::server {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// A client with this many commands (or bytes of writes) awaiting replies is not read from until
// half of them are answered: a mass import (redis-cli --pipe) then waits in its own socket instead
// of in resplit's memory, and Redis still always has plenty queued. A write's bytes are held twice
// while it is on its way (kept for a resend after a failover, and in the master connection's output
// buffer), so the byte bound costs up to twice its size per flooding client.
constexpr size_t kPauseReadingAt = 1024;
constexpr size_t kPauseReadingAtBytes = 2 * 1024 * 1024;

std::string endpoint_text(const tcp::endpoint& e) {
  const auto address = e.address();
  if (address.is_v6()) return "[" + address.to_string() + "]:" + std::to_string(e.port());
  return address.to_string() + ":" + std::to_string(e.port());
}

resp::ParserLimits parser_limits(const config::Limits& l) {
  resp::ParserLimits p;
  p.max_bulk_length = l.max_bulk_length;
  p.max_inline_length = l.max_inline_length;
  p.max_multibulk_length = l.max_multibulk_length;
  return p;
}

}  // namespace

ClientSession::ClientSession(Worker& worker, tcp::socket socket)
    : worker_(worker),
      stream_(std::move(socket)),
      id_(worker.shared().next_client_id.fetch_add(1, std::memory_order_relaxed)),
      created_(std::chrono::steady_clock::now()),
      last_command_(created_),
      parser_(parser_limits(worker.config().limits)),
      writer_wake_(stream_.get_executor()),
      reader_wake_(stream_.get_executor()) {
  boost::system::error_code ec;
  if (auto e = stream_.socket().remote_endpoint(ec); !ec) peer_ = endpoint_text(e);
  if (auto e = stream_.socket().local_endpoint(ec); !ec) local_ = endpoint_text(e);
  authenticated_ = worker.config().auth.clients.empty();
#ifndef RESPLIT_NO_METRICS
  queue_.set_observer(this);
#endif
}

ClientSession::~ClientSession() = default;

void ClientSession::start(std::shared_ptr<const net::TlsServer> tls) {
  backend::tune_socket(stream_.socket(), std::chrono::duration_cast<std::chrono::seconds>(
                                             worker_.config().listen.tcp_keepalive));
  if (!tls) {
    boost::system::error_code ignored;
    stream_.socket().non_blocking(true, ignored);
    run_loops();
    return;
  }
  stream_.start_tls(tls->context);
  asio::co_spawn(
      stream_.get_executor(), [self = shared_from_this()] { return self->tls_handshake(); },
      asio::detached);
}

void ClientSession::run_loops() {
  auto self = shared_from_this();
  asio::co_spawn(stream_.get_executor(), [self] { return self->read_loop(); }, asio::detached);
  asio::co_spawn(stream_.get_executor(), [self] { return self->write_loop(); }, asio::detached);
}

asio::awaitable<void> ClientSession::tls_handshake() {
  using namespace asio::experimental::awaitable_operators;
  auto self = shared_from_this();
  asio::steady_timer deadline(stream_.get_executor());
  deadline.expires_after(worker_.config().timeouts.tls_handshake);
  auto outcome = co_await (
      stream_.tls().async_handshake(asio::ssl::stream_base::server,
                                    asio::as_tuple(asio::use_awaitable)) ||
      deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (closed_) co_return;
  boost::system::error_code ec = outcome.index() == 0 ? std::get<0>(std::get<0>(outcome))
                                                      : asio::error::timed_out;
  if (ec) {
    // Wrong CA, no certificate, plain text on a TLS port, or too slow: the client never gets a
    // session, and no command of it is read.
    worker_.stats().rejected[static_cast<size_t>(metrics::Rejection::kTls)].add();
    log::info("client_tls_handshake_failed", {{"addr", peer_}, {"error", ec.message()}});
    close();
    co_return;
  }
  if (draining_) {
    close();
    co_return;
  }
  run_loops();
}

// Room for the next read in the session's input buffer (taken from the worker's pool if none).
void ClientSession::prepare_input() {
  if (in_.empty()) in_ = worker_.take_buffer();
  if (in_end_ == in_.size()) {
    if (in_begin_ > 0) {
      in_.erase(0, in_begin_);
      in_end_ -= in_begin_;
      in_begin_ = 0;
      in_.resize(in_.capacity());
    }
    if (in_end_ == in_.size()) in_.resize(in_.size() * 2);
  }
}

asio::awaitable<void> ClientSession::read_loop() {
  auto self = shared_from_this();
  while (!closed_ && !closing_) {
    boost::system::error_code ec;
    size_t n = 0;
    if (stream_.is_tls()) {
      // Decrypted bytes may wait inside the TLS layer while the socket has none: read through
      // it (an idle TLS client holds a buffer; its TLS state costs more anyway).
      prepare_input();
      auto [read_ec, got] = co_await stream_.async_read_some(
          asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
          asio::as_tuple(asio::use_awaitable));
      if (closed_ || closing_) co_return;
      ec = read_ec;
      n = got;
    } else {
      // Wait for bytes before taking a buffer, so an idle client holds none.
      auto [wait_ec] = co_await stream_.socket().async_wait(tcp::socket::wait_read,
                                                            asio::as_tuple(asio::use_awaitable));
      if (closed_ || closing_ || draining_) co_return;
      if (wait_ec) {
        close();
        co_return;
      }
      prepare_input();
      n = stream_.socket().read_some(asio::buffer(in_.data() + in_end_, in_.size() - in_end_), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) continue;
    }
    if (ec) {
      close();  // EOF or reset: like Redis, replies still due are dropped
      co_return;
    }
    worker_.stats().received_bytes.add(n);
    in_end_ += n;
    // Parked: the next command needs the session's earlier commands answered first, or the client
    // has so many commands awaiting replies that reading more would only pile them up in resplit.
    while (!process_input() || (backpressured_ = too_much_in_flight(1))) {
      reader_parked_ = true;
      reader_wake_.expires_at(wake_at_);
      wake_at_ = std::chrono::steady_clock::time_point::max();
      co_await reader_wake_.async_wait(asio::as_tuple(asio::use_awaitable));
      reader_parked_ = false;
      backpressured_ = false;
      if (closed_ || closing_) co_return;
    }
    if (draining_) co_return;
    if (in_end_ - in_begin_ > worker_.config().limits.max_query_buffer) {
      // As Redis: a client whose unparsed input outgrows the query buffer limit is closed.
      log::warn("client_query_buffer_limit", {{"client", id_}, {"addr", peer_}});
      worker_.stats().disconnect(metrics::Disconnect::kQueryBuffer);
      close();
      co_return;
    }
  }
}

bool ClientSession::too_much_in_flight(size_t divisor) const {
  return queue_.waiting() >= kPauseReadingAt / divisor ||
         sent_writes_.kept_bytes() >= kPauseReadingAtBytes / divisor;
}

std::chrono::steady_clock::duration ClientSession::idle_for(
    std::chrono::steady_clock::time_point now) const {
  if (state_.subscribed || state_.monitoring || !queue_.idle()) return {};
  return now - last_command_;
}

// Returns false when parked (some input is left unprocessed on purpose).
bool ClientSession::process_input() {
  worker_.refresh();
  // Each input batch chooses afresh. Its commands number their choices from one ticket of the
  // worker's, so that consecutive batches of one client break ties differently whatever their
  // size (a ticket per command made every batch of 16 start on the same replica).
  batch_replica_ = routing::kNoBackend;
  batch_ticket_ = worker_.next_ticket();
  batch_commands_ = 0;
  last_command_ = std::chrono::steady_clock::now();
  while (in_begin_ < in_end_ && !closing_ && !closed_) {
    if (hold_until_idle_) {
      if (!queue_.idle()) return false;
      hold_until_idle_ = false;
    }
    const std::string_view input(in_.data() + in_begin_, in_end_ - in_begin_);
    const resp::RequestParseResult parsed = parser_.parse(input);
    if (parsed.status == resp::ParseStatus::kNeedMore) {
      in_begin_ += parsed.consumed;  // empty commands skipped
      break;
    }
    if (parsed.status == resp::ParseStatus::kError) {
      // Redis answers protocol errors and closes the connection once the answer is out.
      worker_.stats().protocol_errors.add();
      queue_.push_ready(parsed.error_reply);
      closing_ = true;
      wake_writer();
      break;
    }
    const Step step = handle(parsed.frame);
    if (step == Step::kPark) {
      parser_.reset();  // the same command is parsed again once the session may go on
      return false;
    }
    in_begin_ += parsed.consumed;
    if (step == Step::kStop) {
      closing_ = true;
      wake_writer();
      break;
    }
  }
  if (in_begin_ == in_end_ && !in_.empty()) {
    in_begin_ = in_end_ = 0;
    worker_.give_buffer(std::move(in_));
    in_.clear();
  }
  finish_drain_if_done();
  return true;
}

void ClientSession::read_available() {
  // A TLS session's read is always in flight in read_loop; what it brings in is processed there.
  if (stream_.is_tls()) return;
  for (int i = 0; i < 64; ++i) {  // bounded: a client that keeps sending does not hold us here
    if (in_.empty()) in_ = worker_.take_buffer();
    if (in_end_ == in_.size()) in_.resize(in_.size() * 2);
    boost::system::error_code ec;
    const size_t n =
        stream_.socket().read_some(asio::buffer(in_.data() + in_end_, in_.size() - in_end_), ec);
    if (ec || n == 0) break;
    worker_.stats().received_bytes.add(n);
    in_end_ += n;
  }
}

void ClientSession::drain() {
  if (closed_ || draining_) return;
  draining_ = true;
  if (passthrough()) return;
  read_available();
  // If parked, the rest is processed when the session may go on; the read loop does that.
  // A TLS session's read may be in flight into the input buffer: it runs process_input() itself.
  if (!reader_parked_ && !stream_.is_tls()) process_input();
  if (blocking_in_flight_ && pinned_) {
    if (backend::BackendPool* pool = worker_.pool_by_id(pinned_backend_id_)) {
      if (backend::Connection* c = pool->shared(handle_.index);
          c != nullptr && pinned_->backend_client_id() > 0) {
        scratch_.clear();
        const std::string id = std::to_string(pinned_->backend_client_id());
        resp::ReplyWriter(scratch_).command({"CLIENT", "UNBLOCK", id});
        c->send(scratch_, tag(0, TagKind::kSwallow, 0));
      }
    }
  }
  finish_drain_if_done();
}

void ClientSession::finish_drain_if_done() {
  if (!draining_ || closed_ || closing_ || reader_parked_ || passthrough()) return;
  if (!queue_.idle() || !held_.empty()) return;
  // Whatever input is left is an incomplete command: it was never fully received.
  closing_ = true;
  wake_writer();
}

void ClientSession::wake_reader() {
  if (reader_parked_) reader_wake_.cancel();
}

void ClientSession::after_reply(bool at_read_end) {
  if (closed_) return;
  const size_t held = queue_.buffered_bytes() + writing_.size();
  if (held > worker_.config().limits.client_output_buffer) {
    log::warn("client_output_buffer_limit",
              {{"client", id_}, {"addr", peer_}, {"bytes", held}});
    worker_.stats().disconnect(metrics::Disconnect::kOutputBuffer);
    close();
    return;
  }
  if (queue_.has_ready()) {
    if (at_read_end && writer_waiting_ && !stream_.is_tls()) {
      // Written at the end of this backend read, with every other reply it brings for us: no
      // wake-up of the writer, whose trip through the event loop costs an extra epoll poll
      // (flush_replies() still wakes it when more replies are due).
      if (!flush_listed_) {
        flush_listed_ = true;
        worker_.flush_at_read_end(handle_);
      }
    } else {
      wake_writer();
    }
  }
  if (backpressured_ && !too_much_in_flight(2)) wake_reader();
  if (queue_.idle()) {
    wake_reader();
    if (closing_) wake_writer();
    finish_drain_if_done();
  }
}

void ClientSession::close_after_replies() {
  if (closed_ || closing_) return;
  closing_ = true;
  reader_wake_.cancel();
  // Ends the read wait without disturbing a write in flight; the writer finishes what is due.
  boost::system::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_receive, ignored);
  wake_writer();
}

void ClientSession::close() {
  if (closed_) return;
  closed_ = true;
  closing_ = true;
  boost::system::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
  writer_wake_.cancel();
  reader_wake_.cancel();
  release_pinned(false);
  queue_.abandon();
  // A TLS read in flight may still decrypt into the buffer: it goes with the session then.
  if (!in_.empty() && !stream_.is_tls()) worker_.give_buffer(std::move(in_));
  worker_.session_closed(*this);
}

}  // namespace resplit::server
