// D4: a replica promoted behind Sentinel's back (REPLICAOF NO ONE). resplit keeps writing to the
// master the Sentinels agree on: the rogue takes no write, and the checker's audit of the agreed
// master is clean.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "tests/chaos/battery.h"
#include "tests/integration/sentinel_proxy_fixture.h"
#include "tests/testing/checker_client.h"
#include "tests/testing/reply.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;

class RogueMasterTest : public SentinelProxyFixture {};

// Entries of every checker list on `node`.
long long log_entries(RedisProcess& node, const CheckerOptions& options) {
  RedisClient c = node.client(2s);
  long long total = 0;
  for (size_t s = 0; s < options.sessions; ++s) {
    const Reply r = c.command({"LLEN", options.prefix + options.run + "log:" + std::to_string(s)});
    total += r.type == Reply::Type::kInteger ? r.integer : 0;
  }
  return total;
}

TEST_F(RogueMasterTest, D4_PromotedReplicaGetsNoWrites) {
  const auto test_start = Clock::now();
  CheckerOptions options{.sessions = 4, .reader_sessions = 4, .target_ops_per_second = 3000};
  preload_dataset(master().port(), options);
  ASSERT_TRUE(topology().wait_for_sync());
  Checker checker(proxy().port(), options);
  checker.start();
  ASSERT_TRUE(checker.wait_for_acks(1000, 10s));

  RedisProcess& rogue = replica(0);
  ASSERT_EQ(rogue.client().command({"REPLICAOF", "NO", "ONE"}), Reply::status("OK"));
  const auto promoted = Clock::now();
  const long long at_promotion = log_entries(rogue, options);
  const long long rpush_at_promotion = command_calls(rogue, "rpush");
  // Sentinel turns the rogue back into a replica after a while (it resyncs and loses its own
  // data then), so look within the first seconds.
  std::this_thread::sleep_for(3s);
  const long long later = log_entries(rogue, options);
  const long long rpush_later = command_calls(rogue, "rpush");
  const std::string role = rogue.client().command({"ROLE"}).elements.empty()
                               ? "?"
                               : rogue.client().command({"ROLE"}).elements[0].str;
  const uint64_t acked_before_stop = checker.acked_count();
  checker.stop();

  const AuditResult audit = checker.audit(master().port());
  const CheckerCounts c = checker.counts();
  std::cout << checker.figures("D4 rogue promotion", audit, proxy().pid()) << "\n"
            << "  rogue's log entries at promotion " << at_promotion << ", 3 s later " << later
            << " (role then: " << role << "); RPUSH calls on it " << rpush_at_promotion << " -> "
            << rpush_later << "; writes acked in all " << acked_before_stop << "; test "
            << seconds_since(test_start) << " s (promoted at +"
            << std::chrono::duration<double>(promoted - test_start).count() << " s)\n";
  for (const auto& s : c.samples) std::cout << "  sample: " << s << "\n";
  EXPECT_EQ(role, "master") << "Sentinel demoted the rogue too early for this check";
  EXPECT_EQ(later, at_promotion) << "the rogue took writes";
  EXPECT_EQ(rpush_later, rpush_at_promotion) << "the rogue took writes";
  EXPECT_EQ(c.wrong_replies, 0u);
  EXPECT_TRUE(audit.clean()) << describe(audit);
  EXPECT_EQ(audit.lost, 0u);
}

}  // namespace
}  // namespace resplit::testkit::chaos
