// Shared pieces of the chaos battery: one exchange of raw bytes on a fresh connection, the same
// input sent to Redis and to resplit side by side, escaping for failure messages, the resident
// memory of a process, and a canary client that keeps pinging through the proxy.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace resplit::testkit {
class RawClient;
}

namespace resplit::testkit::chaos {

// What a server did with one input: the bytes it sent back within the read window and whether it
// closed the connection in that window.
struct Outcome {
  std::string bytes;
  bool closed = false;
  bool operator==(const Outcome&) const = default;
};

// Sends `input` on a fresh connection to `direct` and on another to `proxied` at the same time,
// then collects what each sent back within `window` (a silent peer costs the whole window).
struct SideBySide {
  Outcome direct;
  Outcome proxied;
};
SideBySide exchange_both(uint16_t direct, uint16_t proxied, std::string_view input,
                         std::chrono::milliseconds window);

// The size of the first complete RESP2 reply at the front of `bytes`, any nesting depth (an
// iterative count of pending elements); 0 while it is incomplete or the bytes are not RESP.
size_t complete_reply_size(std::string_view bytes);

// Reads from `client` until one complete reply arrived, the peer closed, or `deadline`.
Outcome read_one_reply(RawClient& client, std::chrono::milliseconds deadline);

// Printable and unambiguous: \r \n \t \\ \" and \xNN; long strings are cut in the middle.
std::string escape(std::string_view bytes, size_t limit = 400);
std::string describe(const Outcome& outcome);

// VmRSS of `pid` in KiB (from /proc/<pid>/status); -1 when unreadable.
long rss_kib(pid_t pid);

// PING through the proxy every `period` on one connection, until stop(); counts replies that were
// not +PONG within the deadline and records each round trip.
class Canary {
 public:
  Canary(uint16_t port, std::chrono::milliseconds period);
  ~Canary();
  Canary(const Canary&) = delete;
  Canary& operator=(const Canary&) = delete;

  void stop();
  size_t pings() const { return pings_; }
  size_t errors() const { return errors_; }
  // Round-trip percentile in microseconds (valid after stop()).
  long long percentile_us(double p) const;

 private:
  void run(uint16_t port, std::chrono::milliseconds period);

  std::atomic<bool> stop_{false};
  std::atomic<size_t> pings_{0};
  std::atomic<size_t> errors_{0};
  std::vector<long long> rtt_us_;
  std::thread thread_;
};

}  // namespace resplit::testkit::chaos
