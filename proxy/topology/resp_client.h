// The monitor's own small Redis connection: connect, send a batch of commands in one write, read
// one reply per command with hiredis's reader. Every wait has a deadline, because a paused Redis
// accepts TCP connects and then never answers; after any failure the connection is closed, so a
// late reply can never be taken for the answer to a later request.
#pragma once

#include <hiredis/hiredis.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <string>
#include <vector>

#include "proxy/base/clock.h"
#include "proxy/net/stream.h"
#include "proxy/net/tls_contexts.h"
#include "proxy/resp/hiredis_reply.h"
#include "proxy/topology/snapshot.h"

namespace resplit::topology {

using Command = std::vector<std::string>;

class RespClient {
 public:
  // Replies to the monitor's commands are a few kilobytes; more than this in one exchange means
  // something is wrong with the peer, and the connection is dropped rather than buffered.
  static constexpr size_t kMaxExchangeBytes = 4u << 20;

  explicit RespClient(boost::asio::any_io_executor executor);
  ~RespClient();
  RespClient(const RespClient&) = delete;
  RespClient& operator=(const RespClient&) = delete;

  // Resolves (IP literals directly), connects and, with `tls`, does the TLS handshake, all
  // within `timeout`.
  boost::asio::awaitable<boost::system::error_code> connect(
      Address address, Clock::duration timeout,
      std::shared_ptr<const net::TlsClient> tls = nullptr);

  // Writes all commands at once and reads one reply per command into `replies`, all within
  // `timeout`. Error replies (-ERR ...) are replies, not failures.
  boost::asio::awaitable<boost::system::error_code> exec(const std::vector<Command>& commands,
                                                         Clock::duration timeout,
                                                         std::vector<resp::OwnedReply>& replies);

  // For a subscribed connection: writes `commands` within `timeout` (closing on failure).
  boost::asio::awaitable<boost::system::error_code> send(const std::vector<Command>& commands,
                                                         Clock::duration timeout);
  // For a subscribed connection: the next reply the server pushes, within `timeout`. Unlike
  // exec(), a timeout leaves the connection open (a quiet channel is not a broken one); any
  // other failure closes it.
  boost::asio::awaitable<boost::system::error_code> read(Clock::duration timeout,
                                                         resp::OwnedReply& reply);

  void close();
  bool is_open() const { return socket_.is_open(); }
  // The peer IP of the current connection; empty when closed.
  const std::string& peer_ip() const { return peer_ip_; }

 private:
  boost::asio::awaitable<boost::system::error_code> read_one(resp::OwnedReply& reply,
                                                             size_t& received);
  boost::asio::awaitable<boost::system::error_code> exchange(
      const std::string& request, size_t count, std::vector<resp::OwnedReply>& replies);

  net::Stream socket_;
  redisReader* reader_ = nullptr;
  std::string peer_ip_;
};

// The RESP encoding of one command (hiredis's redisFormatCommandArgv).
std::string encode_command(const Command& command);

}  // namespace resplit::topology
