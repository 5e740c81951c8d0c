#include "proxy/admin/admin_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "proxy/base/log.h"

namespace resplit::admin {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

AdminServer::AdminServer(asio::io_context& io, Endpoints endpoints, ServerLimits limits)
    : io_(io), endpoints_(std::move(endpoints)), limits_(limits), acceptor_(io) {}

AdminServer::~AdminServer() {
  *alive_ = false;
  stop();
}

void AdminServer::start(const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("admin.address: '" + host + "' is not an IP address");
  const tcp::endpoint endpoint(address, port);
  try {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot serve admin on " + host + ":" + std::to_string(port) + ": " +
                             e.what());
  }
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, accept_loop(), asio::detached);
  log::info("admin_listening", {{"address", host}, {"port", port_}});
}

void AdminServer::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

asio::awaitable<void> AdminServer::accept_loop() {
  const auto alive = alive_;
  while (*alive && acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
    if (!*alive || !acceptor_.is_open()) co_return;
    if (ec) continue;
    if (connections_ >= limits_.max_connections) {
      // Busy: refuse rather than queue, so probes see a fast failure instead of a hang.
      const auto busy = text_response(http::status::service_unavailable, "too many connections\n");
      boost::system::error_code ignored;
      http::write(socket, busy, ignored);
      socket.close(ignored);
      continue;
    }
    asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> AdminServer::serve(tcp::socket socket) {
  const auto alive = alive_;
  ++connections_;
  struct Leave {
    AdminServer* server;
    std::shared_ptr<bool> alive;
    ~Leave() {
      if (*alive) --server->connections_;
    }
  } leave{this, alive};

  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer(limits_.header_limit + 1024);
  while (*alive) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(limits_.header_limit);
    parser.body_limit(limits_.body_limit);
    stream.expires_after(limits_.request_timeout);
    auto [read_ec, read_n] =
        co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (!*alive) co_return;
    if (read_ec) {
      // A closed or timed-out connection (tcp_stream closes the socket at its deadline) gets no
      // answer; a garbled or oversized request is told so.
      const bool quiet = read_ec == http::error::end_of_stream ||
                         read_ec == beast::error::timeout || read_ec == asio::error::eof ||
                         read_ec == asio::error::connection_reset;
      if (!quiet) {
        const auto bad = text_response(http::status::bad_request,
                                       "bad request: " + read_ec.message() + "\n");
        stream.expires_after(limits_.request_timeout);
        co_await http::async_write(stream, bad, asio::as_tuple(asio::use_awaitable));
      }
      break;
    }
    Handled handled = handle(endpoints_, parser.get());
    stream.expires_after(limits_.request_timeout);
    auto [write_ec, write_n] = co_await http::async_write(stream, handled.response,
                                                          asio::as_tuple(asio::use_awaitable));
    if (handled.quit_after && *alive && endpoints_.quit) endpoints_.quit();
    if (write_ec || !handled.response.keep_alive()) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace resplit::admin
