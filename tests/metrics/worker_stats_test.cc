#include "proxy/metrics/worker_stats.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "proxy/base/error_text.h"
#include "proxy/metrics/families.h"

namespace resplit::metrics {
namespace {

TEST(ErrorTypeTest, ClassifiesByPrefix) {
  EXPECT_EQ(error_type("-ERR unknown command 'x'\r\n"), ErrorType::kErr);
  EXPECT_EQ(error_type("-WRONGTYPE Operation against a key\r\n"), ErrorType::kWrongType);
  EXPECT_EQ(error_type("-READONLY You can't write\r\n"), ErrorType::kReadOnly);
  EXPECT_EQ(error_type("-LOADING Redis is loading\r\n"), ErrorType::kLoading);
  EXPECT_EQ(error_type("-NOAUTH Authentication required.\r\n"), ErrorType::kNoAuth);
  EXPECT_EQ(error_type("-BUSY Redis is busy\r\n"), ErrorType::kBusy);
  EXPECT_EQ(error_type("-MOVED 3999 127.0.0.1:6381\r\n"), ErrorType::kMoved);
  EXPECT_EQ(error_type("-ASK 3999 127.0.0.1:6381\r\n"), ErrorType::kMoved);
  EXPECT_EQ(error_type("-NOSCRIPT No matching script\r\n"), ErrorType::kOther);
  EXPECT_EQ(error_type("-ERRX\r\n"), ErrorType::kOther);
  EXPECT_EQ(error_type("-\r\n"), ErrorType::kOther);
  EXPECT_EQ(error_type(""), ErrorType::kOther);
}

TEST(CommandIndexTest, AllowlistIgnoresCase) {
  EXPECT_EQ(kCommandAllowlist[command_index("GET")], "get");
  EXPECT_EQ(kCommandAllowlist[command_index("hGetAll")], "hgetall");
  EXPECT_EQ(command_index("getex"), kOtherCommand);
  EXPECT_EQ(command_index(""), kOtherCommand);
}

TEST(WorkerStatsTest, RepliesCountByResultAndType) {
  auto stats = std::make_unique<WorkerStats>();
  stats->reply(Route::kReplica, true, 10'000, "$1\r\nx\r\n");
  stats->reply(Route::kMaster, true, 10'000, "-WRONGTYPE no\r\n");
  stats->reply(Route::kMaster, true, 10'000, text::kBackendTimeout);
  stats->reply(Route::kMaster, false, 0, text::kBackendUnavailable);
  stats->reply(Route::kLocal, true, 10'000, "+PONG\r\n");
  EXPECT_EQ(at(stats->commands, Route::kReplica, Result::kOk).get(), 1u);
  EXPECT_EQ(at(stats->commands, Route::kMaster, Result::kError).get(), 1u);
  EXPECT_EQ(at(stats->commands, Route::kMaster, Result::kTimeout).get(), 1u);
  EXPECT_EQ(at(stats->commands, Route::kMaster, Result::kRejected).get(), 1u);
  EXPECT_EQ(at(stats->errors, Route::kMaster, ErrorType::kWrongType).get(), 1u);
  EXPECT_EQ(at(stats->errors, Route::kMaster, ErrorType::kTimeout).get(), 1u);
  EXPECT_EQ(at(stats->errors, Route::kMaster, ErrorType::kConnection).get(), 1u);
  EXPECT_EQ(at(stats->commands, Route::kLocal, Result::kOk).get(), 1u);
}

TEST(DurationHistogramTest, BucketsByUpperBoundInclusive) {
  DurationHistogram h;
  h.observe(50'000);     // exactly 50 us: the first bucket (le="5e-05")
  h.observe(50'001);     // the second
  h.observe(3'000'000'000);  // 3 s: +Inf
  h.observe(-5);         // clock oddities count as 0
  EXPECT_EQ(h.buckets[0].get(), 2u);
  EXPECT_EQ(h.buckets[1].get(), 1u);
  EXPECT_EQ(h.buckets[kDurationBuckets.size()].get(), 1u);
  EXPECT_EQ(h.sum_ns.get(), 50'000u + 50'001u + 3'000'000'000u);
}

TEST(FamiliesTest, NamesAreUniqueAndFollowConventions) {
  std::set<std::string> names;
  for (const FamilyInfo& f : families()) {
    EXPECT_TRUE(names.insert(std::string(f.name)).second) << f.name;
    const bool resplit = f.name.starts_with("resplit_") || f.name.starts_with("process_");
    EXPECT_TRUE(resplit) << f.name;
    EXPECT_EQ(f.type == Type::kCounter, f.name.ends_with("_total")) << f.name;
    EXPECT_FALSE(f.help.empty()) << f.name;
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(Family::kCount));
}

TEST(FamiliesTest, DescribeMetricsHasFourFieldsPerLine) {
  std::istringstream lines(describe_metrics());
  std::string line;
  size_t count = 0;
  while (std::getline(lines, line)) {
    ++count;
    EXPECT_EQ(std::count(line.begin(), line.end(), '\t'), 3) << line;
  }
  EXPECT_EQ(count, static_cast<size_t>(Family::kCount));
}

}  // namespace
}  // namespace resplit::metrics
