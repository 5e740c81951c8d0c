// resplit itself as a child process for integration tests: built by Bazel (a data dependency on
// //proxy:resplit), started with a generated config on free loopback ports, ready when it answers
// PING, stopped by PID.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/testing/child_process.h"
#include "tests/testing/redis_client.h"
#include "tests/testing/redis_topology.h"
#include "tests/testing/temp_dir.h"

namespace resplit::testkit {

struct ResplitOptions {
  // YAML for everything but `listen` and `admin`, which the process fills in with free ports.
  std::string config;
  // More keys of the `listen` map, as YAML flow entries (e.g. "max_clients: 10, idle_timeout: 1s").
  std::string listen_extra{};
  // The address resplit listens on (the admin endpoint stays on loopback). Elsewhere than
  // loopback, `answers` must say how to reach it.
  std::string listen_host = "127.0.0.1";
  std::vector<std::string> extra_args{};
  bool admin = true;  // serve the admin endpoint on a free port
  // Whether resplit answers on `port` (default: PING over plain TCP); with client_tls, the test
  // gives a TLS probe.
  std::function<bool(uint16_t port)> answers{};
  std::chrono::milliseconds start_timeout{10000};
};

// A config in front of a topology: its master and replicas (static discovery; their TLS ports
// when the topology has TLS), fast health checks, plus `extra` YAML appended (sections it names
// must not be named again here).
std::string config_for(RedisTopology& topology, const std::string& extra = "");
// The same for any addresses ("host:port"): a relay standing in for a node, a moved master.
std::string static_config(const std::string& master, const std::vector<std::string>& replicas,
                          const std::string& extra = "");

// Where the resplit binary is (runfiles of the test, or $RESPLIT_BINARY).
std::string resplit_binary();

class ResplitProcess {
 public:
  explicit ResplitProcess(ResplitOptions options);
  ~ResplitProcess();

  ResplitProcess(const ResplitProcess&) = delete;
  ResplitProcess& operator=(const ResplitProcess&) = delete;

  uint16_t port() const { return port_; }
  uint16_t admin_port() const { return admin_port_; }
  pid_t pid() const { return child_.pid(); }
  const std::string& config_path() const { return config_path_; }
  std::string log_tail(size_t lines = 40) const;
  RedisClient client(std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

  // Rewrites the config file (for reload tests).
  void write_config(const std::string& yaml);
  void stop() { child_.stop(); }
  void signal(int signo) const;
  ChildProcess& child() { return child_; }

 private:
  std::string full_config(const std::string& yaml) const;

  ResplitOptions options_;
  std::unique_ptr<TempDir> dir_;
  std::string config_path_;
  std::string log_path_;
  uint16_t port_ = 0;
  uint16_t admin_port_ = 0;
  ChildProcess child_;
};

}  // namespace resplit::testkit
