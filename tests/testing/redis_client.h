// A small synchronous Redis client for tests, on hiredis: connect and command timeouts, replies as
// owned Reply values, INFO as a map. Timeouts and broken connections come back as Reply values too.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;

namespace resplit::testkit {

struct Reply;

class RedisClient {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout{2000};

  // Connects at once; check connected(). `timeout` bounds the connect and every command.
  RedisClient(std::string host, uint16_t port, std::chrono::milliseconds timeout = kDefaultTimeout);
  explicit RedisClient(uint16_t port, std::chrono::milliseconds timeout = kDefaultTimeout)
      : RedisClient("127.0.0.1", port, timeout) {}
  ~RedisClient();

  RedisClient(RedisClient&& other) noexcept;
  RedisClient& operator=(RedisClient&& other) noexcept;
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // False after a failed connect or any transport error (timeout, EOF); the connection is then
  // unusable (a late reply could be taken for the next one) until reconnect().
  bool connected() const;
  // The last transport error, empty if none.
  const std::string& error() const { return error_; }
  bool reconnect();
  // Changes the command timeout of this connection.
  void set_timeout(std::chrono::milliseconds timeout);

  const std::string& host() const { return host_; }
  uint16_t port() const { return port_; }

  // Sends one command (binary-safe arguments) and waits for its reply.
  Reply command(std::initializer_list<std::string_view> args);
  Reply command(const std::vector<std::string>& args);
  // Sends all commands in one write, then reads one reply per command.
  std::vector<Reply> pipeline(const std::vector<std::vector<std::string>>& commands);

  // The next reply the server pushes unasked (a pub/sub message after SUBSCRIBE), within the
  // timeout; a kTimeout reply leaves the connection usable for another wait.
  Reply next_push();

  // `INFO <section>` as field -> value; empty when the command fails.
  std::map<std::string, std::string> info(std::string_view section = {});

 private:
  bool connect();
  Reply send(const std::vector<std::string_view>& args);
  Reply transport_failure();

  std::string host_;
  uint16_t port_ = 0;
  std::chrono::milliseconds timeout_;
  redisContext* context_ = nullptr;
  std::string error_;
};

// Parses the text of an INFO reply ("key:value" lines, "# Section" headers skipped).
std::map<std::string, std::string> parse_info(std::string_view text);

}  // namespace resplit::testkit
