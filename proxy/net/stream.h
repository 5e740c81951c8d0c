// A connection's byte stream: a TCP socket, optionally wrapped in TLS. Every connection type
// (client sessions, backend connections, the monitor's and Sentinel's) reads and writes through it,
// so TLS is one decision at connect or accept time. The plain path is the socket's own operation
// behind one branch: no virtual call and no allocation per read or write.
//
// Not movable once TLS is on (the TLS layer refers to the socket member). Single-threaded, like the
// socket: one read and one write may be in flight at the same time.
#pragma once

#include <memory>
#include <string_view>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/system/error_code.hpp>

namespace resplit::net {

class Stream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using Socket = boost::asio::ip::tcp::socket;
  using Tls = boost::asio::ssl::stream<Socket&>;

  explicit Stream(executor_type executor) : socket_(std::move(executor)) {}
  explicit Stream(Socket socket) : socket_(std::move(socket)) {}
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Wraps the (connected or accepted) socket in TLS with `context`, which the stream keeps alive,
  // so a reload that builds new contexts leaves this connection with its own. Call before any I/O
  // of the connection and never while an operation is in flight; a new connection on the same
  // socket calls it again (or stop_tls() for plain TCP).
  void start_tls(std::shared_ptr<boost::asio::ssl::context> context) {
    tls_.reset();
    context_ = std::move(context);
    tls_ = std::make_unique<Tls>(socket_, *context_);
  }
  void stop_tls() {
    tls_.reset();
    context_.reset();
  }
  bool is_tls() const { return tls_ != nullptr; }
  Tls& tls() { return *tls_; }  // only when is_tls()

  Socket& socket() { return socket_; }
  const Socket& socket() const { return socket_; }
  executor_type get_executor() { return socket_.get_executor(); }
  bool is_open() const { return socket_.is_open(); }
  // Closes the socket; operations in flight (TLS ones too) complete with an error.
  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  // Plain TCP on a non-blocking socket: writes what the socket takes at once, without a trip
  // through the event loop; a full socket is not an error (0 bytes). TLS writes nothing here: its
  // records go through async_write.
  size_t write_now(std::string_view bytes, boost::system::error_code& ec) {
    ec = {};
    if (tls_) return 0;
    const size_t n = socket_.write_some(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
      ec = {};
      return 0;
    }
    return ec ? 0 : n;
  }

  template <typename Buffers, typename Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const Buffers& b) {
          if (tls_) {
            tls_->async_read_some(b, std::move(handler));
          } else {
            socket_.async_read_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

  template <typename Buffers, typename Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const Buffers& b) {
          if (tls_) {
            tls_->async_write_some(b, std::move(handler));
          } else {
            socket_.async_write_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

 private:
  Socket socket_;
  std::shared_ptr<boost::asio::ssl::context> context_;
  std::unique_ptr<Tls> tls_;
};

}  // namespace resplit::net
