#include "proxy/config/check_config.h"

#include <cstdint>
#include <limits>
#include <set>

#include "proxy/config/enum_names.h"
#include "proxy/config/units.h"

namespace resplit::config {
namespace {

constexpr uint32_t kMaxClients = 1'000'000;
constexpr uint32_t kMaxWorkers = 256;
constexpr uint32_t kMaxConnectionsPerBackend = 64;
constexpr uint32_t kMaxPinnedConnections = 1'000'000;
constexpr uint32_t kMaxThreshold = 100;
constexpr uint32_t kMaxWeight = 1000;
// Redis refuses a multibulk count above INT_MAX.
constexpr uint64_t kMaxMultibulkLength = std::numeric_limits<int32_t>::max();

// Each check is skipped when its key already has an error, so one mistake gives one message.
class Checker {
 public:
  explicit Checker(Diagnostics& diag) : diag_(diag) {}

  bool ok(const std::string& path) const { return !diag_.failed(path); }

  void error(const std::string& path, std::string message) {
    diag_.error(path, std::move(message));
  }

  void range(const std::string& path, uint64_t value, uint64_t min, uint64_t max) {
    if (ok(path) && (value < min || value > max)) {
      error(path, "must be from " + std::to_string(min) + " to " + std::to_string(max) + ", got " +
                      std::to_string(value));
    }
  }

  void positive(const std::string& path, Duration value) {
    if (ok(path) && value.count() <= 0) {
      error(path, "must be more than 0, got " + format_duration(value));
    }
  }

  void not_negative(const std::string& path, Duration value) {
    if (ok(path) && value.count() < 0) {
      error(path, "must not be negative, got " + format_duration(value));
    }
  }

  void positive_size(const std::string& path, uint64_t value) {
    if (ok(path) && value == 0) error(path, "must be more than 0");
  }

  // Values made outside the loader (the command line) may lack a host or a port.
  void address(const std::string& path, const HostPort& value) {
    if (!ok(path)) return;
    if (value.host.empty()) error(path, "has no host");
    if (value.port == 0) error(path, "port must be from 1 to 65535, got 0");
  }

  void unique_addresses(const std::string& path, const std::vector<HostPort>& list) {
    std::set<std::string> seen;
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string item = item_path(path, i);
      address(item, list[i]);
      if (!seen.insert(list[i].to_string()).second && ok(item)) {
        error(item, "\"" + list[i].to_string() + "\" is listed twice");
      }
    }
  }

  void credentials(const std::string& path, const Credentials& c, bool password_required) {
    const std::string password = child_path(path, "password");
    if (!ok(password) || !c.password.empty()) return;
    if (password_required) {
      error(password, "required: {env: NAME} or {file: PATH}");
    } else if (!c.username.empty()) {
      error(password, "required when username is set");
    }
  }

 private:
  Diagnostics& diag_;
};

std::string count(size_t n, std::string_view noun) {
  std::string out = std::to_string(n) + " " + std::string(noun);
  if (n != 1) out += noun.ends_with("s") ? "es" : "s";
  return out;
}

bool is_wildcard(const std::string& host) { return host == "0.0.0.0" || host == "::"; }

void check_listen_admin(const Config& c, Checker& k) {
  k.address("listen.address", c.listen.address);
  k.range("listen.max_clients", c.listen.max_clients, 1, kMaxClients);
  k.not_negative("listen.idle_timeout", c.listen.idle_timeout);
  k.not_negative("listen.tcp_keepalive", c.listen.tcp_keepalive);
  k.range("listen.workers", c.listen.workers, 0, kMaxWorkers);
  if (!c.admin.address) return;
  const HostPort& admin = *c.admin.address;
  const HostPort& listen = c.listen.address;
  k.address("admin.address", admin);
  if (k.ok("admin.address") && k.ok("listen.address") && admin.port == listen.port &&
      (admin.host == listen.host || is_wildcard(admin.host) || is_wildcard(listen.host))) {
    k.error("admin.address", "uses the same port as listen.address");
  }
}

void check_backends(const Config& c, Checker& k) {
  if (k.ok("master") && k.ok("sentinel")) {
    if (!c.master && !c.sentinel) {
      k.error("master", "required: set master (host:port) or sentinel, exactly one of them");
    } else if (c.master && c.sentinel) {
      k.error("sentinel", "master is set too: set exactly one of master and sentinel");
    }
  }
  if (c.master) k.address("master", *c.master);
  if (!c.sentinel) return;
  const Sentinel& s = *c.sentinel;
  if (s.addresses.empty() && k.ok("sentinel.addresses")) {
    k.error("sentinel.addresses", "required: at least one Sentinel host:port");
  }
  k.unique_addresses("sentinel.addresses", s.addresses);
  if (s.master_name.empty() && k.ok("sentinel.master_name")) {
    k.error("sentinel.master_name", "required: the name the Sentinels monitor the master by");
  }
  k.credentials("sentinel.auth", s.auth, false);
}

void check_replicas(const Config& c, Checker& k) {
  const Replicas& r = c.replicas;
  if (!k.ok("replicas.discovery")) return;
  const std::string discovery = "discovery: " + std::string(enum_name(r.discovery));
  const bool is_static = r.discovery == Discovery::kStatic;
  const bool is_dns = r.discovery == Discovery::kDns;
  if (k.ok("replicas.addresses")) {
    if (is_static && r.addresses.empty()) {
      k.error("replicas.addresses", "required with discovery: static (a list of host:port)");
    } else if (!is_static && !r.addresses.empty()) {
      k.error("replicas.addresses", "only used with discovery: static, not with " + discovery);
    }
    k.unique_addresses("replicas.addresses", r.addresses);
  }
  if (k.ok("replicas.address")) {
    if (is_dns && !r.address) {
      k.error("replicas.address",
              "required with discovery: dns (the headless Service's host:port)");
    } else if (!is_dns && r.address) {
      k.error("replicas.address", "only used with discovery: dns, not with " + discovery);
    }
    if (r.address) k.address("replicas.address", *r.address);
  }
  if (r.discovery == Discovery::kSentinel && !c.sentinel && k.ok("sentinel")) {
    k.error("replicas.discovery", "discovery: sentinel needs the sentinel section");
  }
  if (!r.weights.empty() && k.ok("replicas.weights") && k.ok("replicas.addresses")) {
    if (r.weights.size() != r.addresses.size()) {
      k.error("replicas.weights", count(r.weights.size(), "weight") + " for " +
                                      count(r.addresses.size(), "address") +
                                      ": give one weight per address");
    }
    for (size_t i = 0; i < r.weights.size(); ++i) {
      k.range(item_path("replicas.weights", i), r.weights[i], 1, kMaxWeight);
    }
  }
  k.positive("replicas.refresh_interval", r.refresh_interval);
}

void check_timing(const Config& c, Checker& k) {
  k.not_negative("routing.max_replication_lag", c.routing.max_replication_lag);
  k.positive("timeouts.connect", c.timeouts.connect);
  k.positive("timeouts.command", c.timeouts.command);
  k.not_negative("timeouts.failover_wait", c.timeouts.failover_wait);
  k.positive("timeouts.tls_handshake", c.timeouts.tls_handshake);
  k.range("pool.connections_per_backend", c.pool.connections_per_backend, 1,
          kMaxConnectionsPerBackend);
  k.range("pool.max_pinned_connections", c.pool.max_pinned_connections, 1, kMaxPinnedConnections);
  k.positive("pool.reconnect_backoff_min", c.pool.reconnect_backoff_min);
  k.positive("pool.reconnect_backoff_max", c.pool.reconnect_backoff_max);
  if (k.ok("pool.reconnect_backoff_min") && k.ok("pool.reconnect_backoff_max") &&
      c.pool.reconnect_backoff_max < c.pool.reconnect_backoff_min) {
    k.error("pool.reconnect_backoff_max", "must not be less than pool.reconnect_backoff_min (" +
                                              format_duration(c.pool.reconnect_backoff_min) + ")");
  }
  k.positive("health_check.interval", c.health_check.interval);
  k.positive("health_check.timeout", c.health_check.timeout);
  k.range("health_check.failure_threshold", c.health_check.failure_threshold, 1, kMaxThreshold);
  k.range("health_check.success_threshold", c.health_check.success_threshold, 1, kMaxThreshold);
  k.not_negative("shutdown.drain_timeout", c.shutdown.drain_timeout);
}

void check_auth(const Config& c, Checker& k) {
  std::set<std::string> users;
  const size_t clients = k.ok("auth.clients") ? c.auth.clients.size() : 0;
  for (size_t i = 0; i < clients; ++i) {
    const std::string path = item_path("auth.clients", i);
    const Credentials& client = c.auth.clients[i];
    k.credentials(path, client, true);
    // AUTH with a password alone logs in as "default".
    const std::string user = client.username.empty() ? "default" : client.username;
    const std::string username = child_path(path, "username");
    if (!users.insert(user).second && k.ok(username)) {
      k.error(username, "user \"" + user + "\" is listed twice");
    }
  }
  k.credentials("auth.backend", c.auth.backend, false);
}

void check_tls(const Config& c, Checker& k) {
  const TlsServerSide& in = c.client_tls;
  if (in.enabled) {
    if (in.cert_file.empty() && k.ok("client_tls.cert_file")) {
      k.error("client_tls.cert_file", "required when client_tls is enabled");
    }
    if (in.key_file.empty() && k.ok("client_tls.key_file")) {
      k.error("client_tls.key_file", "required when client_tls is enabled");
    }
    if (in.verify_client && in.ca_file.empty() && k.ok("client_tls.ca_file")) {
      k.error("client_tls.ca_file", "required when verify_client is true");
    }
  }
  const TlsClientSide& out = c.server_tls;
  if (out.enabled && out.cert_file.empty() != out.key_file.empty()) {
    const bool cert_missing = out.cert_file.empty();
    const std::string path = cert_missing ? "server_tls.cert_file" : "server_tls.key_file";
    if (k.ok(path)) {
      k.error(path, cert_missing ? "required together with key_file"
                                 : "required together with cert_file");
    }
  }
}

void check_limits(const Config& c, Checker& k) {
  const Limits& l = c.limits;
  k.positive_size("limits.max_bulk_length", l.max_bulk_length);
  k.positive_size("limits.max_query_buffer", l.max_query_buffer);
  k.positive_size("limits.max_inline_length", l.max_inline_length);
  k.range("limits.max_multibulk_length", l.max_multibulk_length, 1, kMaxMultibulkLength);
  k.positive_size("limits.client_output_buffer", l.client_output_buffer);
  if (!k.ok("limits.max_query_buffer")) return;
  // Both are buffered whole before they are forwarded.
  const std::string bound =
      "must not exceed limits.max_query_buffer (" + format_size(l.max_query_buffer) + ")";
  if (k.ok("limits.max_inline_length") && l.max_inline_length > l.max_query_buffer) {
    k.error("limits.max_inline_length", bound);
  }
  if (k.ok("limits.max_bulk_length") && l.max_bulk_length > l.max_query_buffer) {
    k.error("limits.max_bulk_length", bound);
  }
}

}  // namespace

void check_config(const Config& config, Diagnostics& diag) {
  Checker checker(diag);
  check_listen_admin(config, checker);
  check_backends(config, checker);
  check_replicas(config, checker);
  check_timing(config, checker);
  check_auth(config, checker);
  check_tls(config, checker);
  check_limits(config, checker);
}

}  // namespace resplit::config
