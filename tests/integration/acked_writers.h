// Writers that keep an exact account through a failover: each sends `SET <prefix>:<w>:<n> <n>`
// one at a time through resplit (and, when asked, reads the key straight back), and records every
// acknowledged key with the time of its reply, every error reply and every write whose outcome is
// unknown (timeout, broken connection). Bounded in operations and time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace resplit::testkit {

class RedisClient;

struct AckedWrite {
  std::string key;  // its value is the number after the last ':'
  std::chrono::steady_clock::time_point at;
  // A later `WAIT 1` of the same writer returned at least 1: a replica had it.
  bool replicated = false;
};

struct WriterCounts {
  uint64_t acked = 0;
  uint64_t errors = 0;  // error replies to SET (or to the read-back GET), but those below
  // No reply (timeout, broken connection) or resplit's "outcome of the command unknown".
  uint64_t indeterminate = 0;
  uint64_t reads = 0;        // read-back GETs answered
  uint64_t wrong_reads = 0;  // read-back GETs that did not return the value just written
  uint64_t waits = 0;        // WAITs that answered at least 1
  std::vector<std::string> error_samples;  // the first few error texts of either kind
};

class AckedWriters {
 public:
  struct Options {
    size_t writers = 4;
    std::string prefix = "acked";
    bool read_back = false;
    // After every this many acknowledged writes, `WAIT <wait_replicas> 200` (0: never); an
    // answer of wait_replicas marks the writer's writes so far as replicated.
    uint64_t wait_every = 0;
    uint64_t wait_replicas = 2;  // what WAIT asks for: a write is "replicated" once all have it
    std::chrono::milliseconds client_timeout{15000};
    uint64_t max_writes_per_writer = 500000;
    std::chrono::milliseconds max_duration{60000};
  };

  AckedWriters(uint16_t port, Options options);
  ~AckedWriters() { stop(); }
  AckedWriters(const AckedWriters&) = delete;
  AckedWriters& operator=(const AckedWriters&) = delete;

  void start();
  void stop();
  WriterCounts counts() const;
  // Every acknowledged write of every writer, ordered by acknowledgement time.
  std::vector<AckedWrite> acked() const;
  // Writes acknowledged so far (cheap: for waiting on progress).
  uint64_t acked_count() const { return acked_total_.load(); }
  // Until `more` writes beyond `from` are acknowledged; false when `timeout` passes first.
  bool wait_for_acks(uint64_t from, uint64_t more, std::chrono::milliseconds timeout) const;

 private:
  void run(size_t writer);
  void note_error(const std::string& text);

  uint16_t port_;
  Options options_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> acked_total_{0};
  mutable std::mutex mutex_;
  std::vector<std::vector<AckedWrite>> acked_;  // per writer
  WriterCounts counts_;
  std::vector<std::thread> threads_;
};

// Prints `counts` on one line headed by `test`, then the error samples.
void print_counts(const char* test, const WriterCounts& counts);

// Reads every acknowledged key from the node on `port` in pipelined batches; the keys that are
// missing or hold another value.
std::vector<std::string> missing_writes(uint16_t port, const std::vector<AckedWrite>& writes);

}  // namespace resplit::testkit
