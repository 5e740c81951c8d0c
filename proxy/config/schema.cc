#include "proxy/config/schema.h"

#include "proxy/config/object_reader.h"
#include "proxy/config/secrets.h"
#include "proxy/config/value_types.h"

namespace resplit::config {
namespace {

void read_listen(ObjectReader& r, Listen& out) {
  r.read("address", out.address, host_port_type());
  r.read("max_clients", out.max_clients, u32_type());
  r.read("idle_timeout", out.idle_timeout, duration_type());
  r.read("tcp_keepalive", out.tcp_keepalive, duration_type());
  r.read("workers", out.workers, u32_type());
}

// `master: host:port` is short for `master: {address: host:port}`.
void read_master(ObjectReader& r, std::optional<HostPort>& out) {
  auto node = r.take("master");
  if (!node) return;
  const std::string path = r.path_of("master");
  if (node->IsScalar()) {
    HostPort address;
    if (read_scalar(*node, path, r.diag(), host_port_type(), address)) out = address;
    return;
  }
  read_map(*node, path, r.diag(), [&](ObjectReader& m) {
    HostPort address;
    if (m.read_required("address", address, host_port_type(), "the master's host:port")) {
      out = address;
    }
  });
}

void read_sentinel(ObjectReader& r, const SecretSource& secrets, std::optional<Sentinel>& out) {
  auto node = r.take("sentinel");
  if (!node) return;
  Sentinel sentinel;
  read_map(*node, r.path_of("sentinel"), r.diag(), [&](ObjectReader& s) {
    s.read_list("addresses", sentinel.addresses, host_port_type());
    s.read("master_name", sentinel.master_name, string_type());
    s.section("auth", [&](ObjectReader& a) { read_credentials(a, secrets, sentinel.auth); });
  });
  out = std::move(sentinel);
}

// Each address is "host:port" or {address: host:port, weight: N}; weights may instead be given
// as a parallel `weights` list.
void read_replicas(ObjectReader& r, Replicas& out) {
  r.read("discovery", out.discovery, enum_type<Discovery>());
  std::vector<HostPort> addresses;
  std::vector<uint32_t> item_weights;
  bool any_item_weight = false;
  bool addresses_ok = true;
  size_t index = 0;
  r.list("addresses", "host:port", [&](const YAML::Node& item, const std::string& path) {
    HostPort address;
    uint32_t weight = 1;
    bool ok = false;
    if (item.IsMap()) {
      read_map(item, path, r.diag(), [&](ObjectReader& m) {
        ok = m.read_required("address", address, host_port_type(), "the replica's host:port");
        if (!m.has("weight")) return;
        any_item_weight = true;
        m.read("weight", weight, u32_type());
        // check_config reports weights as replicas.weights[i]: point it at this entry.
        m.diag().record(item_path("replicas.weights", index), m.diag().where(m.path_of("weight")));
      });
    } else {
      ok = read_scalar(item, path, r.diag(), host_port_type(), address);
    }
    addresses_ok = addresses_ok && ok;
    addresses.push_back(address);
    item_weights.push_back(weight);
    ++index;
  });
  if (addresses_ok) out.addresses = std::move(addresses);
  const bool weights_listed = r.has("weights");
  r.read_list("weights", out.weights, u32_type());
  if (any_item_weight && weights_listed) {
    r.diag().error(r.path_of("weights"),
                   "weights are given both per address and here; use one of the two");
  } else if (any_item_weight && addresses_ok) {
    out.weights = std::move(item_weights);
  }
  r.read_optional("address", out.address, host_port_type());
  r.read("refresh_interval", out.refresh_interval, duration_type());
}

void read_routing(ObjectReader& r, Routing& out) {
  r.read("read_policy", out.read_policy, enum_type<ReadPolicy>());
  r.read("replica_selection", out.replica_selection, enum_type<ReplicaSelection>());
  r.read("max_replication_lag", out.max_replication_lag, duration_type());
  r.read("max_replication_lag_bytes", out.max_replication_lag_bytes, size_type());
  r.read("read_your_writes", out.read_your_writes, bool_type());
}

void read_timeouts(ObjectReader& r, Timeouts& out) {
  r.read("connect", out.connect, duration_type());
  r.read("command", out.command, duration_type());
  r.read("failover_wait", out.failover_wait, duration_type());
  r.read("tls_handshake", out.tls_handshake, duration_type());
}

void read_pool(ObjectReader& r, Pool& out) {
  r.read("connections_per_backend", out.connections_per_backend, u32_type());
  r.read("max_pinned_connections", out.max_pinned_connections, u32_type());
  r.read("reconnect_backoff_min", out.reconnect_backoff_min, duration_type());
  r.read("reconnect_backoff_max", out.reconnect_backoff_max, duration_type());
}

void read_health_check(ObjectReader& r, HealthCheck& out) {
  r.read("interval", out.interval, duration_type());
  r.read("timeout", out.timeout, duration_type());
  r.read("failure_threshold", out.failure_threshold, u32_type());
  r.read("success_threshold", out.success_threshold, u32_type());
}

void read_auth(ObjectReader& r, const SecretSource& secrets, Auth& out) {
  std::vector<Credentials> clients;
  r.list("clients", "{username, password}", [&](const YAML::Node& item, const std::string& path) {
    Credentials c;
    read_map(item, path, r.diag(), [&](ObjectReader& m) { read_credentials(m, secrets, c); });
    clients.push_back(std::move(c));
  });
  if (!r.diag().failed(r.path_of("clients"))) out.clients = std::move(clients);
  r.section("backend", [&](ObjectReader& b) { read_credentials(b, secrets, out.backend); });
}

void read_client_tls(ObjectReader& r, TlsServerSide& out) {
  r.read("enabled", out.enabled, bool_type());
  r.read("cert_file", out.cert_file, string_type());
  r.read("key_file", out.key_file, string_type());
  r.read("ca_file", out.ca_file, string_type());
  r.read("verify_client", out.verify_client, bool_type());
}

void read_server_tls(ObjectReader& r, TlsClientSide& out) {
  r.read("enabled", out.enabled, bool_type());
  r.read("ca_file", out.ca_file, string_type());
  r.read("cert_file", out.cert_file, string_type());
  r.read("key_file", out.key_file, string_type());
  r.read("verify", out.verify, bool_type());
  r.read("sni", out.sni, string_type());
}

void read_limits(ObjectReader& r, Limits& out) {
  r.read("max_bulk_length", out.max_bulk_length, size_type());
  r.read("max_query_buffer", out.max_query_buffer, size_type());
  r.read("max_inline_length", out.max_inline_length, size_type());
  r.read("max_multibulk_length", out.max_multibulk_length, u64_type());
  r.read("client_output_buffer", out.client_output_buffer, size_type());
}

}  // namespace

void read_config(const YAML::Node& root, Diagnostics& diag, const SecretSource& secrets,
                 Config& c) {
  read_map(root, "", diag, [&](ObjectReader& r) {
    r.section("listen", [&](ObjectReader& s) { read_listen(s, c.listen); });
    r.section("admin", [&](ObjectReader& s) {
      s.read_optional("address", c.admin.address, host_port_type());
    });
    read_master(r, c.master);
    read_sentinel(r, secrets, c.sentinel);
    r.section("replicas", [&](ObjectReader& s) { read_replicas(s, c.replicas); });
    r.section("routing", [&](ObjectReader& s) { read_routing(s, c.routing); });
    r.section("timeouts", [&](ObjectReader& s) { read_timeouts(s, c.timeouts); });
    r.section("pool", [&](ObjectReader& s) { read_pool(s, c.pool); });
    r.section("health_check", [&](ObjectReader& s) { read_health_check(s, c.health_check); });
    r.section("auth", [&](ObjectReader& s) { read_auth(s, secrets, c.auth); });
    r.section("client_tls", [&](ObjectReader& s) { read_client_tls(s, c.client_tls); });
    r.section("server_tls", [&](ObjectReader& s) { read_server_tls(s, c.server_tls); });
    r.section("limits", [&](ObjectReader& s) { read_limits(s, c.limits); });
    r.section("logging", [&](ObjectReader& s) {
      s.read("level", c.logging.level, enum_type<log::Level>());
      s.read("format", c.logging.format, enum_type<log::Format>());
    });
    r.section("metrics",
              [&](ObjectReader& s) { s.read("per_command", c.metrics.per_command, bool_type()); });
    r.section("readiness", [&](ObjectReader& s) {
      s.read("require_master", c.readiness.require_master, bool_type());
      s.read("require_replica", c.readiness.require_replica, bool_type());
    });
    r.section("shutdown", [&](ObjectReader& s) {
      s.read("drain_timeout", c.shutdown.drain_timeout, duration_type());
    });
  });
}

}  // namespace resplit::config
