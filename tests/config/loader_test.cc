#include "proxy/config/loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/config/fake_secret_source.h"

namespace resplit::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::ElementsAre;

constexpr std::string_view kMinimal = R"(
master: {address: "redis-master:6379"}
replicas: {addresses: ["redis-replica-0:6379"]}
)";

LoadResult load(std::string_view yaml) {
  FakeSecretSource secrets;
  return load_string(yaml, "t.yaml", secrets);
}

TEST(Loader, MinimalConfigKeepsEveryDefault) {
  LoadResult r = load(kMinimal);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(error_lines(r));
  Config expected;
  expected.source = "t.yaml";
  expected.master = HostPort{"redis-master", 6379};
  expected.replicas.addresses = {HostPort{"redis-replica-0", 6379}};
  EXPECT_EQ(*r.config, expected);
}

TEST(Loader, EverySectionIsRead) {
  FakeSecretSource secrets;
  secrets.envs["APP_PW"] = "app-secret";
  secrets.files["/run/redis-pw"] = "redis-secret";
  LoadResult r = load_string(R"(
listen: {address: "127.0.0.1:7000", max_clients: 500, idle_timeout: 5m, tcp_keepalive: 0, workers: 4}
admin: {address: "[::1]:9000"}
master: "10.0.0.1:6379"
replicas:
  discovery: static
  addresses:
    - "10.0.0.2:6379"
    - {address: "10.0.0.3:6379", weight: 3}
  refresh_interval: 30s
routing:
  read_policy: replica
  replica_selection: weighted
  max_replication_lag: 1500ms
  max_replication_lag_bytes: 10MB
  read_your_writes: false
timeouts: {connect: 2s, command: 10s, failover_wait: 0s}
pool: {connections_per_backend: 8, max_pinned_connections: 50, reconnect_backoff_min: 50ms, reconnect_backoff_max: 1m}
health_check: {interval: 1s, timeout: 500ms, failure_threshold: 5, success_threshold: 1}
auth:
  clients:
    - {username: app, password: {env: APP_PW}}
  backend: {username: proxy, password: {file: /run/redis-pw}}
client_tls: {enabled: true, cert_file: /tls/c.pem, key_file: /tls/k.pem, ca_file: /tls/ca.pem, verify_client: true}
server_tls: {enabled: true, ca_file: /tls/rca.pem, cert_file: "", key_file: "", verify: false, sni: redis.local}
limits: {max_bulk_length: 1MiB, max_query_buffer: 2MiB, max_inline_length: 4KiB, max_multibulk_length: 1000, client_output_buffer: 8MiB}
logging: {level: debug, format: text}
metrics: {per_command: true}
readiness: {require_master: false, require_replica: true}
shutdown: {drain_timeout: 10s}
)",
                             "full.yaml", secrets);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(error_lines(r));
  const Config& c = *r.config;
  EXPECT_EQ(c.source, "full.yaml");
  EXPECT_EQ(c.listen.address, (HostPort{"127.0.0.1", 7000}));
  EXPECT_EQ(c.listen.max_clients, 500u);
  EXPECT_EQ(c.listen.idle_timeout, std::chrono::minutes(5));
  EXPECT_EQ(c.listen.tcp_keepalive, Duration{0});
  EXPECT_EQ(c.listen.workers, 4u);
  EXPECT_EQ(c.admin.address, (HostPort{"::1", 9000}));
  EXPECT_EQ(c.master, (HostPort{"10.0.0.1", 6379}));
  EXPECT_FALSE(c.sentinel);
  EXPECT_THAT(c.replicas.addresses,
              ElementsAre(HostPort{"10.0.0.2", 6379}, HostPort{"10.0.0.3", 6379}));
  EXPECT_THAT(c.replicas.weights, ElementsAre(1u, 3u));
  EXPECT_EQ(c.replicas.refresh_interval, seconds(30));
  EXPECT_EQ(c.routing.read_policy, ReadPolicy::kReplica);
  EXPECT_EQ(c.routing.replica_selection, ReplicaSelection::kWeighted);
  EXPECT_EQ(c.routing.max_replication_lag, milliseconds(1500));
  EXPECT_EQ(c.routing.max_replication_lag_bytes, 10'000'000u);
  EXPECT_FALSE(c.routing.read_your_writes);
  EXPECT_EQ(c.timeouts.connect, seconds(2));
  EXPECT_EQ(c.timeouts.command, seconds(10));
  EXPECT_EQ(c.timeouts.failover_wait, Duration{0});
  EXPECT_EQ(c.pool.connections_per_backend, 8u);
  EXPECT_EQ(c.pool.max_pinned_connections, 50u);
  EXPECT_EQ(c.pool.reconnect_backoff_min, milliseconds(50));
  EXPECT_EQ(c.pool.reconnect_backoff_max, std::chrono::minutes(1));
  EXPECT_EQ(c.health_check.interval, seconds(1));
  EXPECT_EQ(c.health_check.timeout, milliseconds(500));
  EXPECT_EQ(c.health_check.failure_threshold, 5u);
  EXPECT_EQ(c.health_check.success_threshold, 1u);
  ASSERT_EQ(c.auth.clients.size(), 1u);
  EXPECT_EQ(c.auth.clients[0].username, "app");
  EXPECT_EQ(c.auth.clients[0].password.env, "APP_PW");
  EXPECT_EQ(c.auth.clients[0].password.value, "app-secret");
  EXPECT_EQ(c.auth.backend.username, "proxy");
  EXPECT_EQ(c.auth.backend.password.file, "/run/redis-pw");
  EXPECT_EQ(c.auth.backend.password.value, "redis-secret");
  EXPECT_TRUE(c.client_tls.enabled);
  EXPECT_EQ(c.client_tls.cert_file, "/tls/c.pem");
  EXPECT_EQ(c.client_tls.key_file, "/tls/k.pem");
  EXPECT_EQ(c.client_tls.ca_file, "/tls/ca.pem");
  EXPECT_TRUE(c.client_tls.verify_client);
  EXPECT_TRUE(c.server_tls.enabled);
  EXPECT_EQ(c.server_tls.ca_file, "/tls/rca.pem");
  EXPECT_FALSE(c.server_tls.verify);
  EXPECT_EQ(c.server_tls.sni, "redis.local");
  EXPECT_EQ(c.limits.max_bulk_length, 1u << 20);
  EXPECT_EQ(c.limits.max_query_buffer, 2u << 20);
  EXPECT_EQ(c.limits.max_inline_length, 4u << 10);
  EXPECT_EQ(c.limits.max_multibulk_length, 1000u);
  EXPECT_EQ(c.limits.client_output_buffer, 8u << 20);
  EXPECT_EQ(c.logging.level, log::Level::kDebug);
  EXPECT_EQ(c.logging.format, log::Format::kText);
  EXPECT_TRUE(c.metrics.per_command);
  EXPECT_FALSE(c.readiness.require_master);
  EXPECT_TRUE(c.readiness.require_replica);
  EXPECT_EQ(c.shutdown.drain_timeout, seconds(10));
}

TEST(Loader, SentinelDiscovery) {
  LoadResult r = load(R"(
sentinel:
  addresses: ["s0:26379", "[fd00::1]:26379"]
  master_name: mymaster
replicas: {discovery: sentinel}
)");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(error_lines(r));
  ASSERT_TRUE(r.config->sentinel);
  EXPECT_FALSE(r.config->master);
  EXPECT_THAT(r.config->sentinel->addresses,
              ElementsAre(HostPort{"s0", 26379}, HostPort{"fd00::1", 26379}));
  EXPECT_EQ(r.config->sentinel->master_name, "mymaster");
  EXPECT_TRUE(r.config->sentinel->auth.empty());
  EXPECT_EQ(r.config->replicas.discovery, Discovery::kSentinel);
}

TEST(Loader, DnsAndMasterDiscovery) {
  LoadResult dns = load(R"(
master: {address: "redis-master:6379"}
replicas: {discovery: dns, address: "redis-replicas-headless:6379", refresh_interval: 5s}
)");
  ASSERT_TRUE(dns.ok()) << ::testing::PrintToString(error_lines(dns));
  EXPECT_EQ(dns.config->replicas.discovery, Discovery::kDns);
  EXPECT_EQ(dns.config->replicas.address, (HostPort{"redis-replicas-headless", 6379}));
  LoadResult from_master = load("master: m:6379\nreplicas: {discovery: master}\n");
  ASSERT_TRUE(from_master.ok()) << ::testing::PrintToString(error_lines(from_master));
  EXPECT_EQ(from_master.config->replicas.discovery, Discovery::kMaster);
  EXPECT_TRUE(from_master.config->replicas.addresses.empty());
}

TEST(Loader, EmptySectionsAndNullAdminMeanDefaultsAndOff) {
  LoadResult r = load(std::string(kMinimal) + "metrics:\nlogging: {}\nadmin: {address: null}\n");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(error_lines(r));
  EXPECT_FALSE(r.config->admin.address);
  EXPECT_EQ(r.config->logging, Logging{});
  LoadResult empty_string = load(std::string(kMinimal) + "admin: {address: \"\"}\n");
  ASSERT_TRUE(empty_string.ok());
  EXPECT_FALSE(empty_string.config->admin.address);
}

TEST(Loader, WeightsAsAParallelList) {
  LoadResult r = load(R"(
master: m:6379
replicas: {addresses: ["a:1", "b:2"], weights: [2, 5]}
routing: {replica_selection: weighted}
)");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(error_lines(r));
  EXPECT_THAT(r.config->replicas.weights, ElementsAre(2u, 5u));
}

TEST(Loader, CollectsEveryErrorInFileOrder) {
  LoadResult r = load(R"(master: {address: "m:6379"}
replicas: {addresses: ["a:1"]}
routing: {max_replication_lag: 5}
listen: {max_clients: 0, workers: lots}
logging: {level: loud}
)");
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(error_lines(r),
              ElementsAre("t.yaml:3:32: routing.max_replication_lag: duration \"5\" has no unit: "
                          "add one of us, ms, s, m, h, e.g. 5ms",
                          "t.yaml:4:23: listen.max_clients: must be from 1 to 1000000, got 0",
                          "t.yaml:4:35: listen.workers: expected a whole number, got \"lots\"",
                          "t.yaml:5:18: logging.level: expected one of trace, debug, info, warn, "
                          "error, off; got \"loud\""));
}

TEST(Loader, MultipleDocumentsAreRefused) {
  LoadResult r = load(std::string(kMinimal) + "---\nlisten: {}\n");
  EXPECT_THAT(error_lines(r),
              ElementsAre("t.yaml:4:1: more than one YAML document: put the whole configuration "
                          "in one"));
}

// yaml-cpp's own LoadAll never returns on these: its parser repeats an empty document forever.
TEST(Loader, StrayCommasAreSyntaxErrorsNotHangs) {
  EXPECT_THAT(error_lines(load(",")),
              ElementsAre("t.yaml:1:1: YAML syntax error: unexpected character where a key or "
                          "value should start"));
  EXPECT_THAT(error_lines(load("\"x\",")),
              ElementsAre("t.yaml:1:4: YAML syntax error: unexpected character where a key or "
                          "value should start"));
  EXPECT_THAT(error_lines(load("{a: 1},\n")),
              ElementsAre("t.yaml:1:7: YAML syntax error: unexpected character where a key or "
                          "value should start"));
}

TEST(Loader, TopLevelMustBeAMap) {
  EXPECT_THAT(error_lines(load("- a\n- b\n")),
              ElementsAre("t.yaml:1:1: expected a map, got a list"));
}

TEST(Loader, LoadFileReportsUnreadableFiles) {
  LoadResult r = load_file("/nonexistent/resplit.yaml");
  EXPECT_THAT(error_lines(r),
              ElementsAre("/nonexistent/resplit.yaml: cannot read: No such file or directory"));
  LoadResult dir = load_file("/");
  EXPECT_THAT(error_lines(dir), ElementsAre("/: cannot read: it is a directory"));
}

TEST(Loader, ExampleFilesLoadCleanly) {
  FakeSecretSource secrets;
  LoadResult reference = load_file("config/resplit.yaml", secrets);
  EXPECT_TRUE(reference.ok()) << ::testing::PrintToString(error_lines(reference));
  LoadResult demo = load_file("config/demo.yaml", secrets);
  ASSERT_TRUE(demo.ok()) << ::testing::PrintToString(error_lines(demo));
  const Config& c = *demo.config;
  EXPECT_EQ(c.listen.address, (HostPort{"127.0.0.1", 6380}));
  EXPECT_EQ(c.admin.address, (HostPort{"127.0.0.1", 9121}));
  EXPECT_EQ(c.master, (HostPort{"127.0.0.1", 16379}));
  EXPECT_EQ(c.replicas.discovery, Discovery::kStatic);
  EXPECT_THAT(c.replicas.addresses,
              ElementsAre(HostPort{"127.0.0.1", 16380}, HostPort{"127.0.0.1", 16381}));
  EXPECT_EQ(c.logging.level, log::Level::kInfo);
  EXPECT_EQ(c.logging.format, log::Format::kText);
}

TEST(Loader, ReferenceFileStatesTheDefaults) {
  // Apart from the example backends, the reference file must say exactly what config.h says.
  LoadResult reference = load_file("config/resplit.yaml");
  ASSERT_TRUE(reference.ok()) << ::testing::PrintToString(error_lines(reference));
  Config c = *reference.config;
  Config defaults;
  defaults.source = c.source;
  defaults.master = c.master;
  defaults.replicas.addresses = c.replicas.addresses;
  EXPECT_EQ(c, defaults);
}

TEST(ConfigError, Formats) {
  EXPECT_EQ((ConfigError{"a.yaml", 3, 7, "routing.read_policy", "bad"}).to_string(),
            "a.yaml:3:7: routing.read_policy: bad");
  EXPECT_EQ((ConfigError{"a.yaml", 1, 1, "", "the file is empty"}).to_string(),
            "a.yaml:1:1: the file is empty");
  EXPECT_EQ((ConfigError{"<command line>", 0, 0, "listen.workers", "too many"}).to_string(),
            "<command line>: listen.workers: too many");
}

}  // namespace
}  // namespace resplit::config
