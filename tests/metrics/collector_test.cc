#include "proxy/metrics/collector.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <map>
#include <memory>
#include <set>
#include <string>

#include "proxy/metrics/families.h"

namespace resplit::metrics {
namespace {

const prometheus::MetricFamily* find(const std::vector<prometheus::MetricFamily>& all,
                                     const std::string& name) {
  for (const auto& f : all) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::map<std::string, std::string> labels(const prometheus::ClientMetric& m) {
  std::map<std::string, std::string> out;
  for (const auto& l : m.label) out[l.name] = l.value;
  return out;
}

class CollectorTest : public ::testing::Test {
 protected:
  CollectorTest() {
    for (int i = 0; i < 2; ++i) workers_.push_back(std::make_unique<WorkerStats>());
    auto t = std::make_shared<topology::TopologySnapshot>();
    t->backends.resize(2);
    t->backends[0].id = 0;
    t->backends[0].address = {"127.0.0.1", 7000};
    t->backends[0].role = topology::Role::kMaster;
    t->backends[0].reachable = t->backends[0].routable = true;
    t->backends[1].id = 1;
    t->backends[1].address = {"127.0.0.1", 7001};
    t->backends[1].role = topology::Role::kReplica;
    t->backends[1].lag_bytes = 42;
    t->backends[1].lag_seconds = 2.5;
    t->backends[1].exclusion = topology::Exclusion::kLagSeconds;
    t->master = 0;
    t->master_offset = 1000;
    topology_ = t;
  }

  Collector collector(bool per_command = false) {
    Sources s;
    s.workers = [this] {
      std::vector<const WorkerStats*> out;
      for (auto& w : workers_) out.push_back(w.get());
      return out;
    };
    s.topology = [this] { return topology_; };
    s.reload = [] { return ReloadInfo{3, 1, false, {}}; };
    s.client_connections = [] { return 7; };
    s.per_command = [per_command] { return per_command; };
    s.sentinels = [this] { return sentinels_; };
    return Collector(s);
  }

  std::vector<std::unique_ptr<WorkerStats>> workers_;
  topology::SnapshotPtr topology_;
  std::shared_ptr<const topology::SentinelStatusList> sentinels_;
};

TEST_F(CollectorTest, SumsWorkersAndMakesHistogramsCumulative) {
  at(workers_[0]->commands, Route::kReplica, Result::kOk).add(3);
  at(workers_[1]->commands, Route::kReplica, Result::kOk).add(4);
  workers_[0]->durations[static_cast<size_t>(Route::kReplica)].observe(40'000);
  workers_[1]->durations[static_cast<size_t>(Route::kReplica)].observe(200'000);
  workers_[1]->backends[1].commands_sent.add(9);
  const auto all = collector().Collect();

  const auto* commands = find(all, "resplit_commands_total");
  ASSERT_NE(commands, nullptr);
  double replica_ok = -1;
  for (const auto& m : commands->metric) {
    auto l = labels(m);
    if (l["route"] == "replica" && l["result"] == "ok") replica_ok = m.counter.value;
  }
  EXPECT_EQ(replica_ok, 7);

  const auto* durations = find(all, "resplit_command_duration_seconds");
  ASSERT_NE(durations, nullptr);
  for (const auto& m : durations->metric) {
    if (labels(m)["route"] != "replica") continue;
    EXPECT_EQ(m.histogram.sample_count, 2u);
    ASSERT_EQ(m.histogram.bucket.size(), kDurationBuckets.size() + 1);
    EXPECT_EQ(m.histogram.bucket[0].cumulative_count, 1u);  // le 50us
    EXPECT_EQ(m.histogram.bucket[2].cumulative_count, 2u);  // le 250us
    EXPECT_EQ(m.histogram.bucket.back().cumulative_count, 2u);
    EXPECT_NEAR(m.histogram.sample_sum, 0.00024, 1e-9);
  }

  const auto* sent = find(all, "resplit_backend_commands_total");
  ASSERT_NE(sent, nullptr);
  ASSERT_EQ(sent->metric.size(), 2u);
  EXPECT_EQ(labels(sent->metric[1])["backend"], "127.0.0.1:7001");
  EXPECT_EQ(labels(sent->metric[1])["role"], "replica");
  EXPECT_EQ(sent->metric[1].counter.value, 9);

  const auto* lag = find(all, "resplit_replication_lag_seconds");
  ASSERT_NE(lag, nullptr);
  ASSERT_EQ(lag->metric.size(), 1u);  // replicas only
  EXPECT_EQ(lag->metric[0].gauge.value, 2.5);

  const auto* reloads = find(all, "resplit_config_last_reload_successful");
  ASSERT_NE(reloads, nullptr);
  EXPECT_EQ(reloads->metric[0].gauge.value, 0);
}

TEST_F(CollectorTest, ExposesExactlyTheDescribedFamilies) {
  std::set<std::string> described, collected;
  for (const FamilyInfo& f : families()) described.insert(std::string(f.name));
  for (const auto& f : collector(true).Collect()) collected.insert(f.name);
  EXPECT_EQ(collected, described);
  std::set<std::string> without_per_command;
  for (const auto& f : collector(false).Collect()) without_per_command.insert(f.name);
  EXPECT_EQ(without_per_command.count("resplit_commands_by_name_total"), 0u);
}

TEST_F(CollectorTest, ShowsEachSentinelAndWhetherItNamesTheTrustedMaster) {
  EXPECT_TRUE(find(collector().Collect(), "resplit_sentinel_up")->metric.empty());  // none set
  const topology::Address master{"10.0.0.2", 6379};
  sentinels_ = std::make_shared<const topology::SentinelStatusList>(topology::SentinelStatusList{
      {.address = {"10.0.1.1", 26379}, .up = true, .master = master, .epoch = 3,
       .names_trusted = true},
      {.address = {"10.0.1.2", 26379}, .up = true, .master = topology::Address{"10.0.0.1", 6379},
       .epoch = 2},  // stale: outvoted
      {.address = {"10.0.1.3", 26379}}});  // down
  const auto all = collector().Collect();
  auto values = [&](const std::string& family) {
    std::map<std::string, double> out;
    for (const auto& m : find(all, family)->metric) out[labels(m)["sentinel"]] = m.gauge.value;
    return out;
  };
  using Values = std::map<std::string, double>;
  EXPECT_EQ(values("resplit_sentinel_up"),
            (Values{{"10.0.1.1:26379", 1}, {"10.0.1.2:26379", 1}, {"10.0.1.3:26379", 0}}));
  EXPECT_EQ(values("resplit_sentinel_names_trusted_master"),
            (Values{{"10.0.1.1:26379", 1}, {"10.0.1.2:26379", 0}, {"10.0.1.3:26379", 0}}));
  EXPECT_EQ(values("resplit_sentinel_config_epoch"),
            (Values{{"10.0.1.1:26379", 3}, {"10.0.1.2:26379", 2}, {"10.0.1.3:26379", 0}}));
}

TEST(SentinelStatusBoardTest, DropsReportsOfAReplacedWatcher) {
  topology::SentinelStatusBoard board;
  const uint64_t first = board.restart();
  board.publish(first, {{.address = {"10.0.1.1", 26379}, .up = true}});
  ASSERT_NE(board.get(), nullptr);
  const uint64_t second = board.restart();  // a reload started another watcher
  EXPECT_EQ(board.get(), nullptr);
  board.publish(first, {{.address = {"10.0.1.1", 26379}}});  // the old one, stopping late
  EXPECT_EQ(board.get(), nullptr);
  board.publish(second, {{.address = {"10.0.1.9", 26379}, .up = true}});
  ASSERT_NE(board.get(), nullptr);
  EXPECT_EQ(board.get()->at(0).address.port, 26379);
  EXPECT_EQ(board.get()->at(0).address.host, "10.0.1.9");
}

TEST_F(CollectorTest, SerializesAsPrometheusText) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, collector().Collect());
  const std::string text = out.str();
  EXPECT_NE(text.find("# TYPE resplit_command_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find("resplit_command_duration_seconds_bucket{route=\"master\",le=\"5e-05\"} 0"),
            std::string::npos)
      << text.substr(0, 2000);
  EXPECT_NE(text.find("le=\"+Inf\""), std::string::npos);
  EXPECT_NE(text.find("process_open_fds"), std::string::npos);
}

}  // namespace
}  // namespace resplit::metrics
