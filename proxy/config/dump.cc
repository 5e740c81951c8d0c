#include "proxy/config/dump.h"

#include <yaml-cpp/yaml.h>

#include "proxy/config/enum_names.h"
#include "proxy/config/units.h"

namespace resplit::config {
namespace {

// Keeps the section code to one line per key.
class Writer {
 public:
  explicit Writer(YAML::Emitter& out) : out_(out) {}

  void begin(std::string_view key) {
    out_ << YAML::Key << std::string(key) << YAML::Value << YAML::BeginMap;
  }
  void end() { out_ << YAML::EndMap; }

  // Strings are always quoted so that "true", "~" or "" read back as strings.
  void text(std::string_view key, const std::string& value) {
    out_ << YAML::Key << std::string(key) << YAML::Value << YAML::DoubleQuoted << value;
  }
  void plain(std::string_view key, const std::string& value) {
    out_ << YAML::Key << std::string(key) << YAML::Value << value;
  }
  void number(std::string_view key, uint64_t value) {
    out_ << YAML::Key << std::string(key) << YAML::Value << value;
  }
  void flag(std::string_view key, bool value) {
    out_ << YAML::Key << std::string(key) << YAML::Value << YAML::TrueFalseBool << value;
  }
  void duration(std::string_view key, Duration value) { plain(key, format_duration(value)); }
  void size(std::string_view key, uint64_t value) { plain(key, format_size(value)); }
  void address(std::string_view key, const HostPort& value) { text(key, value.to_string()); }
  void address(std::string_view key, const std::optional<HostPort>& value) {
    if (value) {
      address(key, *value);
    } else {
      out_ << YAML::Key << std::string(key) << YAML::Value << YAML::Null;
    }
  }
  template <typename E>
  void choice(std::string_view key, E value) {
    plain(key, std::string(enum_name(value)));
  }

  void addresses(std::string_view key, const std::vector<HostPort>& list) {
    out_ << YAML::Key << std::string(key) << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const HostPort& a : list) out_ << YAML::DoubleQuoted << a.to_string();
    out_ << YAML::EndSeq;
  }
  void numbers(std::string_view key, const std::vector<uint32_t>& list) {
    out_ << YAML::Key << std::string(key) << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (uint32_t n : list) out_ << n;
    out_ << YAML::EndSeq;
  }

  // The reference only: the resolved value stays in memory.
  void secret(std::string_view key, const SecretRef& ref) {
    out_ << YAML::Key << std::string(key) << YAML::Value;
    if (ref.empty()) {
      out_ << YAML::Null;
      return;
    }
    out_ << YAML::Flow << YAML::BeginMap;
    if (!ref.env.empty()) {
      out_ << YAML::Key << "env" << YAML::Value << YAML::DoubleQuoted << ref.env;
    } else {
      out_ << YAML::Key << "file" << YAML::Value << YAML::DoubleQuoted << ref.file;
    }
    out_ << YAML::EndMap;
  }
  void credentials_body(const Credentials& c) {
    text("username", c.username);
    secret("password", c.password);
  }

  YAML::Emitter& out() { return out_; }

 private:
  YAML::Emitter& out_;
};

void write_backends(Writer& w, const Config& c) {
  if (c.master) {
    w.begin("master");
    w.address("address", *c.master);
    w.end();
  }
  if (c.sentinel) {
    w.begin("sentinel");
    w.addresses("addresses", c.sentinel->addresses);
    w.text("master_name", c.sentinel->master_name);
    w.begin("auth");
    w.credentials_body(c.sentinel->auth);
    w.end();
    w.end();
  }
  w.begin("replicas");
  w.choice("discovery", c.replicas.discovery);
  w.addresses("addresses", c.replicas.addresses);
  w.numbers("weights", c.replicas.weights);
  w.address("address", c.replicas.address);
  w.duration("refresh_interval", c.replicas.refresh_interval);
  w.end();
}

void write_auth(Writer& w, const Auth& auth) {
  w.begin("auth");
  w.out() << YAML::Key << "clients" << YAML::Value;
  if (auth.clients.empty()) w.out() << YAML::Flow;  // "[]" rather than a dangling block
  w.out() << YAML::BeginSeq;
  for (const Credentials& client : auth.clients) {
    w.out() << YAML::BeginMap;
    w.credentials_body(client);
    w.out() << YAML::EndMap;
  }
  w.out() << YAML::EndSeq;
  w.begin("backend");
  w.credentials_body(auth.backend);
  w.end();
  w.end();
}

void write_tls(Writer& w, const Config& c) {
  w.begin("client_tls");
  w.flag("enabled", c.client_tls.enabled);
  w.text("cert_file", c.client_tls.cert_file);
  w.text("key_file", c.client_tls.key_file);
  w.text("ca_file", c.client_tls.ca_file);
  w.flag("verify_client", c.client_tls.verify_client);
  w.end();
  w.begin("server_tls");
  w.flag("enabled", c.server_tls.enabled);
  w.text("ca_file", c.server_tls.ca_file);
  w.text("cert_file", c.server_tls.cert_file);
  w.text("key_file", c.server_tls.key_file);
  w.flag("verify", c.server_tls.verify);
  w.text("sni", c.server_tls.sni);
  w.end();
}

}  // namespace

std::string dump(const Config& c) {
  YAML::Emitter out;
  Writer w(out);
  out << YAML::BeginMap;
  w.begin("listen");
  w.address("address", c.listen.address);
  w.number("max_clients", c.listen.max_clients);
  w.duration("idle_timeout", c.listen.idle_timeout);
  w.duration("tcp_keepalive", c.listen.tcp_keepalive);
  w.number("workers", c.listen.workers);
  w.end();
  w.begin("admin");
  w.address("address", c.admin.address);
  w.end();
  write_backends(w, c);
  w.begin("routing");
  w.choice("read_policy", c.routing.read_policy);
  w.choice("replica_selection", c.routing.replica_selection);
  w.duration("max_replication_lag", c.routing.max_replication_lag);
  w.size("max_replication_lag_bytes", c.routing.max_replication_lag_bytes);
  w.flag("read_your_writes", c.routing.read_your_writes);
  w.end();
  w.begin("timeouts");
  w.duration("connect", c.timeouts.connect);
  w.duration("command", c.timeouts.command);
  w.duration("failover_wait", c.timeouts.failover_wait);
  w.duration("tls_handshake", c.timeouts.tls_handshake);
  w.end();
  w.begin("pool");
  w.number("connections_per_backend", c.pool.connections_per_backend);
  w.number("max_pinned_connections", c.pool.max_pinned_connections);
  w.duration("reconnect_backoff_min", c.pool.reconnect_backoff_min);
  w.duration("reconnect_backoff_max", c.pool.reconnect_backoff_max);
  w.end();
  w.begin("health_check");
  w.duration("interval", c.health_check.interval);
  w.duration("timeout", c.health_check.timeout);
  w.number("failure_threshold", c.health_check.failure_threshold);
  w.number("success_threshold", c.health_check.success_threshold);
  w.end();
  write_auth(w, c.auth);
  write_tls(w, c);
  w.begin("limits");
  w.size("max_bulk_length", c.limits.max_bulk_length);
  w.size("max_query_buffer", c.limits.max_query_buffer);
  w.size("max_inline_length", c.limits.max_inline_length);
  w.number("max_multibulk_length", c.limits.max_multibulk_length);
  w.size("client_output_buffer", c.limits.client_output_buffer);
  w.end();
  w.begin("logging");
  w.choice("level", c.logging.level);
  w.choice("format", c.logging.format);
  w.end();
  w.begin("metrics");
  w.flag("per_command", c.metrics.per_command);
  w.end();
  w.begin("readiness");
  w.flag("require_master", c.readiness.require_master);
  w.flag("require_replica", c.readiness.require_replica);
  w.end();
  w.begin("shutdown");
  w.duration("drain_timeout", c.shutdown.drain_timeout);
  w.end();
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace resplit::config
