// One redis-server (or Sentinel) child process for tests: its own directory and free loopback port,
// started without a shell, ready when it answers PING, stopped by PID, with fault helpers.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <ios>
#include <memory>
#include <string>
#include <vector>

#include "tests/testing/child_process.h"
#include "tests/testing/redis_client.h"
#include "tests/testing/temp_dir.h"

namespace resplit::testkit {

struct RedisProcessOptions {
  enum class Mode { kServer, kSentinel };

  Mode mode = Mode::kServer;
  // Names the directory (`resplit-<name>-XXXXXX`) and error messages.
  std::string name = "redis";
  // Appended after the fixed arguments, so they win: e.g. {"--replicaof", "127.0.0.1", "7000"}.
  std::vector<std::string> args{};
  // kSentinel: the lines of the generated sentinel.conf, e.g. "sentinel monitor m 127.0.0.1 7000
  // 2".
  std::vector<std::string> sentinel_config{};
  // 0: pick a free loopback port (and another one if the server then fails to bind it).
  uint16_t port = 0;
  // Also listen for TLS on a second free port (certificate arguments go in `args`); the plain
  // port stays for the test's own probes and inspection.
  bool tls_port = false;
  std::chrono::milliseconds start_timeout{10000};
};

class RedisProcess {
 public:
  static constexpr const char* kHost = "127.0.0.1";

  // Starts the server and waits until it answers PING with its own process id in INFO.
  // Throws std::runtime_error (with the end of the server's log) when it does not come up.
  // The kernel kills the server when the starting *thread* ends: start servers from a thread that
  // outlives them (gtest's main thread does), not from a short-lived worker.
  explicit RedisProcess(RedisProcessOptions options = {});
  ~RedisProcess();

  RedisProcess(const RedisProcess&) = delete;
  RedisProcess& operator=(const RedisProcess&) = delete;

  // 0 while stopped.
  pid_t pid() const { return child_.pid(); }
  uint16_t port() const { return port_; }
  std::string address() const;  // "127.0.0.1:<port>"
  uint16_t tls_port() const { return tls_port_; }  // 0 without options.tls_port
  std::string tls_address() const;  // "127.0.0.1:<tls port>"
  const std::string& dir() const { return dir_->path(); }
  std::string log_path() const;
  const std::string& name() const { return options_.name; }
  bool sentinel() const { return options_.mode == RedisProcessOptions::Mode::kSentinel; }
  bool running() const { return child_.started() && !child_.exited(); }
  // The state letter from /proc/<pid>/stat ('T' while paused), '\0' when stopped.
  char state() const { return child_.state(); }

  // A new client connection to this server.
  RedisClient client(std::chrono::milliseconds timeout = RedisClient::kDefaultTimeout) const;
  // The last `lines` lines of the server's log (and of its stdout, where start-up errors go).
  std::string log_tail(size_t lines = 20) const;

  // SIGTERM, up to 5 s to exit, then SIGKILL; reaps. Also done by the destructor.
  void stop();
  // Stops several servers at once (a server only notices SIGTERM on its next 100 ms cron tick).
  static void stop_all(const std::vector<RedisProcess*>& servers);
  // Fault helpers; each throws std::runtime_error if the process did not reach the state.
  void pause();   // SIGSTOP, confirmed by state 'T'
  void resume();  // SIGCONT, confirmed by state leaving 'T'
  void kill9();   // SIGKILL and reap: no clean shutdown
  // Stops the server if it runs, then starts it again on the same port and directory.
  void restart();

 private:
  void launch(bool first);
  std::vector<std::string> argv() const;
  void write_sentinel_config() const;
  enum class Outcome { kReady, kBindFailed, kFailed };
  Outcome wait_ready(std::streamoff log_start);

  RedisProcessOptions options_;
  std::unique_ptr<TempDir> dir_;
  uint16_t port_ = 0;
  uint16_t tls_port_ = 0;
  ChildProcess child_;
};

// The redis-server binary: $RESPLIT_REDIS_SERVER, else the first one on $PATH, else /usr/bin's.
std::string redis_server_path();

}  // namespace resplit::testkit
