#include "proxy/topology/resp_client.h"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "proxy/base/errc.h"
#include "proxy/topology/resolver.h"

namespace resplit::topology {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

asio::awaitable<error_code> connect_any(net::Stream& stream, std::vector<tcp::endpoint> endpoints,
                                        const std::shared_ptr<const net::TlsClient>& tls,
                                        const std::string& host) {
  auto [ec, endpoint] = co_await asio::async_connect(stream.socket(), endpoints, kAwait);
  if (ec || !tls) co_return ec;
  net::start_client_tls(stream, *tls, host);
  auto [handshake_ec] = co_await stream.tls().async_handshake(asio::ssl::stream_base::client, kAwait);
  co_return handshake_ec;
}

}  // namespace

std::string encode_command(const Command& command) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(command.size());
  lengths.reserve(command.size());
  for (const std::string& arg : command) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  char* formatted = nullptr;
  const int n = redisFormatCommandArgv(&formatted, static_cast<int>(argv.size()), argv.data(),
                                       lengths.data());
  std::string out;
  if (n > 0 && formatted != nullptr) out.assign(formatted, static_cast<size_t>(n));
  redisFreeCommand(formatted);
  return out;
}

RespClient::RespClient(asio::any_io_executor executor) : socket_(std::move(executor)) {}

RespClient::~RespClient() {
  close();
}

void RespClient::close() {
  socket_.close();
  peer_ip_.clear();
  if (reader_ != nullptr) {
    redisReaderFree(reader_);
    reader_ = nullptr;
  }
}

asio::awaitable<error_code> RespClient::connect(Address address, Clock::duration timeout,
                                                std::shared_ptr<const net::TlsClient> tls) {
  close();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  SystemResolver resolver;
  ResolveResult resolved = co_await resolver.resolve(address.host, address.port, timeout);
  if (resolved.error) co_return resolved.error;
  std::vector<tcp::endpoint> endpoints;
  for (const Address& a : resolved.addresses) {
    error_code ec;
    const asio::ip::address ip = asio::ip::make_address(a.host, ec);
    if (!ec) endpoints.emplace_back(ip, a.port);
  }
  if (endpoints.empty()) co_return asio::error::host_not_found;

  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_at(deadline);
  socket_.stop_tls();
  auto outcome = co_await (connect_any(socket_, std::move(endpoints), tls, address.host) ||
                           timer.async_wait(kAwait));
  error_code ec = outcome.index() == 0 ? std::get<0>(outcome) : error_code(asio::error::timed_out);
  if (!ec) {
    socket_.socket().set_option(tcp::no_delay(true), ec);
    error_code peer_ec;
    const tcp::endpoint peer = socket_.socket().remote_endpoint(peer_ec);
    if (!peer_ec) peer_ip_ = peer.address().to_string();
    reader_ = resp::create_bounded_reader();
    if (reader_ == nullptr) ec = make_error_code(std::errc::not_enough_memory);
  }
  if (ec) close();
  co_return ec;
}

asio::awaitable<error_code> RespClient::exec(const std::vector<Command>& commands,
                                             Clock::duration timeout,
                                             std::vector<resp::OwnedReply>& replies) {
  replies.clear();
  if (!socket_.is_open() || reader_ == nullptr) co_return asio::error::not_connected;
  std::string request;
  for (const Command& c : commands) request += encode_command(c);

  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(timeout);
  auto outcome = co_await (exchange(request, commands.size(), replies) || timer.async_wait(kAwait));
  error_code ec = outcome.index() == 0 ? std::get<0>(outcome) : error_code(asio::error::timed_out);
  if (ec) {
    replies.clear();
    close();
  }
  co_return ec;
}

asio::awaitable<error_code> RespClient::send(const std::vector<Command>& commands,
                                             Clock::duration timeout) {
  if (!socket_.is_open() || reader_ == nullptr) co_return asio::error::not_connected;
  std::string request;
  for (const Command& c : commands) request += encode_command(c);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(timeout);
  auto outcome = co_await (asio::async_write(socket_, asio::buffer(request), kAwait) ||
                           timer.async_wait(kAwait));
  error_code ec = outcome.index() == 0 ? std::get<0>(std::get<0>(outcome))
                                       : error_code(asio::error::timed_out);
  if (ec) close();
  co_return ec;
}

asio::awaitable<error_code> RespClient::read(Clock::duration timeout, resp::OwnedReply& reply) {
  reply.reset();
  if (!socket_.is_open() || reader_ == nullptr) co_return asio::error::not_connected;
  size_t received = 0;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(timeout);
  // A cancelled read takes no bytes, so the reader's buffered partial reply stays consistent.
  auto outcome = co_await (read_one(reply, received) || timer.async_wait(kAwait));
  if (outcome.index() == 1) co_return error_code(asio::error::timed_out);
  const error_code ec = std::get<0>(outcome);
  if (ec) close();
  co_return ec;
}

asio::awaitable<error_code> RespClient::read_one(resp::OwnedReply& reply, size_t& received) {
  std::array<char, 16 * 1024> buffer;
  while (true) {
    // close() (on stop) may run while this coroutine waits for a completed write or read to be
    // delivered: the reader is gone then.
    if (reader_ == nullptr || !socket_.is_open()) co_return asio::error::operation_aborted;
    void* parsed = nullptr;
    if (redisReaderGetReply(reader_, &parsed) != REDIS_OK) {
      co_return make_error_code(errc::kBackendProtocolError);
    }
    if (parsed != nullptr) {
      reply.reset(static_cast<redisReply*>(parsed));
      co_return error_code{};
    }
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buffer), kAwait);
    if (ec == asio::error::eof) co_return make_error_code(errc::kBackendClosed);
    if (ec) co_return ec;
    if (reader_ == nullptr) co_return asio::error::operation_aborted;  // closed meanwhile
    received += n;
    if (received > kMaxExchangeBytes) co_return make_error_code(errc::kBackendProtocolError);
    if (redisReaderFeed(reader_, buffer.data(), n) != REDIS_OK) {
      co_return make_error_code(errc::kBackendProtocolError);
    }
  }
}

asio::awaitable<error_code> RespClient::exchange(const std::string& request, size_t count,
                                                 std::vector<resp::OwnedReply>& replies) {
  auto [write_ec, written] = co_await asio::async_write(socket_, asio::buffer(request), kAwait);
  if (write_ec) co_return write_ec;

  size_t received = 0;
  while (replies.size() < count) {
    resp::OwnedReply reply;
    if (error_code ec = co_await read_one(reply, received)) co_return ec;
    replies.push_back(std::move(reply));
  }
  co_return error_code{};
}

}  // namespace resplit::topology
