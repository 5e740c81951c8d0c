#include "proxy/config/dump.h"

#include <fstream>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "proxy/config/loader.h"
#include "tests/config/fake_secret_source.h"

namespace resplit::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

FakeSecretSource test_secrets() {
  FakeSecretSource s;
  s.envs["APP_PW"] = "app";
  s.envs["OPS_PW"] = "ops";
  s.envs["SENTINEL_PW"] = "sentinel";
  s.files["/run/redis-pw"] = "redis";
  return s;
}

// Every field away from its default, with a fixed master and static weighted replicas.
Config full_master_config() {
  Config c;
  c.source = "full";
  c.listen = Listen{HostPort{"127.0.0.1", 7000}, 123, seconds(90), milliseconds(1500), 3};
  c.admin.address = HostPort{"::1", 9000};
  c.master = HostPort{"10.1.2.3", 6380};
  c.replicas.addresses = {HostPort{"r1.example", 6379}, HostPort{"fd00::5", 6379}};
  c.replicas.weights = {3, 1};
  c.replicas.refresh_interval = std::chrono::minutes(2);
  c.routing =
      Routing{ReadPolicy::kAny, ReplicaSelection::kWeighted, milliseconds(750), 5'000'000, false};
  c.timeouts = Timeouts{milliseconds(300), std::chrono::hours(1), Duration{0}};
  c.pool = Pool{7, 9, milliseconds(10), seconds(30)};
  c.health_check = HealthCheck{seconds(2), milliseconds(900), 9, 4};
  c.auth.clients = {Credentials{"app", SecretRef{"APP_PW", "", "app"}},
                    Credentials{"", SecretRef{"OPS_PW", "", "ops"}}};
  c.auth.backend = Credentials{"proxy", SecretRef{"", "/run/redis-pw", "redis"}};
  c.client_tls = TlsServerSide{true, "/tls/cert.pem", "/tls/key.pem", "/tls/ca.pem", true};
  c.server_tls = TlsClientSide{true, "/tls/rca.pem", "/tls/c.pem", "/tls/k.pem", false, "true"};
  c.limits = Limits{1000, 4ull << 30, 1536, 77, 3ull << 40};
  c.logging = Logging{log::Level::kWarn, log::Format::kText};
  c.metrics.per_command = true;
  c.readiness = Readiness{false, true};
  c.shutdown.drain_timeout = seconds(59);
  return c;
}

// Sentinel for the master, DNS for the replicas, no admin server.
Config sentinel_config() {
  Config c;
  c.source = "sentinel";
  c.admin.address.reset();
  c.sentinel = Sentinel{{HostPort{"s0", 26379}, HostPort{"s1", 26380}},
                        "my master",
                        Credentials{"watcher", SecretRef{"SENTINEL_PW", "", "sentinel"}}};
  c.replicas.discovery = Discovery::kDns;
  c.replicas.address = HostPort{"redis-headless.default.svc", 6379};
  return c;
}

Config reload(const Config& c) {
  FakeSecretSource secrets = test_secrets();
  LoadResult r = load_string(dump(c), c.source, secrets);
  EXPECT_TRUE(r.ok()) << dump(c) << ::testing::PrintToString(error_lines(r));
  return r.ok() ? *r.config : Config{};
}

TEST(Dump, ConfigsAreValid) {
  EXPECT_THAT(error_lines(validate(full_master_config())), ::testing::IsEmpty());
  EXPECT_THAT(error_lines(validate(sentinel_config())), ::testing::IsEmpty());
}

TEST(Dump, RoundTripsEveryField) {
  for (const Config& c : {full_master_config(), sentinel_config()}) {
    EXPECT_EQ(reload(c), c) << dump(c);
    EXPECT_EQ(dump(reload(c)), dump(c));
  }
}

TEST(Dump, RoundTripsTheExampleFiles) {
  for (const char* path : {"config/resplit.yaml", "config/demo.yaml"}) {
    FakeSecretSource secrets = test_secrets();
    LoadResult r = load_file(path, secrets);
    ASSERT_TRUE(r.ok()) << path << ::testing::PrintToString(error_lines(r));
    EXPECT_EQ(reload(*r.config), *r.config) << path;
  }
}

TEST(Dump, WritesDefaultsAndCanonicalUnits) {
  Config c;
  c.master = HostPort{"m", 6379};
  c.replicas.addresses = {HostPort{"r", 6379}};
  const std::string text = dump(c);
  for (const char* expected :
       {"address: \"0.0.0.0:6379\"", "idle_timeout: 0s", "tcp_keepalive: 5m", "interval: 250ms",
        "max_replication_lag_bytes: 1MiB", "max_query_buffer: 1GiB",
        "max_multibulk_length: 2147483647", "read_policy: prefer-replica",
        "replica_selection: least-outstanding", "read_your_writes: true", "password: ~",
        "clients: []", "format: json"}) {
    EXPECT_THAT(text, ::testing::HasSubstr(expected)) << text;
  }
  EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("sentinel")));
}

// Key paths of a YAML tree; list items as "[]", secret references as leaves.
void collect_paths(const YAML::Node& node, const std::string& prefix, std::set<std::string>& out) {
  if (node.IsMap()) {
    for (const auto& pair : node) {
      const std::string key = pair.first.Scalar();
      const std::string path = prefix.empty() ? key : prefix + "." + key;
      out.insert(path);
      if (key != "password") collect_paths(pair.second, path, out);
    }
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) collect_paths(item, prefix + "[]", out);
  }
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Dump, ReferenceFileMentionsEveryKey) {
  std::set<std::string> dumped;
  collect_paths(YAML::Load(dump(full_master_config())), "", dumped);
  collect_paths(YAML::Load(dump(sentinel_config())), "", dumped);
  ASSERT_GT(dumped.size(), 60u);

  const std::string reference = read_text("config/resplit.yaml");
  ASSERT_FALSE(reference.empty());
  std::set<std::string> live;  // keys the reference sets, not only describes in comments
  collect_paths(YAML::Load(reference), "", live);

  for (const std::string& path : dumped) {
    const std::string leaf = path.substr(path.find_last_of('.') + 1);
    EXPECT_THAT(reference, ::testing::HasSubstr(leaf + ":")) << path;
    // Sentinel is the alternative to master, and list items are examples: both in comments.
    const bool commented = path.starts_with("sentinel") || path.find("[]") != std::string::npos;
    if (!commented) {
      EXPECT_TRUE(live.count(path)) << path << " is not set in config/resplit.yaml";
    }
  }
}

}  // namespace
}  // namespace resplit::config
