// A2: the same pipelines delivered through resplit in one write, one byte at a time, and as two
// writes split at every offset (for the 64 KiB pipelines: every offset near a line end, near both
// ends, and every 251st). The replies must be byte-identical to the one-write delivery, which must
// itself equal redis-server's; no delivery may hang. Pipelines with 1 MiB values are cut at random.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/chaos/probe.h"
#include "tests/integration/proxy_fixture.h"
#include "tests/testing/raw_client.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr size_t kPipelines = 40;
constexpr size_t kBigPipelines = 5;  // the last ones carry 64 KiB values
constexpr size_t kBig = 64 * 1024;
constexpr size_t kExhaustiveUpTo = 4096;  // pipelines this short are split at every offset
constexpr auto kReplyDeadline = 5s;

std::string command(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// Requests whose replies do not depend on how often they ran before, so that one connection can
// replay a pipeline many times. Reads only touch keys loaded before the test.
const std::vector<std::string>& small_blocks() {
  static const std::vector<std::string> blocks = {
      command({"PING"}),
      command({"ECHO", "hello"}),
      command({"ECHO", ""}),
      command({"SET", "w:a", "value"}),
      command({"SET", "w:e", ""}),
      command({"GET", "d:1"}),
      command({"GET", "d:empty"}),
      command({"GET", "missing"}),
      command({"MGET", "d:1", "d:2", "missing", "d:empty"}),
      command({"EXISTS", "d:1", "d:2", "missing"}),
      command({"LRANGE", "d:list", "0", "-1"}),
      command({"HGETALL", "d:hash"}),
      command({"SET", "w:d", "x"}) + command({"DEL", "w:d"}),
      command({"MULTI"}) + command({"SET", "w:m", "1"}) + command({"GET", "d:2"}) +
          command({"EXEC"}),
      command({"GET"}),
      command({"NOSUCHCOMMAND", "a"}),
      "*0\r\n",
      "PING\r\n",
      "ECHO \"in line\"\r\n",
      "GET d:1\n",
      "\r\n",
      "MGET d:1 'missing' \"d:2\"\r\n",
      command({"ECHO", "a\r\nb\0c"}),
  };
  return blocks;
}

const std::string& big_value() {
  static const std::string value = [] {
    std::string v(kBig, 'x');
    for (size_t i = 0; i < v.size(); i += 7) v[i] = char('a' + i % 26);
    return v;
  }();
  return value;
}

std::vector<std::string> big_blocks() {
  return {command({"SET", "w:big", big_value()}), command({"GET", "d:big"}),
          command({"ECHO", big_value()}), command({"GET", "d:big"}) + "PING\r\n"};
}

std::vector<std::string> pipelines() {
  std::mt19937 random(20261206);  // fixed: the same pipelines on every run
  const auto& small = small_blocks();
  std::vector<std::string> out;
  for (size_t i = 0; i < kPipelines; ++i) {
    std::string p;
    const size_t blocks = 2 + random() % 6;
    for (size_t b = 0; b < blocks; ++b) p += small[random() % small.size()];
    if (i >= kPipelines - kBigPipelines) {
      const auto big = big_blocks();
      p += big[i % big.size()] + small[random() % small.size()];
    }
    out.push_back(p);
  }
  return out;
}

// Every offset for short pipelines; for long ones, offsets near both ends, around every line
// end, and on a stride in between.
std::vector<size_t> split_offsets(const std::string& p) {
  std::set<size_t> at;
  if (p.size() <= kExhaustiveUpTo) {
    for (size_t i = 1; i < p.size(); ++i) at.insert(i);
  } else {
    for (size_t i = 1; i < 256; ++i) {
      at.insert(i);
      at.insert(p.size() - i);
    }
    for (size_t i = 251; i < p.size(); i += 251) at.insert(i);
    for (size_t nl = p.find('\n'); nl != std::string::npos; nl = p.find('\n', nl + 1)) {
      for (size_t i = nl > 8 ? nl - 8 : 1; i < std::min(p.size(), nl + 9); ++i) at.insert(i);
    }
  }
  return {at.begin(), at.end()};
}

class SplitDeliveryTest : public ProxyFixture {
 protected:
  void SetUp() override {
    ProxyFixture::SetUp();
    if (HasFatalFailure()) return;
    auto m = master().client();
    ASSERT_EQ(m.command({"SET", "d:1", "one"}), Reply::status("OK"));
    ASSERT_EQ(m.command({"SET", "d:2", "two"}), Reply::status("OK"));
    ASSERT_EQ(m.command({"SET", "d:empty", ""}), Reply::status("OK"));
    ASSERT_EQ(m.command({"SET", "d:big", big_value()}), Reply::status("OK"));
    ASSERT_EQ(m.command({"RPUSH", "d:list", "a", "", "c"}), Reply::number(3));
    ASSERT_EQ(m.command({"HSET", "d:hash", "f", "v"}), Reply::number(1));
    ASSERT_TRUE(topology().wait_for_sync());
  }
};

// What `port` answers to `p` written at once: bytes and the number of replies.
RawClient::Received one_shot(uint16_t port, const std::string& p) {
  RawClient c(port);
  EXPECT_TRUE(c.send(p));
  // Enough replies for any pipeline here; the read ends when the stream stays quiet.
  RawClient::Received got = c.read_for(300ms);
  for (int i = 0; i < 50 && !got.closed; ++i) {
    RawClient::Received more = c.read_for(100ms);
    if (more.bytes.empty()) break;
    got.bytes += more.bytes;
    got.replies += more.replies;
  }
  return got;
}

TEST_F(SplitDeliveryTest, RepliesDoNotDependOnHowRequestsAreCut) {
  size_t deliveries = 0;
  size_t bytes_total = 0;
  auto slowest = Clock::duration::zero();
  const auto all = pipelines();
  for (size_t n = 0; n < all.size(); ++n) {
    const std::string& p = all[n];
    bytes_total += p.size();
    const auto expected = one_shot(proxy().port(), p);
    ASSERT_FALSE(expected.closed) << "pipeline " << n << ": " << escape(p);
    ASSERT_EQ(expected.bytes, one_shot(master().port(), p).bytes)
        << "pipeline " << n << " differs from redis-server: " << escape(p);
    ASSERT_GT(expected.replies, 0u);
    const auto started = Clock::now();

    RawClient c(proxy().port());
    // One byte per write; short pipelines with a pause so that each byte is read on its own.
    for (size_t i = 0; i < p.size(); ++i) {
      ASSERT_TRUE(c.send(std::string_view(p).substr(i, 1))) << "pipeline " << n << " byte " << i;
      if (p.size() <= kExhaustiveUpTo) std::this_thread::sleep_for(50us);
    }
    auto got = c.read_until(expected.replies, kReplyDeadline);
    ASSERT_EQ(got.bytes, expected.bytes) << "pipeline " << n << " byte by byte: " << escape(p);
    ++deliveries;

    for (size_t at : split_offsets(p)) {
      ASSERT_TRUE(c.send(std::string_view(p).substr(0, at)));
      std::this_thread::sleep_for(200us);  // lets resplit read the first part on its own
      ASSERT_TRUE(c.send(std::string_view(p).substr(at)));
      got = c.read_until(expected.replies, kReplyDeadline);
      ASSERT_EQ(got.bytes, expected.bytes)
          << "pipeline " << n << " split at " << at << ": " << escape(p);
      ++deliveries;
    }
    const auto took = Clock::now() - started;
    slowest = std::max(slowest, took);
    std::cout << "pipeline " << n << ": " << p.size() << " bytes, " << expected.replies
              << " replies, " << split_offsets(p).size() << " splits, "
              << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
  }
  const auto slowest_ms = std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count();
  std::cout << "A2: " << all.size() << " pipelines (" << bytes_total << " bytes), " << deliveries
            << " deliveries, all identical; slowest pipeline " << slowest_ms << " ms\n";
  RecordProperty("deliveries", int(deliveries));
  RecordProperty("slowest_pipeline_ms", int(slowest_ms));
}

// Five pipelines carrying 1 MiB values, each delivered in 200 random ways (1 to 4 cuts, fixed
// seed), on one connection: every delivery gets the replies of the one-write delivery.
TEST_F(SplitDeliveryTest, MebibyteValuesCutAtRandomOffsets) {
  const std::string mib(1024 * 1024, 'm');
  const std::vector<std::string> big = {
      command({"SET", "w:mib", mib}) + command({"GET", "d:1"}),
      command({"ECHO", mib}) + "PING\r\n",
      command({"GET", "d:big"}) + command({"SET", "w:mib", mib}) + command({"ECHO", ""}),
      "ECHO x\r\n" + command({"ECHO", mib}) + command({"GET", "missing"}),
      command({"MULTI"}) + command({"SET", "w:mib", mib}) + command({"EXEC"}),
  };
  std::mt19937 random(42);
  size_t deliveries = 0;
  const auto started = Clock::now();
  for (size_t n = 0; n < big.size(); ++n) {
    const std::string& p = big[n];
    const auto expected = one_shot(proxy().port(), p);
    ASSERT_EQ(expected.bytes, one_shot(master().port(), p).bytes) << "pipeline " << n;
    RawClient c(proxy().port());
    for (size_t set = 0; set < 200; ++set) {
      std::set<size_t> cuts;
      const size_t count = 1 + random() % 4;
      for (size_t i = 0; i < count; ++i) cuts.insert(1 + random() % (p.size() - 1));
      size_t from = 0;
      for (size_t at : cuts) {
        ASSERT_TRUE(c.send(std::string_view(p).substr(from, at - from)));
        std::this_thread::sleep_for(100us);
        from = at;
      }
      ASSERT_TRUE(c.send(std::string_view(p).substr(from)));
      const auto got = c.read_until(expected.replies, kReplyDeadline);
      ASSERT_EQ(got.bytes.size(), expected.bytes.size()) << "pipeline " << n << " set " << set;
      ASSERT_TRUE(got.bytes == expected.bytes) << "pipeline " << n << " set " << set;
      ++deliveries;
    }
  }
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  std::cout << "A2 1 MiB values: " << deliveries << " deliveries with random cuts, all identical, "
            << took << " ms\n";
}

}  // namespace
}  // namespace resplit::testkit::chaos
