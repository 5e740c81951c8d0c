// Many client connections driving a known workload through resplit from a few threads, checking
// every reply byte for byte, so that a dropped connection, a failed command or a reply out of order
// is counted rather than missed.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace resplit::testkit {

struct LoadCounts {
  uint64_t rounds = 0;       // pipelines answered in full and exactly
  uint64_t wrong = 0;        // pipelines whose reply bytes differ from the expected ones
  uint64_t dropped = 0;      // connections closed or silent while replies were owed
  uint64_t writes_acked = 0; // INCRs whose reply arrived
};

class LoadClients {
 public:
  // `connections` clients on `threads` threads. Each round a client sends one pipeline
  // `SET load:<c> <n>`, `GET load:<c>`, `INCR load:count:<c>`, `PING` and expects exactly
  // `+OK`, `$..<n>`, `:<count>`, `+PONG`.
  LoadClients(uint16_t port, size_t connections, size_t threads, std::string key_prefix = "load");
  ~LoadClients() { stop(); }

  LoadClients(const LoadClients&) = delete;
  LoadClients& operator=(const LoadClients&) = delete;

  void start();
  // Stops after the round in flight; a connection that the server closes stops on its own.
  void stop();
  LoadCounts counts() const;
  // What each client's INCR counter acknowledged last (to compare with the master's values).
  std::vector<int64_t> acknowledged_counts() const;
  std::string counter_key(size_t client) const;
  size_t connections() const { return connections_; }
  // True once every connection has stopped (closed by the server or by stop()).
  bool all_stopped() const { return running_threads_.load() == 0; }
  // Stop quietly when the server closes a connection (a drain does that at request boundaries).
  void expect_server_close() { expect_close_ = true; }

 private:
  void thread_loop(size_t first, size_t count);

  uint16_t port_;
  size_t connections_;
  size_t threads_;
  std::string prefix_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> expect_close_{false};
  std::atomic<size_t> running_threads_{0};
  std::atomic<uint64_t> rounds_{0}, wrong_{0}, dropped_{0}, acked_{0};
  std::vector<std::atomic<int64_t>> acknowledged_;
  std::vector<std::thread> workers_;
};

}  // namespace resplit::testkit
