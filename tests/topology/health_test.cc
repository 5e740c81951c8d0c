#include "proxy/topology/health.h"

#include <gtest/gtest.h>

#include <string>

namespace resplit::topology {
namespace {

// A sequence of poll outcomes ('+' good, '-' failed) and the state after each one.
struct HealthCase {
  uint32_t failures;
  uint32_t successes;
  std::string polls;
  std::string states;  // 'D' down, 'R' recovering, 'U' up
};

char letter(Health h) {
  switch (h) {
    case Health::kDown: return 'D';
    case Health::kRecovering: return 'R';
    case Health::kUp: return 'U';
  }
  return '?';
}

TEST(HealthTrackerTest, Hysteresis) {
  const HealthCase cases[] = {
      {3, 2, "++", "UU"},              // never seen failing: up on its first good poll
      {3, 2, "-++", "DRU"},            // failed before: needs two good polls
      {3, 2, "++--+", "UUUUU"},        // two failures are not enough to leave
      {3, 2, "++---", "UUUUD"},        // the third in a row is
      {3, 2, "++--+--", "UUUUUUU"},    // a good poll resets the count
      {3, 2, "++---+-+", "UUUUDRDR"},  // a failure while recovering: down again
      {3, 2, "++---++", "UUUUDRU"},
      {1, 1, "+-+-", "UDUD"},  // thresholds of one: no hysteresis
      {0, 0, "+-", "UD"},      // zero is treated as one
      {2, 3, "+++--+++", "UUUUDRRU"},
  };
  for (const HealthCase& c : cases) {
    HealthTracker tracker(c.failures, c.successes);
    EXPECT_EQ(tracker.state(), Health::kDown);
    std::string states;
    for (char p : c.polls) {
      if (p == '+') {
        tracker.record_success();
      } else {
        tracker.record_failure();
      }
      states += letter(tracker.state());
    }
    EXPECT_EQ(states, c.states) << "polls " << c.polls << " thresholds " << c.failures << "/"
                                << c.successes;
  }
}

TEST(HealthTrackerTest, ReportsTransitionsAndCounts) {
  HealthTracker tracker(2, 1);
  EXPECT_TRUE(tracker.record_success());
  EXPECT_FALSE(tracker.record_success());
  EXPECT_FALSE(tracker.record_failure());
  EXPECT_EQ(tracker.consecutive_failures(), 1u);
  EXPECT_TRUE(tracker.record_failure());
  EXPECT_EQ(tracker.consecutive_failures(), 2u);
  EXPECT_EQ(tracker.consecutive_successes(), 0u);
}

ReplicaFacts good() {
  ReplicaFacts f;
  f.polled_ok = true;
  f.role = Role::kReplica;
  f.follows_master = true;
  f.link_up = true;
  f.lag_seconds = 0.2;
  f.lag_bytes = 100;
  return f;
}

TEST(JudgeReplicaTest, EachReasonInOrder) {
  const LagLimits limits{1.0, 1000};
  struct Case {
    const char* name;
    void (*change)(ReplicaFacts&);
    Exclusion expected;
  };
  const Case cases[] = {
      {"healthy", [](ReplicaFacts&) {}, Exclusion::kNone},
      {"unreachable", [](ReplicaFacts& f) { f.polled_ok = false; }, Exclusion::kUnreachable},
      {"master", [](ReplicaFacts& f) { f.role = Role::kMaster; }, Exclusion::kNotReplica},
      {"unknown role", [](ReplicaFacts& f) { f.role = Role::kUnknown; }, Exclusion::kNotReplica},
      {"link down", [](ReplicaFacts& f) { f.link_up = false; }, Exclusion::kLinkDown},
      {"loading", [](ReplicaFacts& f) { f.loading = true; }, Exclusion::kLoading},
      {"syncing", [](ReplicaFacts& f) { f.sync_in_progress = true; }, Exclusion::kSyncing},
      {"other master", [](ReplicaFacts& f) { f.follows_master = false; }, Exclusion::kWrongMaster},
      {"seconds", [](ReplicaFacts& f) { f.lag_seconds = 1.01; }, Exclusion::kLagSeconds},
      {"seconds at limit", [](ReplicaFacts& f) { f.lag_seconds = 1.0; }, Exclusion::kNone},
      {"bytes", [](ReplicaFacts& f) { f.lag_bytes = 1001; }, Exclusion::kLagBytes},
      {"bytes at limit", [](ReplicaFacts& f) { f.lag_bytes = 1000; }, Exclusion::kNone},
      {"both lags: seconds first",
       [](ReplicaFacts& f) {
         f.lag_seconds = 9;
         f.lag_bytes = 1 << 30;
       },
       Exclusion::kLagSeconds},
      {"unreachable wins over the rest",
       [](ReplicaFacts& f) {
         f.polled_ok = false;
         f.link_up = false;
         f.lag_seconds = 100;
       },
       Exclusion::kUnreachable},
      {"link down before other master",
       [](ReplicaFacts& f) {
         f.link_up = false;
         f.follows_master = false;
       },
       Exclusion::kLinkDown},
  };
  for (const Case& c : cases) {
    ReplicaFacts f = good();
    c.change(f);
    EXPECT_EQ(judge_replica(f, limits), c.expected) << c.name;
  }
}

TEST(JudgeReplicaTest, ZeroLimitsMeanNoLimit) {
  ReplicaFacts f = good();
  f.lag_seconds = 1e9;
  f.lag_bytes = UINT64_MAX;
  EXPECT_EQ(judge_replica(f, LagLimits{0, 0}), Exclusion::kNone);
  EXPECT_EQ(judge_replica(f, LagLimits{0, 10}), Exclusion::kLagBytes);
  EXPECT_EQ(judge_replica(f, LagLimits{10, 0}), Exclusion::kLagSeconds);
}

TEST(ReplicaGateTest, LeavesAtOnceAndReturnsAfterThreshold) {
  // Verdicts per poll and the exclusion published after each.
  struct Step {
    Exclusion verdict;
    Exclusion published;
  };
  const Step steps[] = {
      {Exclusion::kNone, Exclusion::kNone},  // never excluded: in rotation at once
      {Exclusion::kNone, Exclusion::kNone},
      {Exclusion::kNone, Exclusion::kNone},
      {Exclusion::kLagSeconds, Exclusion::kLagSeconds},  // one bad poll: out at once
      {Exclusion::kNone, Exclusion::kRecovering},
      {Exclusion::kLagBytes, Exclusion::kLagBytes},  // bad again while recovering
      {Exclusion::kNone, Exclusion::kRecovering},
      {Exclusion::kNone, Exclusion::kNone},
      {Exclusion::kUnreachable, Exclusion::kUnreachable},
  };
  ReplicaGate gate(2);
  EXPECT_EQ(gate.exclusion(), Exclusion::kUnreachable);
  int i = 0;
  for (const Step& s : steps) {
    EXPECT_EQ(gate.update(s.verdict), s.published) << "step " << i;
    EXPECT_EQ(gate.in_rotation(), s.published == Exclusion::kNone) << "step " << i;
    ++i;
  }
}

TEST(ReplicaGateTest, ThresholdOfOneReturnsAtOnce) {
  ReplicaGate gate(1);
  EXPECT_EQ(gate.update(Exclusion::kNone), Exclusion::kNone);
  EXPECT_EQ(gate.update(Exclusion::kLoading), Exclusion::kLoading);
  EXPECT_EQ(gate.update(Exclusion::kNone), Exclusion::kNone);
}

TEST(ReplicaGateTest, ReplicaFirstSeenExcludedEarnsItsPlace) {
  ReplicaGate gate(2);
  EXPECT_EQ(gate.update(Exclusion::kSyncing), Exclusion::kSyncing);
  EXPECT_EQ(gate.update(Exclusion::kNone), Exclusion::kRecovering);
  EXPECT_FALSE(gate.in_rotation());
  EXPECT_EQ(gate.update(Exclusion::kNone), Exclusion::kNone);
  EXPECT_TRUE(gate.in_rotation());
}

}  // namespace
}  // namespace resplit::topology
