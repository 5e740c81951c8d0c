// Replicas that stop or fall behind, through resplit against a real master and two replicas: a
// paused replica leaves read rotation and comes back after catching up with no wrong reply, and a
// replica whose lag passes max_replication_lag serves no read staler than that bound. Each test
// prints its figures.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/link_relay.h"
#include "tests/integration/proxy_fixture.h"
#include "tests/testing/reply.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// From the fixture's config (config_for): health_check interval and timeout.
constexpr auto kPollInterval = 100ms;
constexpr auto kCommandDeadline = 2s;  // timeouts.command default

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

long long offset_of(RedisProcess& node, const char* field) {
  auto info = node.client(500ms).info("replication");
  return info.contains(field) ? std::stoll(info[field]) : -1;
}

class PausedReplicaTest : public ProxyFixture {};

struct Read {
  Clock::time_point sent;
  double latency_ms = 0;
  bool error = false;
};

TEST_F(PausedReplicaTest, LeavesRotationAndComesBackAfterCatchingUp) {
  constexpr int kKeys = 500;
  constexpr int kReaders = 8;
  {
    auto m = master().client();
    for (int i = 0; i < kKeys; ++i) {
      ASSERT_EQ(m.command({"SET", "imm:" + std::to_string(i), "value-" + std::to_string(i)}),
                Reply::status("OK"));
    }
  }
  ASSERT_TRUE(topology().wait_for_sync());
  std::this_thread::sleep_for(500ms);  // the monitor sees both replicas caught up

  const auto deadline = Clock::now() + 60s;
  std::atomic<bool> stop{false};
  std::atomic<long long> writes{0}, wrong{0};
  std::thread writer([&] {
    RedisClient c = proxy().client(10s);
    const std::string value(1024, 'w');
    std::vector<std::vector<std::string>> batch;
    for (int i = 0; i < 50; ++i) batch.push_back({"SET", "bulk:" + std::to_string(i), value});
    while (!stop && Clock::now() < deadline) {
      for (const Reply& r : c.pipeline(batch)) writes += r == Reply::status("OK") ? 1 : 0;
      if (!c.connected()) c.reconnect();
    }
  });
  std::vector<std::vector<Read>> reads(kReaders);
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      RedisClient c = proxy().client(10s);
      std::mt19937 rng(r);
      while (!stop && Clock::now() < deadline && reads[r].size() < 2'000'000) {
        const int k = int(rng() % kKeys);
        Read read{Clock::now()};
        const Reply got = c.command({"GET", "imm:" + std::to_string(k)});
        read.latency_ms = ms_between(read.sent, Clock::now());
        if (got.type == Reply::Type::kString) {
          if (got.str != "value-" + std::to_string(k)) ++wrong;
        } else if (got.is_error() || !got.from_server()) {
          read.error = true;
          if (!c.connected()) c.reconnect();
        } else {
          ++wrong;  // nil or another type: some other command's reply
        }
        reads[r].push_back(read);
      }
    });
  }

  std::this_thread::sleep_for(1s);
  RedisProcess& paused = replica(0);
  const long long replica_offset_before = offset_of(paused, "slave_repl_offset");
  const long long master_offset_before = offset_of(master(), "master_repl_offset");
  const auto stopped_at = Clock::now();
  paused.pause();
  std::this_thread::sleep_for(3s);
  const long long master_offset_at_resume = offset_of(master(), "master_repl_offset");
  const auto resumed_at = Clock::now();
  paused.resume();
  // Caught up: the replica has reached what the master had when it resumed.
  Clock::time_point caught_up_at{};
  while (Clock::now() < deadline) {
    if (offset_of(paused, "slave_repl_offset") >= master_offset_at_resume) {
      caught_up_at = Clock::now();
      break;
    }
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_NE(caught_up_at, Clock::time_point{}) << "replica never caught up";
  // Back in rotation: reads land on it again (requests queued while it was stopped were already
  // answered when it woke, before it caught up).
  const long long gets_at_catch_up = calls(paused, "get");
  Clock::time_point back_at{};
  while (Clock::now() < caught_up_at + 10s) {
    if (calls(paused, "get") >= gets_at_catch_up + 20) {
      back_at = Clock::now();
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  std::this_thread::sleep_for(1s);
  stop = true;
  writer.join();
  for (auto& t : readers) t.join();

  // Reads that hit the stopped replica: an error (the command deadline) or a long wait.
  long long total = 0, errors = 0, stuck = 0;
  double last_stuck_sent_ms = -1e9;
  for (const auto& list : reads) {
    for (const Read& read : list) {
      ++total;
      errors += read.error ? 1 : 0;
      if (read.error || read.latency_ms >= 1000) {
        ++stuck;
        last_stuck_sent_ms = std::max(last_stuck_sent_ms, ms_between(stopped_at, read.sent));
      }
    }
  }
  const double bytes_per_second =
      double(master_offset_at_resume - master_offset_before) / (ms_between(stopped_at, resumed_at) / 1000);
  const long long direct_lag_bytes = master_offset_at_resume - replica_offset_before;
  std::printf("paused replica: writes acked %lld (%.1f MB/s of replication stream); reads %lld, "
              "wrong %lld, errors %lld, stuck (error or >= 1 s) %lld; last stuck read sent %.0f ms "
              "after SIGSTOP; caught up %.0f ms after SIGCONT; reads on it again %.0f ms after "
              "catching up; lag straight from Redis at SIGCONT: %lld bytes\n",
              writes.load(), bytes_per_second / 1e6, total, wrong.load(), errors, stuck,
              last_stuck_sent_ms, ms_between(resumed_at, caught_up_at),
              back_at == Clock::time_point{} ? -1.0 : ms_between(caught_up_at, back_at),
              direct_lag_bytes);
  EXPECT_EQ(wrong.load(), 0);
  // At most the read each reader had in flight on the replica when it stopped.
  EXPECT_LE(errors, kReaders);
  const double rotation_limit_ms =
      std::chrono::duration<double, std::milli>(kCommandDeadline + kPollInterval).count();
  EXPECT_LE(last_stuck_sent_ms, rotation_limit_ms);
  ASSERT_NE(back_at, Clock::time_point{}) << "the replica never took reads again";
  EXPECT_LE(ms_between(caught_up_at, back_at), 2000.0);

  // resplit logs each change of a replica's exclusion with the lag it measured: the first answer
  // after SIGCONT shows how far behind it was.
  const std::regex line_re("address=\"?" + paused.address() +
                           "\"?.* lag_seconds=([0-9.eE+-]+) lag_bytes=([0-9]+)");
  double lag_seconds = 0;
  long long lag_bytes = 0;
  const std::string log = proxy().log_tail(100000);
  for (auto it = std::sregex_iterator(log.begin(), log.end(), line_re); it != std::sregex_iterator();
       ++it) {
    if (std::stod((*it)[1]) > lag_seconds) {
      lag_seconds = std::stod((*it)[1]);
      lag_bytes = std::stoll((*it)[2]);
    }
  }
  std::printf("resplit's lag for the paused replica: %.3f s, %lld bytes (direct: %lld bytes, "
              "one second of writes: %.0f bytes)\n",
              lag_seconds, lag_bytes, direct_lag_bytes, bytes_per_second);
  EXPECT_GE(lag_seconds, 2.0);
  EXPECT_LE(std::abs(double(lag_bytes - direct_lag_bytes)), bytes_per_second);
}

class StalenessTest : public ProxyFixture {
 protected:
  std::string proxy_config() const override { return "routing: {max_replication_lag: 500ms}\n"; }
  // Replica 0 follows the master through a relay that can hold its replication stream back.
  void SetUp() override {
    ProxyFixture::SetUp();
    if (HasFatalFailure()) return;
    relay_ = std::make_unique<LinkRelay>(master().port());
    ASSERT_EQ(replica(0).client().command(
                  {"REPLICAOF", RedisProcess::kHost, std::to_string(relay_->port())}),
              Reply::status("OK"));
    std::this_thread::sleep_for(200ms);
    ASSERT_TRUE(topology().wait_for_sync());
  }
  void TearDown() override {
    ProxyFixture::TearDown();
    relay_.reset();
  }
  std::unique_ptr<LinkRelay> relay_;
};

struct TimedRead {
  int key;
  long long seq;
  Clock::time_point sent, answered;
};

TEST_F(StalenessTest, NoReadIsStalerThanTheLagLimit) {
  constexpr int kKeys = 16;
  constexpr int kReaders = 6;
  constexpr long long kMaxWrites = 400'000;
  constexpr auto kMaxLag = 500ms;
  constexpr auto kSlack = 300ms;
  // Write seq goes to key seq % kKeys with value "seq:<monotonic ns>"; acked[seq] is when its OK
  // came back. A read of seq j missed write j + kKeys, acked at acked[j + kKeys].
  std::vector<std::atomic<int64_t>> acked(kMaxWrites);
  auto now_ns = [] { return Clock::now().time_since_epoch().count(); };
  std::atomic<long long> written{0};
  auto m = master().client();
  for (long long seq = 0; seq < kKeys; ++seq) {
    ASSERT_EQ(m.command({"SET", "ts:" + std::to_string(seq),
                         std::to_string(seq) + ":" + std::to_string(now_ns())}),
              Reply::status("OK"));
    acked[seq] = now_ns();
  }
  written = kKeys;
  ASSERT_TRUE(topology().wait_for_sync());
  std::this_thread::sleep_for(500ms);
  const long long master_before = calls(master(), "get");

  const auto deadline = Clock::now() + 60s;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    RedisClient w = master().client(5s);
    for (long long seq = kKeys; seq < kMaxWrites && !stop && Clock::now() < deadline; ++seq) {
      const Reply r = w.command({"SET", "ts:" + std::to_string(seq % kKeys),
                                 std::to_string(seq) + ":" + std::to_string(now_ns())});
      if (r != Reply::status("OK")) break;
      acked[seq] = now_ns();
      written = seq + 1;
      std::this_thread::sleep_for(500us);
    }
  });
  std::atomic<long long> errors{0}, unparsed{0};
  std::vector<std::vector<TimedRead>> reads(kReaders);
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      RedisClient c = proxy().client(10s);
      for (int i = 0; !stop && Clock::now() < deadline && i < 2'000'000; ++i) {
        const int key = (i * 7 + r) % kKeys;
        TimedRead read{key, -1, Clock::now(), {}};
        const Reply got = c.command({"GET", "ts:" + std::to_string(key)});
        read.answered = Clock::now();
        if (got.type != Reply::Type::kString) {
          ++errors;
          if (!c.connected()) c.reconnect();
          continue;
        }
        read.seq = std::stoll(got.str.substr(0, got.str.find(':')));
        if (read.seq % kKeys != key) ++unparsed;
        reads[r].push_back(read);
      }
    });
  }
  // Faults of various lengths, most longer than the lag limit: replica 0's replication stream is
  // held back while it keeps answering reads, replica 1 is stopped.
  const std::vector<std::chrono::milliseconds> faults = {300ms, 700ms, 1000ms, 1200ms, 800ms,
                                                          1500ms, 400ms, 1100ms, 2000ms, 900ms};
  std::this_thread::sleep_for(1s);
  for (size_t i = 0; i < faults.size(); ++i) {
    if (i % 2 == 0) {
      relay_->hold(true);
      std::this_thread::sleep_for(faults[i]);
      relay_->hold(false);
    } else {
      replica(1).pause();
      std::this_thread::sleep_for(faults[i]);
      replica(1).resume();
    }
    std::this_thread::sleep_for(1200ms);
  }
  stop = true;
  writer.join();
  for (auto& t : readers) t.join();

  long long total = 0, stale = 0, violations = 0;
  double worst_ms = 0, worst_margin_ms = -1e9;
  const long long last = written.load();
  for (const auto& list : reads) {
    for (const TimedRead& read : list) {
      ++total;
      const long long missed = read.seq + kKeys;
      if (missed >= last) continue;
      const int64_t missed_ack = acked[missed].load();
      const double staleness_ms = double(read.sent.time_since_epoch().count() - missed_ack) / 1e6;
      if (staleness_ms <= 0) continue;
      ++stale;
      const double bound_ms =
          std::chrono::duration<double, std::milli>(kMaxLag + kPollInterval + kSlack).count() +
          ms_between(read.sent, read.answered);
      worst_ms = std::max(worst_ms, staleness_ms);
      worst_margin_ms = std::max(worst_margin_ms, staleness_ms - bound_ms);
      if (staleness_ms > bound_ms) ++violations;
    }
  }
  const long long on_master = calls(master(), "get") - master_before;
  std::printf("staleness: writes %lld; reads %lld (%.1f%% answered by replicas); reads that missed "
              "an acked write: %lld; worst staleness %.1f ms (bound: 500 ms lag + 100 ms poll + "
              "300 ms slack + the read's own time; closest to it: %.1f ms over); violations: %lld; "
              "errors: %lld\n",
              last, total, 100.0 * double(total - on_master) / double(std::max(1LL, total)), stale,
              worst_ms, worst_margin_ms, violations, errors.load());
  EXPECT_EQ(violations, 0);
  EXPECT_EQ(unparsed.load(), 0);
  // Stops are shorter than the command deadline: a read held by a stopped replica is answered late.
  EXPECT_LE(errors.load(), kReaders);
  EXPECT_GT(total, 1000);
}

}  // namespace
}  // namespace resplit::testkit
