#include "tests/testing/checker_client.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>

#include "tests/testing/process_probe.h"
#include "tests/testing/redis_client.h"
#include "tests/testing/reply.h"

namespace resplit::testkit {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxSamples = 8;
// What resplit's error says when a command ran into timeouts.command.
constexpr std::string_view kTimedOut = "backend timed out";
constexpr size_t kPreloadBatch = 500;

uint32_t fnv1a(std::string_view bytes) {
  uint32_t h = 2166136261u;
  for (unsigned char c : bytes) h = (h ^ c) * 16777619u;
  return h;
}

std::string dataset_key(const CheckerOptions& options, size_t i) {
  return options.prefix + "d:" + std::to_string(i);
}

std::string log_key(const CheckerOptions& options, size_t session) {
  return options.prefix + options.run + "log:" + std::to_string(session);
}

}  // namespace

std::string dataset_value(size_t i) {
  char hash[9];
  std::snprintf(hash, sizeof hash, "%08x", fnv1a("d:" + std::to_string(i)));
  return "v:" + std::to_string(i) + ":" + hash;
}

void preload_dataset(uint16_t master_port, const CheckerOptions& options) {
  RedisClient client(master_port, std::chrono::seconds(10));
  for (size_t start = 0; start < options.dataset; start += kPreloadBatch) {
    std::vector<std::vector<std::string>> batch;
    for (size_t i = start; i < std::min(options.dataset, start + kPreloadBatch); ++i) {
      batch.push_back({"SET", dataset_key(options, i), dataset_value(i)});
    }
    for (const Reply& r : client.pipeline(batch)) {
      if (r != Reply::status("OK")) throw std::runtime_error("preload failed: " + to_string(r));
    }
  }
}

Checker::Checker(uint16_t port, CheckerOptions options)
    : port_(port),
      options_(std::move(options)),
      writes_(options_.sessions + options_.reader_sessions),
      answered_at_(options_.sessions + options_.reader_sessions),
      latencies_(options_.sessions + options_.reader_sessions) {}

void Checker::start() {
  started_ = Clock::now();
  const size_t all = options_.sessions + options_.reader_sessions;
  for (size_t s = 0; s < all; ++s) threads_.emplace_back([this, s] { run(s); });
}

void Checker::stop() {
  stop_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  if (!threads_.empty()) stopped_ = Clock::now();
  threads_.clear();
}

void Checker::run(size_t session) {
  const auto deadline = Clock::now() + options_.max_duration;
  const size_t writes = session < options_.sessions ? options_.writes_per_round : 0;
  const size_t per_round = writes + options_.reads_per_round;
  const size_t all = options_.sessions + options_.reader_sessions;
  const auto interval =
      options_.target_ops_per_second > 0
          ? std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                static_cast<double>(per_round * all) / options_.target_ops_per_second))
          : Clock::duration::zero();
  std::mt19937_64 rng(session * 7919 + 1);
  std::uniform_int_distribution<size_t> pick(0, std::max<size_t>(options_.dataset, 1) - 1);
  std::unique_ptr<RedisClient> client;
  uint16_t client_port = 0;
  auto next_round = Clock::now();
  const std::string list = log_key(options_, session);

  for (uint64_t round = 0; round < options_.max_rounds_per_session && !stop_; ++round) {
    if (Clock::now() >= deadline) break;
    if (!client || !client->connected() || client_port != port_) {
      client_port = port_;
      client = std::make_unique<RedisClient>(client_port, options_.client_timeout);
      if (round > 0) {
        std::lock_guard lock(mutex_);
        ++counts_.reconnects;
      }
      if (!client->connected()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
    }
    std::vector<std::vector<std::string>> commands;
    std::vector<uint64_t> seqs;
    {
      // The seq is recorded (as indeterminate) before the write leaves, so that an audit after
      // any interruption still knows about it.
      std::lock_guard lock(mutex_);
      for (size_t w = 0; w < writes; ++w) {
        const uint64_t seq = writes_[session].size();
        writes_[session].push_back(WriteOutcome::kIndeterminate);
        answered_at_[session].emplace_back();
        seqs.push_back(seq);
        commands.push_back({"RPUSH", list, log_entry(session, seq)});
      }
    }
    std::vector<size_t> keys;
    for (size_t r = 0; r < options_.reads_per_round; ++r) {
      keys.push_back(pick(rng));
      commands.push_back({"GET", dataset_key(options_, keys.back())});
    }
    const auto sent = Clock::now();
    const std::vector<Reply> replies = client->pipeline(commands);
    const auto answered = Clock::now();

    bool broken = false;
    uint64_t acked = 0;
    {
      std::lock_guard lock(mutex_);
      latencies_[session].record(answered - sent);
      auto note = [this](std::string what) {
        if (counts_.samples.size() < kMaxSamples) counts_.samples.push_back(std::move(what));
      };
      for (size_t i = 0; i < replies.size(); ++i) {
        const Reply& r = replies[i];
        if (!r.from_server()) {
          broken = true;
          if (i >= seqs.size()) ++counts_.read_errors;
          continue;  // a write stays indeterminate
        }
        ++counts_.ops;
        counts_.timed_out += r.is_error() && r.str.find(kTimedOut) != std::string::npos;
        if (i < seqs.size()) {
          WriteOutcome& outcome = writes_[session][seqs[i]];
          if (r.type == Reply::Type::kInteger && r.integer >= 1) {
            outcome = WriteOutcome::kAcked;
            answered_at_[session][seqs[i]] = answered;
            ++acked;
          } else if (r.is_error()) {
            outcome = classify_write_error(r.str);
            ++(outcome == WriteOutcome::kNotExecuted ? counts_.not_executed
                                                     : counts_.indeterminate);
            note("RPUSH " + log_entry(session, seqs[i]) + ": " + to_string(r));
          } else {
            ++counts_.wrong_replies;
            ++counts_.indeterminate;
            note("WRONG: RPUSH " + log_entry(session, seqs[i]) + " got " + to_string(r));
          }
        } else {
          const size_t key = keys[i - seqs.size()];
          if (r == Reply::bulk(dataset_value(key))) {
            ++counts_.reads_ok;
          } else if (r.is_error()) {
            ++counts_.read_errors;
            note("GET d:" + std::to_string(key) + ": " + to_string(r));
          } else {
            ++counts_.wrong_replies;
            note("WRONG: GET d:" + std::to_string(key) + " got " + to_string(r));
          }
        }
      }
      for (size_t i = 0; i < seqs.size(); ++i) {
        if (i >= replies.size() || !replies[i].from_server()) ++counts_.indeterminate;
      }
      counts_.acked += acked;
    }
    acked_total_ += acked;
    if (broken) client.reset();
    if (interval > Clock::duration::zero()) {
      next_round += interval;
      const auto now = Clock::now();
      if (next_round < now) next_round = now;  // behind after a fault: do not burst to catch up
      std::this_thread::sleep_until(std::min(next_round, deadline));
    }
  }
}

CheckerCounts Checker::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

bool Checker::wait_for_acks(uint64_t more, std::chrono::milliseconds deadline) const {
  const uint64_t target = acked_total_ + more;
  const auto until = Clock::now() + deadline;
  while (acked_total_ < target) {
    if (Clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::optional<Clock::time_point> Checker::acked_at(size_t session, uint64_t seq) const {
  std::lock_guard lock(mutex_);
  if (session >= writes_.size() || seq >= writes_[session].size() ||
      writes_[session][seq] != WriteOutcome::kAcked) {
    return std::nullopt;
  }
  return answered_at_[session][seq];
}

LatencyHistogram Checker::latencies() const {
  std::lock_guard lock(mutex_);
  LatencyHistogram all;
  for (const auto& h : latencies_) all.merge(h);
  return all;
}

AuditResult Checker::audit(uint16_t master_port) const {
  RedisClient client(master_port, std::chrono::seconds(10));
  std::vector<std::vector<std::string>> lists(writes_.size());
  for (size_t s = 0; s < options_.sessions; ++s) {
    const Reply r = client.command({"LRANGE", log_key(options_, s), "0", "-1"});
    if (r.type != Reply::Type::kArray) {
      throw std::runtime_error("LRANGE on the final master failed: " + to_string(r));
    }
    for (const Reply& e : r.elements) lists[s].push_back(e.str);
  }
  std::lock_guard lock(mutex_);
  return audit_writes(writes_, lists);
}

std::string Checker::figures(const std::string& name, const AuditResult& audit,
                             pid_t proxy_pid) const {
  const CheckerCounts c = counts();
  const LatencyHistogram h = latencies();
  const double seconds = std::chrono::duration<double>(
      (stopped_ > started_ ? stopped_ : Clock::now()) - started_).count();
  std::ostringstream out;
  out << "FIGURES " << name << ": ops=" << c.ops << " (" << static_cast<uint64_t>(c.ops / seconds)
      << "/s) acked=" << audit.acked << " lost=" << audit.lost
      << " indeterminate=" << audit.indeterminate << " (applied " << audit.indeterminate_applied
      << ") not_executed=" << audit.not_executed << " phantom=" << audit.phantom
      << " duplicates=" << audit.duplicates << " order=" << audit.order_violations
      << " wrong=" << c.wrong_replies << " read_errors=" << c.read_errors
      << " reconnects=" << c.reconnects << " p50=" << h.percentile(50).count()
      << "us p99=" << h.percentile(99).count() << "us max=" << h.max().count() << "us";
  if (proxy_pid > 0) out << " peak_rss=" << process_peak_rss_kib(proxy_pid) / 1024 << "MiB";
  return out.str();
}

}  // namespace resplit::testkit
