// resplit's configuration as plain values: what the YAML file (config/resplit.yaml documents every
// key) and the command line turn into. Defaults live here, in the member initialisers, and nowhere
// else; the loader only overwrites what the file sets. Every duration and size carries its unit.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proxy/base/log.h"

namespace resplit::config {

using Duration = std::chrono::milliseconds;

struct HostPort {
  std::string host;
  uint16_t port = 0;

  std::string to_string() const;  // "host:port", IPv6 hosts in brackets
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

// A secret is never written in the file itself: it is read from an environment variable or a file
// (a Kubernetes Secret volume) when the config is loaded.
struct SecretRef {
  std::string env;   // variable name, or empty
  std::string file;  // path, or empty
  std::string value;  // resolved at load time; never printed

  bool empty() const { return env.empty() && file.empty(); }
  friend bool operator==(const SecretRef&, const SecretRef&) = default;
};

struct Credentials {
  std::string username;  // empty: the password alone (AUTH password)
  SecretRef password;
  bool empty() const { return username.empty() && password.empty(); }
  friend bool operator==(const Credentials&, const Credentials&) = default;
};

struct TlsServerSide {  // resplit as the TLS server, facing clients
  bool enabled = false;
  std::string cert_file;
  std::string key_file;
  std::string ca_file;        // to verify client certificates
  bool verify_client = false;  // require a client certificate signed by ca_file
  friend bool operator==(const TlsServerSide&, const TlsServerSide&) = default;
};

struct TlsClientSide {  // resplit as the TLS client, facing Redis and Sentinel
  bool enabled = false;
  std::string ca_file;  // empty: the system's trust store
  std::string cert_file;
  std::string key_file;
  bool verify = true;
  std::string sni;  // server name to send and verify; empty: the backend's host name
  friend bool operator==(const TlsClientSide&, const TlsClientSide&) = default;
};

struct Listen {
  HostPort address{"0.0.0.0", 6379};
  uint32_t max_clients = 10000;
  Duration idle_timeout{0};  // 0: never close idle clients (Redis's `timeout 0`)
  Duration tcp_keepalive{std::chrono::seconds(300)};  // 0: off
  uint32_t workers = 0;  // threads with their own event loop; 0: one per core
  friend bool operator==(const Listen&, const Listen&) = default;
};

struct Admin {
  std::optional<HostPort> address = HostPort{"0.0.0.0", 9121};  // nullopt: no admin server
  friend bool operator==(const Admin&, const Admin&) = default;
};

enum class Discovery {
  kStatic,    // replicas.addresses
  kDns,       // every A/AAAA record of replicas.address (a headless Service)
  kMaster,    // the replicas the master lists in INFO replication
  kSentinel,  // SENTINEL REPLICAS <master_name>
};

struct Replicas {
  Discovery discovery = Discovery::kStatic;
  std::vector<HostPort> addresses;  // discovery: static
  std::vector<uint32_t> weights;    // per address, for replica_selection: weighted (default 1)
  std::optional<HostPort> address;  // discovery: dns
  Duration refresh_interval{std::chrono::seconds(10)};
  friend bool operator==(const Replicas&, const Replicas&) = default;
};

struct Sentinel {
  std::vector<HostPort> addresses;
  std::string master_name;
  Credentials auth;
  friend bool operator==(const Sentinel&, const Sentinel&) = default;
};

enum class ReadPolicy { kMaster, kPreferMaster, kReplica, kPreferReplica, kAny };
enum class ReplicaSelection { kLeastOutstanding, kRoundRobin, kWeighted };

struct Routing {
  ReadPolicy read_policy = ReadPolicy::kPreferReplica;
  ReplicaSelection replica_selection = ReplicaSelection::kLeastOutstanding;
  Duration max_replication_lag{std::chrono::seconds(5)};  // 0: no limit in seconds
  uint64_t max_replication_lag_bytes = 1ull << 20;        // 0: no limit in bytes
  bool read_your_writes = true;
  friend bool operator==(const Routing&, const Routing&) = default;
};

struct Timeouts {
  Duration connect{std::chrono::seconds(1)};
  Duration command{std::chrono::seconds(2)};  // not applied to blocking commands
  Duration failover_wait{std::chrono::seconds(5)};  // how long a write waits for a new master
  Duration tls_handshake{std::chrono::seconds(5)};  // a client's TLS handshake (client_tls)
  friend bool operator==(const Timeouts&, const Timeouts&) = default;
};

struct Pool {
  uint32_t connections_per_backend = 2;  // shared pipelined connections, per worker
  uint32_t max_pinned_connections = 1000;  // per worker: transactions, blocking, pub/sub
  Duration reconnect_backoff_min{100};
  Duration reconnect_backoff_max{std::chrono::seconds(2)};
  friend bool operator==(const Pool&, const Pool&) = default;
};

struct HealthCheck {
  Duration interval{250};  // ROLE / INFO replication poll, with jitter
  Duration timeout{std::chrono::seconds(1)};
  // Consecutive failures before a backend counts as down (the master then takes no writes); a
  // replica leaves read rotation at its first failed poll, since its lag is unknown then.
  uint32_t failure_threshold = 3;
  uint32_t success_threshold = 2;  // consecutive good polls before it comes back
  friend bool operator==(const HealthCheck&, const HealthCheck&) = default;
};

struct Auth {
  std::vector<Credentials> clients;  // who may connect to resplit; empty: anyone
  Credentials backend;               // what resplit sends to Redis (AUTH)
  friend bool operator==(const Auth&, const Auth&) = default;
};

struct Limits {
  uint64_t max_bulk_length = 512ull << 20;       // Redis's proto-max-bulk-len
  uint64_t max_query_buffer = 1ull << 30;        // Redis's client-query-buffer-limit
  uint64_t max_inline_length = 64ull << 10;      // Redis's PROTO_INLINE_MAX_SIZE
  uint64_t max_multibulk_length = 2147483647;  // Redis 7.0 accepts counts up to INT_MAX
  uint64_t client_output_buffer = 64ull << 20;   // per client; beyond it the client is closed
  friend bool operator==(const Limits&, const Limits&) = default;
};

struct Logging {
  log::Level level = log::Level::kInfo;
  log::Format format = log::Format::kJson;
  friend bool operator==(const Logging&, const Logging&) = default;
};

struct Metrics {
  bool per_command = false;  // a `command` label on command counters (more series)
  friend bool operator==(const Metrics&, const Metrics&) = default;
};

struct Readiness {
  bool require_master = true;    // /readyz waits for a reachable master
  bool require_replica = false;  // ... and for at least one routable replica
  friend bool operator==(const Readiness&, const Readiness&) = default;
};

struct Shutdown {
  Duration drain_timeout{std::chrono::seconds(25)};  // below Kubernetes' 30 s grace period
  friend bool operator==(const Shutdown&, const Shutdown&) = default;
};

struct Config {
  std::string source;  // the file it came from, or "<command line>"
  Listen listen;
  Admin admin;
  std::optional<HostPort> master;     // exactly one of master and sentinel is set
  std::optional<Sentinel> sentinel;
  Replicas replicas;
  Routing routing;
  Timeouts timeouts;
  Pool pool;
  HealthCheck health_check;
  Auth auth;
  TlsServerSide client_tls;
  TlsClientSide server_tls;
  Limits limits;
  Logging logging;
  Metrics metrics;
  Readiness readiness;
  Shutdown shutdown;

  bool operator==(const Config& other) const = default;
};

// The files `config` names (certificates, keys, CA bundles, password files), each once: what it
// would read again on a reload.
std::vector<std::string> referenced_files(const Config& config);

// Names as written in YAML, shared by the loader, the dumper and log lines.
std::string_view to_string(Discovery d);
std::string_view to_string(ReadPolicy p);
std::string_view to_string(ReplicaSelection s);

}  // namespace resplit::config
