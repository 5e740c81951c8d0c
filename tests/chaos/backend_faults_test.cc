// A5: a replica connection that breaks mid-stream. A relay between resplit and each replica
// answers with garbage, cuts the reply and closes, or resets, whenever a reply carries the value of
// the key "poison". Only requests pending on that backend connection may fail, with an error
// reply; every other reply must be the one its client asked for, and reads work again afterwards.
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/chaos/fault_relay.h"
#include "tests/testing/redis_topology_fixture.h"
#include "tests/testing/reply.h"
#include "tests/testing/resplit_process.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kPoison = "POISON-VALUE";
constexpr size_t kCheckers = 4;
constexpr size_t kKeysPerChecker = 10;  // one pipeline per round
constexpr size_t kMaxRounds = 100'000;
constexpr size_t kPoisonedReads = 6;

std::string key(size_t checker, size_t i) {
  return "d:" + std::to_string(checker) + ":" + std::to_string(i);
}
std::string value(size_t checker, size_t i) {
  return "v:" + std::to_string(checker) + ":" + std::to_string(i);
}

struct Tally {
  std::atomic<size_t> ok{0};
  std::atomic<size_t> errors{0};
  std::atomic<size_t> misdelivered{0};
  std::mutex mutex;
  std::set<std::string> error_texts;
  std::vector<std::string> wrong;  // first few misdeliveries, for the failure message
};

class BackendFaultsTest : public RedisTopologyFixture {
 protected:
  void SetUp() override {
    RedisTopologyFixture::SetUp();
    if (HasFatalFailure()) return;
    auto m = master().client();
    for (size_t c = 0; c < kCheckers; ++c) {
      for (size_t i = 0; i < kKeysPerChecker; ++i) {
        ASSERT_EQ(m.command({"SET", key(c, i), value(c, i)}), Reply::status("OK"));
      }
    }
    ASSERT_EQ(m.command({"SET", "poison", std::string(kPoison)}), Reply::status("OK"));
    ASSERT_TRUE(topology().wait_for_sync());
    std::vector<std::string> relayed;
    for (size_t r = 0; r < topology().replica_count(); ++r) {
      relays_.push_back(std::make_unique<FaultRelay>(replica(r).port(), std::string(kPoison)));
      relayed.push_back("127.0.0.1:" + std::to_string(relays_.back()->port()));
    }
    ResplitOptions options;
    options.config = static_config(master().address(), relayed);
    proxy_ = std::make_unique<ResplitProcess>(options);
    ASSERT_TRUE(reads_work(10s)) << "reads through resplit never succeeded";
  }

  void TearDown() override {
    if (proxy_ && HasFailure()) std::cerr << "--- resplit log ---\n" << proxy_->log_tail() << "\n";
    proxy_.reset();
    relays_.clear();
    RedisTopologyFixture::TearDown();
  }

  // Until a read of every checker key answers right, at most `deadline`.
  bool reads_work(std::chrono::milliseconds deadline) {
    const auto until = Clock::now() + deadline;
    for (int round = 0; round < 1000 && Clock::now() < until; ++round) {
      RedisClient c = proxy_->client();
      bool all = true;
      for (size_t i = 0; i < kKeysPerChecker && all; ++i) {
        all = c.command({"GET", key(0, i)}) == Reply::bulk(value(0, i));
      }
      if (all) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  void checker(size_t id, Tally& tally, const std::atomic<bool>& stop) {
    RedisClient c = proxy_->client(10s);
    std::vector<std::vector<std::string>> reads;
    for (size_t i = 0; i < kKeysPerChecker; ++i) reads.push_back({"GET", key(id, i)});
    for (size_t round = 0; round < kMaxRounds && !stop; ++round) {
      const std::vector<Reply> replies = c.pipeline(reads);
      for (size_t i = 0; i < replies.size(); ++i) {
        const Reply& r = replies[i];
        if (r == Reply::bulk(value(id, i))) {
          ++tally.ok;
        } else if (r.is_error()) {
          ++tally.errors;
          std::lock_guard lock(tally.mutex);
          tally.error_texts.insert(r.str);
        } else if (!r.from_server()) {
          // The client's own connection broke: reconnect; nothing was delivered wrongly.
          ++tally.errors;
          c = proxy_->client(10s);
          break;
        } else {
          ++tally.misdelivered;
          std::lock_guard lock(tally.mutex);
          if (tally.wrong.size() < 5) {
            tally.wrong.push_back(key(id, i) + " got " + to_string(r));
          }
        }
      }
    }
  }

  void run_fault(FaultRelay::Mode mode, const std::string& name) {
    for (auto& relay : relays_) relay->set_mode(mode);
    size_t faults_before = 0;
    for (auto& relay : relays_) faults_before += relay->faults();
    Tally tally;
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (size_t c = 0; c < kCheckers; ++c) {
      threads.emplace_back([this, c, &tally, &stop] { checker(c, tally, stop); });
    }
    std::map<std::string, size_t> poisoned_replies;
    for (size_t i = 0; i < kPoisonedReads; ++i) {
      std::this_thread::sleep_for(100ms);
      RedisClient c = proxy_->client(10s);
      const Reply r = c.command({"GET", "poison"});
      EXPECT_TRUE(r.is_error() || r == Reply::bulk(std::string(kPoison)))
          << name << ": the poisoned read got " << r;
      ++poisoned_replies[to_string(r)];
    }
    std::this_thread::sleep_for(200ms);
    stop = true;
    for (std::thread& t : threads) t.join();
    for (auto& relay : relays_) relay->set_mode(FaultRelay::Mode::kPass);

    size_t faults = 0;
    for (auto& relay : relays_) faults += relay->faults();
    std::cout << name << ": " << faults - faults_before << " backend connections broken; checkers "
              << tally.ok << " right, " << tally.errors << " errors, " << tally.misdelivered
              << " misdelivered\n";
    for (const auto& [reply, count] : poisoned_replies) {
      std::cout << "  poisoned read answered " << count << "x: " << reply << "\n";
    }
    for (const std::string& text : tally.error_texts) std::cout << "  checker error: " << text << "\n";
    EXPECT_GT(faults, faults_before) << name << ": no poisoned reply went through a relay";
    EXPECT_EQ(tally.misdelivered, 0u) << name << ": " << ::testing::PrintToString(tally.wrong);
    EXPECT_GT(tally.ok, 0u);
    EXPECT_TRUE(reads_work(10s)) << name << ": reads did not recover";
  }

  std::vector<std::unique_ptr<FaultRelay>> relays_;
  std::unique_ptr<ResplitProcess> proxy_;
};

TEST_F(BackendFaultsTest, GarbageFromAReplicaFailsOnlyItsPendingRequests) {
  run_fault(FaultRelay::Mode::kGarbage, "garbage");
}

TEST_F(BackendFaultsTest, TruncatedReplyThenEofFailsOnlyItsPendingRequests) {
  run_fault(FaultRelay::Mode::kTruncate, "truncate+EOF");
}

TEST_F(BackendFaultsTest, ResetFailsOnlyItsPendingRequests) {
  run_fault(FaultRelay::Mode::kReset, "reset");
}

TEST_F(BackendFaultsTest, Resp3FromAReplicaFailsOnlyItsPendingRequests) {
  run_fault(FaultRelay::Mode::kResp3, "RESP3 map");
}

// An extra reply on a connection with requests pending cannot be told from theirs; on a connection
// with nothing pending it must not be handed to the next request. So the poisoned read runs alone
// here, and every read after it must get its own value.
TEST_F(BackendFaultsTest, UnsolicitedReplyOnAnIdleConnectionReachesNobody) {
  for (auto& relay : relays_) relay->set_mode(FaultRelay::Mode::kUnsolicited);
  std::map<std::string, size_t> poisoned_replies;
  for (size_t i = 0; i < kPoisonedReads; ++i) {
    RedisClient c = proxy_->client(10s);
    ++poisoned_replies[to_string(c.command({"GET", "poison"}))];
    std::this_thread::sleep_for(100ms);
  }
  for (auto& relay : relays_) relay->set_mode(FaultRelay::Mode::kPass);
  size_t faults = 0;
  for (auto& relay : relays_) faults += relay->faults();
  EXPECT_GT(faults, 0u);
  size_t right = 0, errors = 0, misdelivered = 0;
  for (size_t round = 0; round < 50; ++round) {
    RedisClient c = proxy_->client(10s);
    for (size_t i = 0; i < kKeysPerChecker; ++i) {
      const Reply r = c.command({"GET", key(round % kCheckers, i)});
      if (r == Reply::bulk(value(round % kCheckers, i))) {
        ++right;
      } else if (r.is_error()) {
        ++errors;
      } else {
        ++misdelivered;
        ADD_FAILURE() << key(round % kCheckers, i) << " got " << r;
      }
    }
  }
  std::cout << "unsolicited: " << faults << " extra replies injected; later reads " << right
            << " right, " << errors << " errors, " << misdelivered << " misdelivered\n";
  for (const auto& [reply, count] : poisoned_replies) {
    std::cout << "  poisoned read answered " << count << "x: " << reply << "\n";
  }
  EXPECT_EQ(misdelivered, 0u);
}

}  // namespace
}  // namespace resplit::testkit::chaos
