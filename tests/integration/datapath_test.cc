// The data path end to end: long pipelines of mixed commands answered byte for byte as the master
// answers them, whatever the chunking; reads spread over the replicas only with
// read_policy: replica; and the stock redis-benchmark and redis-cli tools working through resplit.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <iostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/proxy_fixture.h"
#include "tests/testing/raw_client.h"
#include "tests/testing/reply.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string resp(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

const std::string kBig(100 * 1024, 'b');

// Keys every run starts with: read-only during the pipeline, so their replies never change.
void preload(RedisProcess& master) {
  auto c = master.client(10s);
  std::vector<std::vector<std::string>> cmds;
  for (int i = 0; i < 100; ++i) {
    cmds.push_back({"SET", "pre:" + std::to_string(i), "v" + std::to_string(i)});
  }
  cmds.push_back({"SET", "pre:big", kBig});
  cmds.push_back({"RPUSH", "pre:list", "a", "b"});
  for (const auto& r : c.pipeline(cmds)) ASSERT_FALSE(r.is_error()) << r;
}

// A pipeline of `count` mixed commands: GETs of preloaded keys, writes of keys that only this
// pipeline touches, WRONGTYPE and wrong-arity errors, and 100 KiB values both ways.
std::string mixed_pipeline(size_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    const std::string n = std::to_string(i);
    switch (rng() % 10) {
      case 0: case 1: case 2:
        out += resp({"GET", "pre:" + std::to_string(rng() % 120)});  // some are missing: nil
        break;
      case 3:  // a write, and a read of an earlier write of this pipeline (read-your-writes)
        out += (rng() % 2 == 0) ? resp({"SET", "w:" + n, "value" + n})
                                : resp({"GET", "w:" + std::to_string(rng() % (i + 1))});
        break;
      case 4: out += resp({"INCR", "w:counter"}); break;
      case 5: out += resp({"RPUSH", "w:list", n}); break;
      case 6: out += resp({"GET", "pre:list"}); break;   // WRONGTYPE from a read
      case 7:  // WRONGTYPE, and a value that is not an integer, from writes
        out += (rng() % 2 == 0) ? resp({"INCR", "pre:list"}) : resp({"INCR", "pre:1"});
        break;
      case 8:  // wrong arity, an unknown command
        switch (rng() % 3) {
          case 0: out += resp({"GET"}); break;
          case 1: out += resp({"SET", "w:x"}); break;
          default: out += resp({"NOSUCHCMD", "a", "b"}); break;
        }
        break;
      default:
        out += (rng() % 2 == 0) ? resp({"GET", "pre:big"}) : resp({"SET", "w:big:" + n, kBig});
    }
  }
  return out;
}

// Sends `bytes` in pieces of the given sizes (cycled), draining replies between pieces so neither
// side stalls on full socket buffers, then reads until `replies` replies came.
RawClient::Received exchange(uint16_t port, std::string_view bytes, size_t replies,
                             const std::vector<size_t>& pieces) {
  RawClient raw(port);
  RawClient::Received all;
  if (!raw.connected()) return all;
  const auto deadline = Clock::now() + 120s;
  auto absorb = [&all](const RawClient::Received& r) {
    all.bytes += r.bytes;
    all.replies += r.replies;
    all.closed = all.closed || r.closed;
  };
  size_t next = 0;
  while (!bytes.empty() && Clock::now() < deadline) {
    const size_t n = std::min(bytes.size(), pieces[next++ % pieces.size()]);
    if (!raw.send(bytes.substr(0, n), 10s)) break;
    bytes.remove_prefix(n);
    absorb(raw.read_for(pieces.size() == 1 && pieces[0] == 1 ? 0ms : 1ms));
  }
  if (all.replies < replies) absorb(raw.read_until(replies - all.replies, 60s));
  return all;
}

class DatapathTest : public ProxyFixture {
 protected:
  // Runs `bytes` through resplit, then again straight into the master after FLUSHALL and the same
  // preload: the writes name the same keys in both runs, and each run starts from the same data,
  // so every reply (counters, list lengths, errors) must be the same byte for byte.
  void expect_same_as_master(const std::string& bytes, size_t replies,
                             const std::vector<std::vector<size_t>>& chunkings) {
    for (const auto& pieces : chunkings) {
      auto m = master().client(10s);
      ASSERT_EQ(m.command({"FLUSHALL"}), Reply::status("OK"));
      preload(master());
      ASSERT_TRUE(topology().wait_for_sync(30s));
      const auto start = Clock::now();
      const auto proxied = exchange(proxy().port(), bytes, replies, pieces);
      const auto proxied_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();

      ASSERT_EQ(m.command({"FLUSHALL"}), Reply::status("OK"));
      preload(master());
      const auto direct = exchange(master().port(), bytes, replies, {1 << 16});
      ASSERT_EQ(direct.replies, replies);
      EXPECT_EQ(proxied.replies, replies);
      EXPECT_FALSE(proxied.closed);
      EXPECT_TRUE(proxied.bytes == direct.bytes)
          << "replies differ; sizes " << proxied.bytes.size() << " vs " << direct.bytes.size();
      std::cout << "pipeline of " << replies << " commands, " << bytes.size()
                << " request bytes, first piece " << pieces[0] << " B: " << proxied.bytes.size()
                << " reply bytes in " << proxied_ms << " ms through resplit, identical="
                << (proxied.bytes == direct.bytes) << "\n";
    }
  }
};

TEST_F(DatapathTest, TenThousandMixedCommandsAnswerLikeTheMaster) {
  expect_same_as_master(mixed_pipeline(10000, 7), 10000, {{1 << 16}});
}

TEST_F(DatapathTest, AnyChunkingOfAPipelineAnswersLikeTheMaster) {
  // Few 100 KiB values: one byte per write is slow on purpose.
  std::string bytes;
  std::mt19937 rng(11);
  for (int i = 0; i < 200; ++i) {
    const std::string n = std::to_string(i);
    switch (rng() % 5) {
      case 0: bytes += resp({"GET", "pre:" + std::to_string(rng() % 120)}); break;
      case 1: bytes += resp({"SET", "w:" + n, "v" + n}); break;
      case 2: bytes += resp({"INCR", "w:counter"}); break;
      case 3: bytes += resp({"GET", "pre:list"}); break;
      default: bytes += resp({"SET", "w:y"}); break;
    }
  }
  expect_same_as_master(bytes, 200, {{1}, {7, 1, 300, 2, 64}, {3, 1000, 5}, {4096}});
}

class ReplicaReadsTest : public ProxyFixture {
 protected:
  std::string proxy_config() const override { return "routing: {read_policy: replica}\n"; }
};

TEST_F(ReplicaReadsTest, HundredThousandGetsLandOnTheReplicasOnly) {
  ASSERT_EQ(client().command({"SET", "hot", "1"}), Reply::status("OK"));
  ASSERT_TRUE(topology().wait_for_sync(10s));
  // Both replicas are in rotation once each has served a probe GET.
  {
    auto probe = client();
    const long long r0 = calls(replica(0), "get"), r1 = calls(replica(1), "get");
    const auto deadline = Clock::now() + 20s;
    while (Clock::now() < deadline &&
           (calls(replica(0), "get") == r0 || calls(replica(1), "get") == r1)) {
      probe.pipeline(std::vector<std::vector<std::string>>(20, {"GET", "hot"}));
    }
    ASSERT_GT(calls(replica(0), "get"), r0);
    ASSERT_GT(calls(replica(1), "get"), r1);
  }
  const long long m0 = calls(master(), "get");
  const long long r0 = calls(replica(0), "get"), r1 = calls(replica(1), "get");
  constexpr int kConnections = 4, kBatches = 25, kBatch = 1000;
  const auto start = Clock::now();
  std::vector<std::future<long long>> workers;
  for (int w = 0; w < kConnections; ++w) {
    workers.push_back(std::async(std::launch::async, [this] {
      auto c = proxy().client(30s);
      long long good = 0;
      const std::vector<std::vector<std::string>> batch(kBatch, {"GET", "hot"});
      for (int b = 0; b < kBatches; ++b) {
        for (const auto& r : c.pipeline(batch)) good += r == Reply::bulk("1") ? 1 : 0;
      }
      return good;
    }));
  }
  long long good = 0;
  for (auto& w : workers) good += w.get();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  const long long dm = calls(master(), "get") - m0;
  const long long d0 = calls(replica(0), "get") - r0, d1 = calls(replica(1), "get") - r1;
  std::cout << "100000 GETs in " << ms << " ms (" << (ms > 0 ? 100000 * 1000 / ms : 0)
            << "/s): master " << dm << ", replica0 " << d0 << ", replica1 " << d1 << "\n";
  EXPECT_EQ(good, kConnections * kBatches * kBatch);
  EXPECT_EQ(dm, 0);
  EXPECT_GT(d0, 0);
  EXPECT_GT(d1, 0);
  EXPECT_EQ(d0 + d1, kConnections * kBatches * kBatch);
}

// Output and exit status of a shell command (bounded by `timeout` in the command itself).
std::pair<std::string, int> run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {"popen failed", -1};
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) out.append(buffer, n);
  return {out, ::pclose(pipe)};
}

TEST_F(DatapathTest, RedisBenchmarkRunsWithoutErrors) {
  const std::string port = std::to_string(proxy().port());
  const auto [out, status] =
      run("timeout 300 redis-benchmark -h 127.0.0.1 -p " + port +
          " -t set,get,incr,lpush,lpop,mset -c 50 -P 16 -n 100000 -q");
  std::cout << "redis-benchmark through resplit:\n" << out << "\n";
  EXPECT_EQ(status, 0) << out;
  size_t results = 0, errors = 0, from = 0;
  while (from < out.size()) {
    size_t end = out.find_first_of("\r\n", from);
    if (end == std::string::npos) end = out.size();
    const std::string line = out.substr(from, end - from);
    from = end + 1;
    if (line.find("requests per second") != std::string::npos &&
        line.rfind("WARNING", 0) != 0) {
      ++results;
    }
    if (line.find("Error") != std::string::npos || line.find("ERR") != std::string::npos) {
      ++errors;
    }
  }
  EXPECT_EQ(errors, 0u) << out;
  EXPECT_GE(results, 6u) << out;  // one summary line per test (lpush/lpop/mset/...)
}

TEST_F(DatapathTest, RedisCliWorksThroughResplit) {
  const std::string port = std::to_string(proxy().port());
  const auto [out, status] =
      run("printf 'SET a 1\\nGET a\\nINCR a\\nGET\\n' | timeout 20 redis-cli -p " + port);
  std::cout << "redis-cli session:\n" << out;
  EXPECT_EQ(status, 0);
  EXPECT_EQ(out, "OK\n1\n2\nERR wrong number of arguments for 'get' command\n\n")
      << "(exact text of redis-cli without a tty)";

  // What redis-cli asks at start-up for its hints: the whole COMMAND DOCS.
  const auto [docs, docs_status] = run("timeout 20 redis-cli -p " + port + " COMMAND DOCS");
  const auto [direct, direct_status] =
      run("timeout 20 redis-cli -p " + std::to_string(master().port()) + " COMMAND DOCS");
  std::cout << "COMMAND DOCS through resplit: " << docs.size() << " bytes of redis-cli output, "
            << "straight from the master: " << direct.size() << "\n";
  EXPECT_EQ(docs_status, 0);
  EXPECT_GT(docs.size(), 10000u);
  EXPECT_NE(docs.find("summary"), std::string::npos);
  EXPECT_EQ(docs, direct);
}

}  // namespace
}  // namespace resplit::testkit
