// ClientSession: replies out to the client. On plain TCP a batch is written at once with one
// non-blocking write, and only what the socket does not take waits in the event loop.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "proxy/server/client_session.h"
#include "proxy/server/worker.h"

namespace resplit::server {

namespace asio = boost::asio;

namespace {

// The output buffer keeps its memory between writes up to this size (it trades places with the
// reply queue's, which keeps as much), so a busy client's batches allocate nothing.
constexpr size_t kKeepWriteCapacity = 256 * 1024;

}  // namespace

asio::awaitable<void> ClientSession::write_loop() {
  auto self = shared_from_this();
  while (!closed_) {
    if (queue_.has_ready()) {
      queue_.take_ready(writing_);
      // Plain TCP: one non-blocking write first. A batch of replies usually fits the socket
      // buffer and leaves at once, without a trip through the event loop; what is left (and all
      // of TLS) goes through async_write.
      boost::system::error_code ec;
      size_t n = stream_.write_now(writing_, ec);
      if (!ec && n < writing_.size()) {
        auto [async_ec, more] = co_await asio::async_write(
            stream_, asio::buffer(writing_.data() + n, writing_.size() - n),
            asio::as_tuple(asio::use_awaitable));
        ec = async_ec;
        n += more;
      }
      worker_.stats().sent_bytes.add(n);
      if (writing_.capacity() > kKeepWriteCapacity) {
        std::string().swap(writing_);
      } else {
        writing_.clear();
      }
      if (ec) {
        close();
        co_return;
      }
      continue;
    }
    if (closing_ && queue_.idle()) {
      close();
      co_return;
    }
    if (queue_.idle()) queue_.trim();
    writer_waiting_ = true;
    writer_wake_.expires_at(std::chrono::steady_clock::time_point::max());
    co_await writer_wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    writer_waiting_ = false;
  }
}

void ClientSession::flush_replies() {
  flush_listed_ = false;
  // A busy writer finds the replies itself when its write completes.
  if (closed_ || !writer_waiting_ || !queue_.has_ready()) return;
  if (!queue_.idle() || queue_.only_ready() == nullptr) {
    // More replies are due, maybe from another backend's read in this same loop turn: the writer
    // runs after those and sends them all in one write. It also sends a backlog of full buffers.
    wake_writer();
    return;
  }
  std::string& ready = *queue_.only_ready();
  boost::system::error_code ec;
  const size_t n = stream_.write_now(ready, ec);
  if (ec) {
    close();
    return;
  }
  worker_.stats().sent_bytes.add(n);
  ready.erase(0, n);
  if (!ready.empty() || closing_) {
    wake_writer();  // the rest goes through async_write; a closing session closes there
  } else if (queue_.idle()) {
    queue_.trim();
  }
}

void ClientSession::wake_writer() {
  if (writer_waiting_) {
    writer_waiting_ = false;
    writer_wake_.cancel();
  }
}

}  // namespace resplit::server
