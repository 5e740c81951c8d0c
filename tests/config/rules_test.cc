// The rules across keys, each through the loader (with positions) and through validate().
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "proxy/config/loader.h"
#include "tests/config/fake_secret_source.h"

namespace resplit::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::string_view kBackends =
    "master: m:6379\n"
    "replicas: {addresses: [\"r:6379\"]}\n";

std::vector<std::string> errors(std::string_view yaml) {
  FakeSecretSource secrets;
  secrets.envs["PW"] = "pw";
  return error_lines(load_string(yaml, "r.yaml", secrets));
}

// The backends above plus one more line (line 3).
std::vector<std::string> errors_with(std::string_view line) {
  return errors(std::string(kBackends) + std::string(line) + "\n");
}

Config valid_config() {
  Config c;
  c.source = "<command line>";
  c.master = HostPort{"m", 6379};
  c.replicas.addresses = {HostPort{"r", 6379}};
  return c;
}

TEST(Rules, ValidConfigPasses) {
  EXPECT_THAT(validate(valid_config()), IsEmpty());
  EXPECT_THAT(errors(kBackends), IsEmpty());
}

TEST(Rules, ExactlyOneOfMasterAndSentinel) {
  EXPECT_THAT(errors("replicas: {discovery: master}\n"),
              ElementsAre("r.yaml:1:1: master: required: set master (host:port) or sentinel, "
                          "exactly one of them"));
  EXPECT_THAT(errors("master: m:1\nsentinel: {addresses: [\"s:2\"], master_name: x}\n"
                     "replicas: {discovery: master}\n"),
              ElementsAre("r.yaml:2:1: sentinel: master is set too: set exactly one of master "
                          "and sentinel"));
  Config c = valid_config();
  c.master.reset();
  EXPECT_THAT(error_lines(validate(c)),
              ElementsAre("<command line>: master: required: set master (host:port) or "
                          "sentinel, exactly one of them"));
}

TEST(Rules, MasterMapNeedsAnAddress) {
  EXPECT_THAT(errors("master: {}\nreplicas: {discovery: master}\n"),
              ElementsAre("r.yaml:1:1: master.address: required: the master's host:port"));
}

TEST(Rules, SentinelNeedsAddressesAndName) {
  EXPECT_THAT(errors("sentinel:\n  auth: {username: u}\nreplicas: {discovery: sentinel}\n"),
              ElementsAre("r.yaml:1:1: sentinel.addresses: required: at least one Sentinel "
                          "host:port",
                          "r.yaml:1:1: sentinel.master_name: required: the name the Sentinels "
                          "monitor the master by",
                          "r.yaml:2:3: sentinel.auth.password: required when username is set"));
  EXPECT_THAT(errors("sentinel: {addresses: [\"s:1\", \"s:1\"], master_name: x}\n"
                     "replicas: {discovery: sentinel}\n"),
              ElementsAre("r.yaml:1:31: sentinel.addresses[1]: \"s:1\" is listed twice"));
}

TEST(Rules, DiscoveryNeedsItsKeys) {
  EXPECT_THAT(errors("master: m:1\n"),
              ElementsAre("r.yaml:1:1: replicas.addresses: required with discovery: static (a "
                          "list of host:port)"));
  EXPECT_THAT(errors("master: m:1\nreplicas:\n  discovery: dns\n"),
              ElementsAre("r.yaml:2:1: replicas.address: required with discovery: dns (the "
                          "headless Service's host:port)"));
  EXPECT_THAT(errors("master: m:1\nreplicas: {discovery: sentinel}\n"),
              ElementsAre("r.yaml:2:23: replicas.discovery: discovery: sentinel needs the "
                          "sentinel section"));
}

TEST(Rules, DiscoveryRefusesKeysItDoesNotUse) {
  EXPECT_THAT(
      errors("master: m:1\nreplicas: {discovery: dns, address: \"d:1\", addresses: [\"a:1\"]}\n"),
      ElementsAre("r.yaml:2:44: replicas.addresses: only used with discovery: static, "
                  "not with discovery: dns"));
  EXPECT_THAT(errors("master: m:1\nreplicas: {addresses: [\"a:1\"], address: \"d:1\"}\n"),
              ElementsAre("r.yaml:2:41: replicas.address: only used with discovery: dns, not "
                          "with discovery: static"));
}

TEST(Rules, WeightsMatchAddresses) {
  EXPECT_THAT(
      errors("master: m:1\nreplicas: {addresses: [\"a:1\", \"b:1\"], weights: [1, 2, 3]}\n"),
      ElementsAre("r.yaml:2:39: replicas.weights: 3 weights for 2 addresses: give one "
                  "weight per address"));
  EXPECT_THAT(errors("master: m:1\nreplicas: {addresses: [\"a:1\"], weights: [0]}\n"),
              ElementsAre("r.yaml:2:42: replicas.weights[0]: must be from 1 to 1000, got 0"));
  EXPECT_THAT(errors("master: m:1\nreplicas:\n  addresses:\n    - \"a:1\"\n"
                     "    - {address: \"b:1\", weight: 0}\n"),
              ElementsAre("r.yaml:5:32: replicas.weights[1]: must be from 1 to 1000, got 0"));
  EXPECT_THAT(errors("master: m:1\nreplicas:\n  addresses: [{address: \"a:1\", weight: 2}]\n"
                     "  weights: [1]\n"),
              ElementsAre("r.yaml:4:3: replicas.weights: weights are given both per address and "
                          "here; use one of the two"));
  EXPECT_THAT(errors("master: m:1\nreplicas: {addresses: [\"a:1\", \"a:1\"]}\n"),
              ElementsAre("r.yaml:2:31: replicas.addresses[1]: \"a:1\" is listed twice"));
  Config c = valid_config();
  c.replicas.weights = {1, 2};
  EXPECT_THAT(error_lines(validate(c)),
              ElementsAre("<command line>: replicas.weights: 2 weights for 1 address: give one "
                          "weight per address"));
}

TEST(Rules, Ranges) {
  EXPECT_THAT(errors_with("listen: {max_clients: 1000001, workers: 257}"),
              ElementsAre("r.yaml:3:23: listen.max_clients: must be from 1 to 1000000, got 1000001",
                          "r.yaml:3:41: listen.workers: must be from 0 to 256, got 257"));
  EXPECT_THAT(errors_with("pool: {connections_per_backend: 0, max_pinned_connections: 0}"),
              ElementsAre("r.yaml:3:33: pool.connections_per_backend: must be from 1 to 64, got 0",
                          "r.yaml:3:60: pool.max_pinned_connections: must be from 1 to 1000000, "
                          "got 0"));
  EXPECT_THAT(
      errors_with("pool: {connections_per_backend: 65}"),
      ElementsAre("r.yaml:3:33: pool.connections_per_backend: must be from 1 to 64, got 65"));
  EXPECT_THAT(
      errors_with("health_check: {failure_threshold: 0, success_threshold: 101}"),
      ElementsAre("r.yaml:3:35: health_check.failure_threshold: must be from 1 to 100, got 0",
                  "r.yaml:3:57: health_check.success_threshold: must be from 1 to 100, "
                  "got 101"));
  EXPECT_THAT(errors_with("limits: {max_multibulk_length: 0}"),
              ElementsAre("r.yaml:3:32: limits.max_multibulk_length: must be from 1 to "
                          "2147483647, got 0"));
  Config c = valid_config();
  c.listen.max_clients = 0;
  c.listen.workers = 1000;
  EXPECT_THAT(error_lines(validate(c)),
              ElementsAre("<command line>: listen.max_clients: must be from 1 to 1000000, got 0",
                          "<command line>: listen.workers: must be from 0 to 256, got 1000"));
}

TEST(Rules, DurationsThatMustNotBeZero) {
  EXPECT_THAT(errors_with("timeouts: {connect: 0s, command: 0}"),
              ElementsAre("r.yaml:3:21: timeouts.connect: must be more than 0, got 0s",
                          "r.yaml:3:34: timeouts.command: must be more than 0, got 0s"));
  EXPECT_THAT(errors_with("health_check: {interval: 0s, timeout: 0ms}"),
              ElementsAre("r.yaml:3:26: health_check.interval: must be more than 0, got 0s",
                          "r.yaml:3:39: health_check.timeout: must be more than 0, got 0s"));
  EXPECT_THAT(errors("master: m:1\nreplicas: {discovery: master, refresh_interval: 0s}\n"),
              ElementsAre("r.yaml:2:49: replicas.refresh_interval: must be more than 0, got 0s"));
  EXPECT_THAT(errors_with("pool: {reconnect_backoff_min: 0s}"),
              ElementsAre("r.yaml:3:31: pool.reconnect_backoff_min: must be more than 0, got 0s"));
  EXPECT_THAT(errors_with("pool: {reconnect_backoff_min: 5s, reconnect_backoff_max: 1s}"),
              ElementsAre("r.yaml:3:58: pool.reconnect_backoff_max: must not be less than "
                          "pool.reconnect_backoff_min (5s)"));
  // Zero is meaningful for these: no idle timeout, no keepalive, no lag limit, no waiting.
  EXPECT_THAT(errors_with("listen: {idle_timeout: 0, tcp_keepalive: 0}"), IsEmpty());
  EXPECT_THAT(errors_with("routing: {max_replication_lag: 0, max_replication_lag_bytes: 0}"),
              IsEmpty());
  EXPECT_THAT(errors_with("timeouts: {failover_wait: 0}"), IsEmpty());
  EXPECT_THAT(errors_with("shutdown: {drain_timeout: 0}"), IsEmpty());
  Config c = valid_config();
  c.shutdown.drain_timeout = Duration{-5};
  EXPECT_THAT(
      error_lines(validate(c)),
      ElementsAre("<command line>: shutdown.drain_timeout: must not be negative, got -5ms"));
}

TEST(Rules, Limits) {
  EXPECT_THAT(
      errors_with(
          "limits: {max_query_buffer: 1MiB, max_inline_length: 2MiB, max_bulk_length: 1MiB}"),
      ElementsAre("r.yaml:3:53: limits.max_inline_length: must not exceed "
                  "limits.max_query_buffer (1MiB)"));
  EXPECT_THAT(errors_with("limits: {max_query_buffer: 1MiB}"),
              ElementsAre("r.yaml:3:1: limits.max_bulk_length: must not exceed "
                          "limits.max_query_buffer (1MiB)"));
  EXPECT_THAT(errors_with("limits: {max_bulk_length: 0, client_output_buffer: 0B}"),
              ElementsAre("r.yaml:3:27: limits.max_bulk_length: must be more than 0",
                          "r.yaml:3:52: limits.client_output_buffer: must be more than 0"));
}

TEST(Rules, AdminMustNotShareTheClientPort) {
  EXPECT_THAT(errors_with("admin: {address: \"127.0.0.1:6379\"}"),
              ElementsAre("r.yaml:3:18: admin.address: uses the same port as listen.address"));
  EXPECT_THAT(
      errors_with("listen: {address: \"127.0.0.1:6379\"}\nadmin: {address: \"127.0.0.2:6379\"}"),
      IsEmpty());
}

TEST(Rules, Tls) {
  EXPECT_THAT(errors_with("client_tls: {enabled: true, verify_client: true}"),
              ElementsAre("r.yaml:3:1: client_tls.cert_file: required when client_tls is enabled",
                          "r.yaml:3:1: client_tls.key_file: required when client_tls is enabled",
                          "r.yaml:3:1: client_tls.ca_file: required when verify_client is true"));
  EXPECT_THAT(errors_with("client_tls: {enabled: false, verify_client: true}"), IsEmpty());
  EXPECT_THAT(errors_with("server_tls: {enabled: true}"), IsEmpty());
  EXPECT_THAT(errors_with("server_tls: {enabled: true, cert_file: c.pem}"),
              ElementsAre("r.yaml:3:1: server_tls.key_file: required together with cert_file"));
  EXPECT_THAT(errors_with("server_tls: {enabled: true, key_file: k.pem}"),
              ElementsAre("r.yaml:3:1: server_tls.cert_file: required together with key_file"));
}

TEST(Rules, Auth) {
  EXPECT_THAT(
      errors_with(
          "auth:\n  clients:\n    - {username: app}\n    - {username: app, password: {env: PW}}\n"
          "    - {password: {env: PW}}\n    - {username: default, password: {env: PW}}\n"
          "  backend: {username: proxy}"),
      ElementsAre("r.yaml:5:7: auth.clients[0].password: required: {env: NAME} or {file: PATH}",
                  "r.yaml:6:18: auth.clients[1].username: user \"app\" is listed twice",
                  "r.yaml:8:18: auth.clients[3].username: user \"default\" is listed twice",
                  "r.yaml:9:3: auth.backend.password: required when username is set"));
}

TEST(Rules, ValidateChecksAddressesMadeOutsideTheLoader) {
  Config c = valid_config();
  c.listen.address.port = 0;
  c.master->host.clear();
  EXPECT_THAT(error_lines(validate(c)),
              ElementsAre("<command line>: listen.address: port must be from 1 to 65535, got 0",
                          "<command line>: master: has no host"));
}

}  // namespace
}  // namespace resplit::config
