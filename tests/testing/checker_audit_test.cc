// The checker's audit and latency buckets, without Redis: every kind of anomaly is counted, and a
// clean history is clean.
#include <gtest/gtest.h>

#include "tests/testing/checker_audit.h"
#include "tests/testing/latency_histogram.h"

namespace resplit::testkit {
namespace {

using W = WriteOutcome;
using namespace std::chrono_literals;

TEST(CheckerAudit, CleanHistoryIsClean) {
  const AuditResult r = audit_writes({{W::kAcked, W::kAcked}, {W::kAcked}},
                                     {{"0:0", "0:1"}, {"1:0"}});
  EXPECT_TRUE(r.clean()) << describe(r);
  EXPECT_EQ(r.acked, 3u);
  EXPECT_EQ(r.present, 3u);
}

TEST(CheckerAudit, AckedButAbsentIsLost) {
  const AuditResult r = audit_writes({{W::kAcked, W::kAcked, W::kAcked}}, {{"0:0", "0:2"}});
  EXPECT_EQ(r.lost, 1u);
  EXPECT_FALSE(r.clean());
  EXPECT_NE(describe(r).find("lost 0:1"), std::string::npos) << describe(r);
  ASSERT_EQ(r.lost_writes.size(), 1u);
  EXPECT_EQ(r.lost_writes[0], std::make_pair(size_t{0}, uint64_t{1}));
}

TEST(CheckerAudit, NotExecutedButPresentIsPhantom) {
  const AuditResult r = audit_writes({{W::kAcked, W::kNotExecuted}}, {{"0:0", "0:1"}});
  EXPECT_EQ(r.phantom, 1u);
  EXPECT_FALSE(r.clean());
}

TEST(CheckerAudit, IndeterminateMayGoEitherWay) {
  const AuditResult r =
      audit_writes({{W::kIndeterminate, W::kIndeterminate, W::kAcked}}, {{"0:1", "0:2"}});
  EXPECT_TRUE(r.clean()) << describe(r);
  EXPECT_EQ(r.indeterminate, 2u);
  EXPECT_EQ(r.indeterminate_applied, 1u);
}

TEST(CheckerAudit, SameEntryTwiceIsADuplicate) {
  const AuditResult r = audit_writes({{W::kAcked, W::kAcked}}, {{"0:0", "0:1", "0:1"}});
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_EQ(r.order_violations, 0u);
  EXPECT_FALSE(r.clean());
}

TEST(CheckerAudit, EntriesOutOfOrderAreCounted) {
  const AuditResult r = audit_writes({{W::kAcked, W::kAcked, W::kAcked}}, {{"0:0", "0:2", "0:1"}});
  EXPECT_EQ(r.order_violations, 1u);
  EXPECT_EQ(r.lost, 0u);
}

TEST(CheckerAudit, EntriesNeverSentOrOfAnotherSessionAreForeign) {
  const AuditResult r = audit_writes({{W::kAcked}, {W::kAcked}},
                                     {{"0:0", "1:0", "0:7", "junk", "0:", ":1"}, {"1:0"}});
  EXPECT_EQ(r.foreign, 5u);
  EXPECT_EQ(r.present, 2u);
  EXPECT_FALSE(r.clean());
}

TEST(CheckerAudit, MissingListMeansEveryAckedWriteIsLost) {
  const AuditResult r = audit_writes({{W::kAcked}, {W::kAcked, W::kNotExecuted}}, {{"0:0"}});
  EXPECT_EQ(r.lost, 1u);
  EXPECT_EQ(r.not_executed, 1u);
}

TEST(CheckerAudit, ErrorsAreClassifiedByWhatTheyProve) {
  EXPECT_EQ(classify_write_error("READONLY You can't write against a read only replica."),
            W::kNotExecuted);
  EXPECT_EQ(classify_write_error("NOREPLICAS Not enough good replicas to write."), W::kNotExecuted);
  EXPECT_EQ(classify_write_error("LOADING Redis is loading the dataset in memory"), W::kNotExecuted);
  EXPECT_EQ(classify_write_error("ERR resplit: backend unavailable, command not sent"),
            W::kNotExecuted);
  EXPECT_EQ(classify_write_error("ERR resplit: no master available"), W::kNotExecuted);
  EXPECT_EQ(classify_write_error("ERR resplit: backend timed out, outcome of the command unknown"),
            W::kIndeterminate);
  EXPECT_EQ(classify_write_error("ERR something new"), W::kIndeterminate);
}

TEST(LatencyHistogram, PercentilesAreWithinOneSixteenth) {
  LatencyHistogram h;
  for (int us = 1; us <= 10000; ++us) h.record(std::chrono::microseconds(us));
  EXPECT_EQ(h.count(), 10000u);
  EXPECT_NEAR(h.percentile(50).count(), 5000, 5000 / 16 + 1);
  EXPECT_NEAR(h.percentile(99).count(), 9900, 9900 / 16 + 1);
  EXPECT_EQ(h.percentile(100).count(), 10000);
  EXPECT_EQ(h.max(), 10000us);
}

TEST(LatencyHistogram, MergeAddsCountsAndEmptyIsZero) {
  LatencyHistogram a, b;
  EXPECT_EQ(a.percentile(99).count(), 0);
  a.record(3us);
  b.record(2s);
  a.merge(b);
  EXPECT_EQ(a.count(), 2u);
  EXPECT_EQ(a.percentile(50).count(), 3);
  EXPECT_NEAR(static_cast<double>(a.percentile(100).count()), 2e6, 2e6 / 16);
}

}  // namespace
}  // namespace resplit::testkit
