#include "tests/integration/acked_writers.h"

#include <algorithm>
#include <iostream>

#include "tests/testing/redis_client.h"
#include "tests/testing/reply.h"

namespace resplit::testkit {
namespace {

constexpr size_t kMaxErrorSamples = 5;
constexpr size_t kCheckBatch = 1000;

std::string value_of(const std::string& key) { return key.substr(key.rfind(':') + 1); }

}  // namespace

AckedWriters::AckedWriters(uint16_t port, Options options)
    : port_(port), options_(std::move(options)), acked_(options_.writers) {}

void AckedWriters::start() {
  for (size_t w = 0; w < options_.writers; ++w) threads_.emplace_back([this, w] { run(w); });
}

void AckedWriters::stop() {
  stop_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void AckedWriters::note_error(const std::string& text) {
  std::lock_guard lock(mutex_);
  ++counts_.errors;
  if (counts_.error_samples.size() < kMaxErrorSamples) counts_.error_samples.push_back(text);
}

void AckedWriters::run(size_t writer) {
  const auto deadline = std::chrono::steady_clock::now() + options_.max_duration;
  RedisClient client(port_, options_.client_timeout);
  const std::string base = options_.prefix + ":" + std::to_string(writer) + ":";
  for (uint64_t n = 0; n < options_.max_writes_per_writer && !stop_; ++n) {
    if (std::chrono::steady_clock::now() >= deadline) break;
    if (!client.connected() && !client.reconnect()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    const std::string key = base + std::to_string(n);
    const std::string value = std::to_string(n);
    const Reply r = client.command({"SET", key, value});
    const auto at = std::chrono::steady_clock::now();
    if (!r.from_server()) {
      std::lock_guard lock(mutex_);
      ++counts_.indeterminate;
      continue;
    }
    if (r.is_error() && r.str.find("outcome of the command unknown") != std::string::npos) {
      std::lock_guard lock(mutex_);
      ++counts_.indeterminate;
      if (counts_.error_samples.size() < kMaxErrorSamples) {
        counts_.error_samples.push_back("SET: " + to_string(r));
      }
      continue;
    }
    if (r != Reply::status("OK")) {
      note_error("SET: " + to_string(r));
      continue;
    }
    {
      std::lock_guard lock(mutex_);
      acked_[writer].push_back({key, at});
      ++counts_.acked;
    }
    ++acked_total_;
    if (options_.wait_every > 0 && (n + 1) % options_.wait_every == 0) {
      // Every replica: with WAIT 1, Sentinel may promote the other one (it ranks replicas by
      // offsets it polled up to a second ago), and a write "replicated" there is lost with the
      // master, as Redis allows. A short timeout: after a failover one replica fewer answers.
      const std::string replicas = std::to_string(options_.wait_replicas);
      const Reply waited = client.command({"WAIT", replicas, "200"});
      if (waited.type == Reply::Type::kInteger &&
          waited.integer >= static_cast<long long>(options_.wait_replicas)) {
        std::lock_guard lock(mutex_);
        ++counts_.waits;
        for (auto it = acked_[writer].rbegin(); it != acked_[writer].rend() && !it->replicated;
             ++it) {
          it->replicated = true;
        }
      }
    }
    if (!options_.read_back) continue;
    const Reply got = client.command({"GET", key});
    if (got.is_error()) {
      note_error("GET: " + to_string(got));
    } else if (got.from_server()) {
      std::lock_guard lock(mutex_);
      ++counts_.reads;
      if (got != Reply::bulk(value)) ++counts_.wrong_reads;
    }
  }
}

WriterCounts AckedWriters::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

std::vector<AckedWrite> AckedWriters::acked() const {
  std::lock_guard lock(mutex_);
  std::vector<AckedWrite> all;
  for (const auto& per_writer : acked_) all.insert(all.end(), per_writer.begin(), per_writer.end());
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  return all;
}

bool AckedWriters::wait_for_acks(uint64_t from, uint64_t more,
                                 std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (int i = 0; i < 100000 && std::chrono::steady_clock::now() < deadline; ++i) {
    if (acked_count() >= from + more) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

void print_counts(const char* test, const WriterCounts& c) {
  std::cout << test << ": acked " << c.acked << ", errors " << c.errors << ", indeterminate "
            << c.indeterminate << ", read-backs " << c.reads << " (wrong " << c.wrong_reads
            << "), positive WAITs " << c.waits << "\n";
  for (const std::string& e : c.error_samples) std::cout << "  " << e << "\n";
}

std::vector<std::string> missing_writes(uint16_t port, const std::vector<AckedWrite>& writes) {
  RedisClient client(port, std::chrono::seconds(10));
  std::vector<std::string> missing;
  for (size_t start = 0; start < writes.size(); start += kCheckBatch) {
    const size_t end = std::min(writes.size(), start + kCheckBatch);
    std::vector<std::vector<std::string>> batch;
    for (size_t i = start; i < end; ++i) batch.push_back({"GET", writes[i].key});
    const std::vector<Reply> replies = client.pipeline(batch);
    for (size_t i = start; i < end; ++i) {
      const Reply& r = replies[i - start];
      if (r != Reply::bulk(value_of(writes[i].key))) missing.push_back(writes[i].key);
    }
  }
  return missing;
}

}  // namespace resplit::testkit
