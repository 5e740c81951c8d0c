// The request path allocates nothing in steady state. resplit's server runs in this process (one
// worker) in front of a real master and replica; clients pipeline GET and SET through it, and
// every heap allocation of the process, on any thread, is counted between two points once the
// caches have warmed up. The topology is published by hand: the monitor, which polls Redis on its
// own thread and allocates doing so, is not running.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "proxy/config/config.h"
#include "proxy/server/server.h"
#include "proxy/server/shared_state.h"
#include "proxy/topology/snapshot.h"
#include "tests/server/counting_malloc.h"
#include "tests/testing/redis_topology_fixture.h"

namespace resplit::server {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kKeys = 8;  // a batch is SET and GET of each key: 16 commands
// Several clients at once, as under load: more operations in flight on the worker's thread.
constexpr size_t kClients = 4;
constexpr int kBatchesPerClient = 500;  // 2,000 batches, 32,000 commands counted
constexpr int kMinWarmUpBatches = 200;
constexpr int kAttempts = 3;
// Long enough for every timer of the worker to have fired once (idle check 1 s, command
// watchdog 2 s), so each has its block in Asio's cache before counting starts.
constexpr auto kMinWarmUp = 2500ms;
constexpr auto kRoundTripTimeout = 5s;

// A blocking client that allocates nothing per round trip: the request and the expected reply are
// built before counting starts, and replies are read into a fixed buffer and compared in place.
class PipelineClient {
 public:
  explicit PipelineClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~PipelineClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  PipelineClient(const PipelineClient&) = delete;
  PipelineClient& operator=(const PipelineClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Where the last failed round trip went wrong (bytes received before it), for the message.
  size_t failed_at() const { return failed_at_; }

  // Sends `request` whole, then reads exactly `expected.size()` bytes and compares them.
  bool round_trip(std::string_view request, std::string_view expected) {
    const auto deadline = Clock::now() + kRoundTripTimeout;
    for (size_t sent = 0; sent < request.size();) {
      const ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return fail(0);
      sent += static_cast<size_t>(n);
    }
    size_t got = 0;
    while (got < expected.size()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return fail(got);
      const size_t room = std::min(buffer_.size(), expected.size() - got);
      const ssize_t n = ::recv(fd_, buffer_.data(), room, 0);
      if (n <= 0) return fail(got);
      if (std::memcmp(buffer_.data(), expected.data() + got, static_cast<size_t>(n)) != 0) {
        return fail(got);
      }
      got += static_cast<size_t>(n);
    }
    return true;
  }

 private:
  bool fail(size_t at) {
    failed_at_ = at;
    return false;
  }

  int fd_ = -1;
  size_t failed_at_ = 0;
  std::array<char, 16 * 1024> buffer_{};
};

std::string command(std::initializer_list<std::string_view> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (std::string_view a : args) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out.append(a);
    out += "\r\n";
  }
  return out;
}

// The counter sees operator new and the C allocation functions alike (Asio uses aligned_alloc).
TEST(CountingMallocTest, CountsEveryKindOfAllocation) {
  if (!testkit::allocation_counting_available()) GTEST_SKIP() << "sanitizer build";
  static void* volatile escape;  // keeps the compiler from eliding the allocations
  testkit::start_counting_allocations();
  auto* text = new std::string(100, 'x');  // the string object and its characters
  escape = text;
  void* block = std::malloc(10);
  escape = block;
  void* aligned = std::aligned_alloc(64, 128);
  escape = aligned;
  testkit::stop_counting_allocations();
  std::free(aligned);
  std::free(block);
  delete text;
  EXPECT_EQ(testkit::counted_allocations(), 4u);
}

// Batches of 16 commands; the values never change, only get rewritten, so a GET has the same
// answer from the master and the replica.
struct Batch {
  std::string request;
  std::string reply;
};

Batch make_batch(bool reads_first) {
  const std::string value(64, 'v');
  const std::string get_reply = "$" + std::to_string(value.size()) + "\r\n" + value + "\r\n";
  Batch reads;
  Batch writes;
  for (int i = 0; i < kKeys; ++i) {
    const std::string key = "hot:" + std::to_string(i);
    const std::string other = "hot:" + std::to_string((i + kKeys / 2) % kKeys);
    if (reads_first) {
      reads.request += command({"GET", other});
      reads.reply += get_reply;
      writes.request += command({"SET", key, value});
      writes.reply += "+OK\r\n";
    } else {
      writes.request += command({"SET", key, value}) + command({"GET", other});
      writes.reply += "+OK\r\n" + get_reply;
    }
  }
  return {reads.request + writes.request, reads.reply + writes.reply};
}

Batch make_load() {
  Batch load;
  for (int i = 0; i < kKeys; ++i) {
    load.request += command({"SET", "hot:" + std::to_string(i), std::string(64, 'v')});
    load.reply += "+OK\r\n";
  }
  return load;
}

uint64_t role_calls(testkit::RedisProcess& server) {
  const auto info = server.client().info("commandstats");
  const auto it = info.find("cmdstat_role");
  if (it == info.end() || !it->second.starts_with("calls=")) return 0;
  return std::strtoull(it->second.c_str() + 6, nullptr, 10);
}

class HotPathAllocTest : public testkit::RedisTopologyFixture {
 protected:
  testkit::TopologyOptions topology_options() const override {
    testkit::TopologyOptions options;
    options.replicas = 1;
    return options;
  }

  // What the topology says the replica has processed; read-your-writes compares it with the
  // offset of the client's last write.
  virtual uint64_t replica_offset() const = 0;

  void SetUp() override {
    if (!testkit::allocation_counting_available()) {
      GTEST_SKIP() << "the sanitizer's allocator cannot be counted";
    }
    RedisTopologyFixture::SetUp();
    if (HasFatalFailure()) return;

    auto config = std::make_shared<config::Config>();
    config->source = "<hot path test>";
    config->listen.address = {"127.0.0.1", 0};
    config->listen.workers = 1;
    config->admin.address.reset();
    config->master = config::HostPort{"127.0.0.1", master().port()};
    config->replicas.addresses = {{"127.0.0.1", replica(0).port()}};
    shared_ = std::make_unique<SharedState>(config);
    shared_->topology.publish(std::make_shared<const topology::TopologySnapshot>(snapshot()));
    server_ = std::make_unique<Server>(*shared_);
    server_->start();
  }

  void TearDown() override {
    if (server_) server_->stop();
    server_.reset();
    shared_.reset();
    RedisTopologyFixture::TearDown();
  }

  // Master and replica up and routable.
  topology::TopologySnapshot snapshot() {
    topology::TopologySnapshot t;
    t.version = 1;
    topology::BackendState master_state;
    master_state.id = 0;
    master_state.address = {"127.0.0.1", master().port()};
    master_state.role = topology::Role::kMaster;
    topology::BackendState replica_state;
    replica_state.id = 1;
    replica_state.address = {"127.0.0.1", replica(0).port()};
    replica_state.role = topology::Role::kReplica;
    replica_state.link_up = true;
    replica_state.offset = replica_offset();
    for (topology::BackendState* b : {&master_state, &replica_state}) {
      b->reachable = true;
      b->routable = true;
      b->exclusion = topology::Exclusion::kNone;
    }
    t.backends = {master_state, replica_state};
    t.master = 0;
    t.routable_replicas = {1};
    return t;
  }

  // Each client warms up, then all send their batches together while every allocation of the
  // process is counted.
  void expect_no_allocations(const Batch& batch) {
    {
      PipelineClient loader(server_->port());
      ASSERT_TRUE(loader.connected());
      const Batch load = make_load();
      ASSERT_TRUE(loader.round_trip(load.request, load.reply)) << "at " << loader.failed_at();
    }
    ASSERT_TRUE(topology().wait_for_sync());

    struct Run {
      std::unique_ptr<PipelineClient> client;
      int warm_up = 0;
      int done = 0;
      bool ok = true;
    };
    std::array<Run, kClients> runs;
    for (Run& run : runs) {
      run.client = std::make_unique<PipelineClient>(server_->port());
      ASSERT_TRUE(run.client->connected());
    }
    // Warm-up: each client alone at first, then all together as measured.
    std::array<std::thread, kClients> threads;
    for (size_t i = 0; i < kClients; ++i) {
      threads[i] = std::thread([&, i] {
        Run& run = runs[i];
        const auto warm_up_start = Clock::now();
        while (run.ok && (run.warm_up < kMinWarmUpBatches ||
                          Clock::now() - warm_up_start < kMinWarmUp)) {
          run.ok = run.client->round_trip(batch.request, batch.reply);
          ++run.warm_up;
        }
      });
    }
    for (std::thread& t : threads) t.join();  // each round trip has its own deadline

    // A buffer may still meet a batch larger than any before (a loaded machine coalesces replies
    // differently) and grow once; an allocation per request would show in every attempt, by the
    // thousand. So the process must get through one attempt of 32,000 commands without any.
    size_t allocations = 0;
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
      std::atomic<bool> go{false};
      for (size_t i = 0; i < kClients; ++i) {
        threads[i] = std::thread([&, i] {
          Run& run = runs[i];
          run.done = 0;
          while (!go.load()) std::this_thread::sleep_for(1ms);
          while (run.ok && run.done < kBatchesPerClient) {
            run.ok = run.client->round_trip(batch.request, batch.reply);
            if (run.ok) ++run.done;
          }
        });
      }
      std::this_thread::sleep_for(10ms);  // every client waiting on `go`
      const auto start = Clock::now();
      testkit::start_counting_allocations();
      go.store(true);
      for (std::thread& t : threads) t.join();
      testkit::stop_counting_allocations();
      const auto elapsed = Clock::now() - start;

      int done = 0;
      for (const Run& run : runs) {
        ASSERT_TRUE(run.ok) << "after " << run.warm_up << " warm-up and " << run.done
                            << " counted batches, at byte " << run.client->failed_at();
        done += run.done;
      }
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
      const int commands = done * 2 * kKeys;
      allocations = testkit::counted_allocations();
      std::cout << "attempt " << attempt << ": " << commands << " commands from " << kClients
                << " clients in " << us / 1000 << " ms, after " << runs[0].warm_up
                << " warm-up batches each; heap allocations: " << allocations << " ("
                << testkit::counted_bytes() << " bytes)\n";
      if (allocations == 0) break;
    }
    EXPECT_EQ(allocations, 0u)
        << "run with --test_env=RESPLIT_ALLOC_TRACE=5 to see where they come from";
  }

  std::unique_ptr<SharedState> shared_;
  std::unique_ptr<Server> server_;
};

// The replica counts as caught up with every write, as it does once the monitor's offsets are
// fresh: reads between the client's writes go to it, reads after a write to the master.
class FreshReplicaTest : public HotPathAllocTest {
  uint64_t replica_offset() const override { return uint64_t{1} << 62; }
};

TEST_F(FreshReplicaTest, PipelinedGetAndSetAllocateNothing) {
  expect_no_allocations(make_batch(/*reads_first=*/false));
}

// The replica is not known to have the client's writes (the monitor polls only every 250 ms):
// each read at the start of a batch goes to the replica behind a probe of its own and is kept
// until the probe shows whether the master must answer it instead.
class ProbedReplicaTest : public HotPathAllocTest {
  uint64_t replica_offset() const override { return 0; }
};

TEST_F(ProbedReplicaTest, ReadsBehindProbesAllocateNothing) {
  const uint64_t probes_before = role_calls(replica(0));
  expect_no_allocations(make_batch(/*reads_first=*/true));
  // Most reads did go that way: the replica answered a probe for each.
  EXPECT_GT(role_calls(replica(0)) - probes_before, uint64_t{kClients * kBatchesPerClient});
}

}  // namespace
}  // namespace resplit::server
