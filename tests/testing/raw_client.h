// A plain TCP client for exact-byte tests: sends bytes exactly as given and returns the bytes that
// came back, telling a peer that closed the connection apart from one that is only silent.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

struct redisReader;

namespace resplit::testkit {

class RawClient {
 public:
  struct Received {
    std::string bytes;
    // The peer closed the connection (EOF) or reset it; false means it is still open.
    bool closed = false;
    bool reset = false;
    // Complete RESP replies that ended in this call's bytes (counted with hiredis's reader, fed
    // everything this client received, so a reply split across calls counts once).
    size_t replies = 0;
    // hiredis could not frame the stream (nesting deeper than 7, RESP3 types): counting stopped.
    bool unparsed = false;
  };

  static constexpr std::chrono::milliseconds kConnectTimeout{2000};

  // Connects at once; check connected().
  explicit RawClient(uint16_t port, std::chrono::milliseconds connect_timeout = kConnectTimeout,
                     const std::string& host = "127.0.0.1");
  ~RawClient();

  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }
  // This end's port (how the server's side lists the connection); 0 when not connected.
  uint16_t local_port() const;

  // Writes all of `bytes`; false on an error or when the peer did not take them within `timeout`.
  bool send(std::string_view bytes, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Everything that arrives within `duration`, or until the peer closes (so it also serves as
  // "read until closed, at most `duration`").
  Received read_for(std::chrono::milliseconds duration);
  // Reads until `replies` complete replies arrived, the peer closed, or `timeout` passed. Bytes
  // that came in the same read as the last wanted reply are returned (and counted) too.
  Received read_until(size_t replies, std::chrono::milliseconds timeout);

  // Half-close: the peer sees EOF on its read side; replies can still be read.
  void shutdown_write();
  void close();

 private:
  Received read(size_t replies, std::chrono::milliseconds timeout);
  size_t count_replies(std::string_view bytes, bool& unparsed);

  int fd_ = -1;
  bool peer_closed_ = false;
  std::string error_;
  redisReader* reader_ = nullptr;
};

}  // namespace resplit::testkit
