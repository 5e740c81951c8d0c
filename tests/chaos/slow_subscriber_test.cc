// B2, pub/sub variant: a subscriber that stops reading while a publisher keeps publishing. resplit
// holds its messages up to the per-client output limit and then closes it; meanwhile a subscriber
// that reads gets every message in order, resplit's memory stays bounded and returns afterwards,
// and the slow subscriber's connection to Redis goes with it.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/chaos/battery.h"
#include "tests/integration/admin_client.h"
#include "tests/integration/proxy_fixture.h"
#include "tests/testing/raw_client.h"
#include "tests/testing/redis_client.h"
#include "tests/testing/reply.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;

constexpr char kChannel[] = "b2:channel";

class SlowSubscriberTest : public ProxyFixture {};

// "0000000123" followed by filler up to `size` bytes: the message's number opens it.
std::string numbered(size_t n, size_t size) {
  char head[16];
  std::snprintf(head, sizeof head, "%010zu", n);
  std::string message(size, 'm');
  message.replace(0, 10, head);
  return message;
}

TEST_F(SlowSubscriberTest, B2_SubscriberNotReadingIsCutOffWhileOthersGetEveryMessage) {
  constexpr size_t kMessages = 24 * 1024;
  constexpr size_t kMessageSize = 4096;  // 96 MiB published in all
  constexpr size_t kPipeline = 64;
  constexpr long kOutputLimitKib = 64 * 1024;  // limits.client_output_buffer default
  const auto test_start = Clock::now();
  const ProcessBaseline baseline = warmed_baseline(
      proxy().port(), proxy().pid(), {.sessions = 2, .reader_sessions = 2,
                                      .target_ops_per_second = 1000});
  const double disconnects_before = scrape(proxy().admin_port())
      .value("resplit_client_disconnects_total", "reason=\"output_buffer\"");

  RawClient slow(proxy().port());
  ASSERT_TRUE(slow.send("*2\r\n$9\r\nSUBSCRIBE\r\n$10\r\nb2:channel\r\n"));
  ASSERT_EQ(slow.read_until(1, 2s).replies, 1u);

  std::optional<RedisClient> reader(std::in_place, proxy().port(), 5s);
  ASSERT_EQ(reader->command({"SUBSCRIBE", kChannel}).type, Reply::Type::kArray);
  std::atomic<size_t> received{0};
  size_t out_of_order = 0;
  std::thread reading([&] {
    for (size_t expected = 0; expected < kMessages; ++expected) {
      const Reply push = reader->next_push();
      if (push.type != Reply::Type::kArray || push.elements.size() != 3) break;
      if (push.elements[2].str != numbered(expected, kMessageSize)) ++out_of_order;
      received.store(expected + 1, std::memory_order_relaxed);
    }
  });

  RedisClient publisher(proxy().port(), 10s);
  long peak_kib = 0;
  size_t publish_errors = 0;
  std::vector<std::vector<std::string>> batch;
  for (size_t sent = 0; sent < kMessages && Clock::now() - test_start < 60s;) {
    batch.clear();
    for (size_t i = 0; i < kPipeline; ++i, ++sent) {
      batch.push_back({"PUBLISH", kChannel, numbered(sent, kMessageSize)});
    }
    for (const Reply& r : publisher.pipeline(batch)) {
      publish_errors += r.type != Reply::Type::kInteger;
    }
    peak_kib = std::max(peak_kib, process_rss_kib(proxy().pid()));
  }
  reading.join();
  const bool slow_closed = slow.read_for(5s).closed;
  slow.close();

  const long rss_bound = baseline.rss_kib * 6 / 5;
  const long rss_after = rss_once_within(proxy().pid(), rss_bound, 10s);
  const double disconnects = scrape(proxy().admin_port())
      .value("resplit_client_disconnects_total", "reason=\"output_buffer\"") - disconnects_before;
  // Only the reading subscriber is left on the channel, at Redis too.
  const Reply numsub = master().client().command({"PUBSUB", "NUMSUB", kChannel});
  const long long subscribers_left =
      numsub.elements.size() == 2 ? numsub.elements[1].integer : -1;

  std::cout << "FIGURES B2 slow subscriber: " << kMessages << " messages of " << kMessageSize
            << " B published, " << publish_errors << " errors; reading subscriber got "
            << received.load() << " (" << out_of_order << " out of order or wrong); slow one "
            << (slow_closed ? "closed" : "still open") << ", output-limit disconnects +"
            << disconnects << "; proxy RSS baseline " << baseline.rss_kib / 1024 << " MiB, peak "
            << peak_kib / 1024 << " MiB (bound baseline + 2 x " << kOutputLimitKib / 1024
            << " MiB), " << rss_after / 1024 << " MiB after; subscribers left at Redis "
            << subscribers_left << "; test " << seconds_since(test_start) << " s\n";
  EXPECT_EQ(publish_errors, 0u);
  EXPECT_EQ(received.load(), kMessages);
  EXPECT_EQ(out_of_order, 0u);
  EXPECT_TRUE(slow_closed) << "the subscriber that reads nothing was never cut off";
  EXPECT_EQ(disconnects, 1);
  EXPECT_LE(peak_kib, baseline.rss_kib + 2 * kOutputLimitKib);
  EXPECT_LE(rss_after, rss_bound) << "the slow subscriber's memory stayed in resplit";
  EXPECT_EQ(subscribers_left, 1);
  reader.reset();
  EXPECT_TRUE(no_leaks_after_fault(baseline, topology()));
}

}  // namespace
}  // namespace resplit::testkit::chaos
