// The checker client of the reliability battery: sessions that drive self-describing traffic
// through resplit so that any lost, invented, duplicated, reordered or misdelivered reply shows.
// Each round a session pipelines `RPUSH <prefix>log:<s> <s>:<seq>` writes and `GET <prefix>d:<i>`
// reads of a preloaded dataset whose values name their key; every write is classified as acked,
// failed-not-executed or indeterminate, and audit() compares that record with the final master.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/checker_audit.h"
#include "tests/testing/latency_histogram.h"

namespace resplit::testkit {

struct CheckerOptions {
  size_t sessions = 8;
  // More sessions that only read: with read-your-writes on, a writing session's reads go to the
  // master, so these are the ones that exercise the replicas.
  size_t reader_sessions = 0;
  size_t writes_per_round = 2;
  size_t reads_per_round = 4;
  // Keys d:0 .. d:<dataset-1> must be preloaded with preload_dataset().
  size_t dataset = 1000;
  std::string prefix = "ck:";
  // Names this run's lists (<prefix><run>log:<s>), so several checkers can share one dataset.
  std::string run = "";
  // Total commands per second over all sessions; 0: as fast as replies come.
  double target_ops_per_second = 5000;
  std::chrono::milliseconds client_timeout{5000};
  std::chrono::milliseconds max_duration{120000};
  uint64_t max_rounds_per_session = 10'000'000;
};

struct CheckerCounts {
  uint64_t ops = 0;            // commands answered (a reply or an error from the other side)
  uint64_t acked = 0;
  uint64_t not_executed = 0;
  uint64_t indeterminate = 0;
  uint64_t reads_ok = 0;
  uint64_t read_errors = 0;    // error replies or no reply to a GET
  uint64_t wrong_replies = 0;  // a reply that cannot be the one its command asked for
  uint64_t timed_out = 0;      // error replies (to writes or reads) saying the backend timed out
  uint64_t reconnects = 0;
  std::vector<std::string> samples;  // first few wrong replies and errors
};

// The value of dataset key i: names the key, plus a hash, so no other reply can pass for it.
std::string dataset_value(size_t i);
// Writes the dataset straight to the master (pipelined); throws std::runtime_error on failure.
void preload_dataset(uint16_t master_port, const CheckerOptions& options);

class Checker {
 public:
  Checker(uint16_t port, CheckerOptions options);
  ~Checker() { stop(); }
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;

  void start();
  void stop();
  // Sessions connect here from their next (re)connect on: for a proxy restarted elsewhere.
  void set_port(uint16_t port) { port_ = port; }

  CheckerCounts counts() const;
  uint64_t acked_count() const { return acked_total_.load(); }
  // Waits until `more` writes beyond those acked now are acked; false at the deadline.
  bool wait_for_acks(uint64_t more, std::chrono::milliseconds deadline) const;
  LatencyHistogram latencies() const;
  // When the reply acknowledging session `session`'s write `seq` arrived; nullopt unless acked.
  std::optional<std::chrono::steady_clock::time_point> acked_at(size_t session, uint64_t seq) const;
  // Reads every session's list from the master on `master_port` and audits it (after stop()).
  AuditResult audit(uint16_t master_port) const;

  // One line of figures: ops, acked, lost, indeterminate, phantom, duplicates, wrong replies,
  // p50/p99, peak RSS of `proxy_pid` (VmHWM; omitted when 0).
  std::string figures(const std::string& name, const AuditResult& audit, pid_t proxy_pid) const;

 private:
  void run(size_t session);

  std::atomic<uint16_t> port_;
  CheckerOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> acked_total_{0};
  mutable std::mutex mutex_;
  std::vector<std::vector<WriteOutcome>> writes_;  // per session, by seq
  // Per session, by seq: when the write's reply arrived (for acked writes; else a default value).
  std::vector<std::vector<std::chrono::steady_clock::time_point>> answered_at_;
  std::vector<LatencyHistogram> latencies_;         // per session
  CheckerCounts counts_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point stopped_;
  std::vector<std::thread> threads_;
};

}  // namespace resplit::testkit
