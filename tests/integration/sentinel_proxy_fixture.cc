#include "tests/integration/sentinel_proxy_fixture.h"

#include <iostream>
#include <sstream>

#include "tests/testing/reply.h"

namespace resplit::testkit {

using namespace std::chrono_literals;

SwitchListener::SwitchListener(RedisTopology& topology) {
  for (size_t i = 0; i < topology.sentinel_count(); ++i) {
    RedisClient client = topology.sentinel(i).client(2s);
    const Reply confirm = client.command({"SUBSCRIBE", "+switch-master"});
    if (confirm.elements.size() != 3)
      ADD_FAILURE() << "SUBSCRIBE on Sentinel " << i << ": " << confirm;
    client.set_timeout(20ms);
    clients_.push_back(std::move(client));
  }
  thread_ = std::thread([this] { run(); });
}

SwitchListener::~SwitchListener() {
  stop_ = true;
  thread_.join();
}

void SwitchListener::run() {
  // Bounded: ten minutes of 20 ms waits per Sentinel at most.
  for (int round = 0; round < 30000 && !stop_; ++round) {
    for (RedisClient& client : clients_) {
      const Reply message = client.next_push();
      if (message.type != Reply::Type::kArray || message.elements.size() != 3) continue;
      std::lock_guard lock(mutex_);
      if (!first_) first_ = std::chrono::steady_clock::now();
    }
  }
}

std::optional<std::chrono::steady_clock::time_point> SwitchListener::wait(
    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (int i = 0; i < 100000; ++i) {
    {
      std::lock_guard lock(mutex_);
      if (first_ || std::chrono::steady_clock::now() >= deadline) return first_;
    }
    std::this_thread::sleep_for(5ms);
  }
  return std::nullopt;
}

std::string SentinelProxyFixture::sentinel_config() {
  std::ostringstream yaml;
  yaml << "sentinel:\n  addresses:\n";
  for (size_t i = 0; i < topology().sentinel_count(); ++i) {
    yaml << "    - \"" << sentinel(i).address() << "\"\n";
  }
  yaml << "  master_name: \"" << topology().master_name() << "\"\n";
  yaml << "replicas: {discovery: sentinel, refresh_interval: 1s}\n";
  yaml << "health_check: {interval: 100ms, timeout: 500ms, failure_threshold: 2, "
          "success_threshold: 2}\n";
  // Writes wait through the whole Sentinel failover for the new master: about 2.3 s here, but
  // on a loaded machine a split leader vote makes Sentinel retry after 2 x failover-timeout.
  yaml << "timeouts: " << timeouts_config() << "\n";
  if (!routing_config().empty()) yaml << "routing: " << routing_config() << "\n";
  yaml << "logging: {level: info, format: text}\n";
  return yaml.str();
}

void SentinelProxyFixture::SetUp() {
  RedisTopologyFixture::SetUp();
  if (HasFatalFailure()) return;
  ResplitOptions options;
  options.config = sentinel_config();
  // ResplitProcess knows it is up by a PING on its port; when another test's server took the
  // port first, resplit exits and the PING was answered by that server: start on a new port.
  Reply ready;
  for (int attempt = 0; attempt < 3; ++attempt) {
    proxy_ = std::make_unique<ResplitProcess>(options);
    ready = proxy_->client(10s).command({"SET", "ready", "1"});
    if (ready == Reply::status("OK") && !proxy_->child().exited()) return;
    std::cerr << "resplit not ready (" << ready << "), exited: " << proxy_->child().exited() << "\n"
              << proxy_->log_tail() << "\n";
  }
  FAIL() << "resplit did not take a write: " << ready;
}

SentinelProxyFixture::PausedSwitch SentinelProxyFixture::pause_master_until_switch(
    std::chrono::milliseconds timeout) {
  PausedSwitch s;
  s.old_port = master().port();
  s.paused_at = std::chrono::steady_clock::now();
  master().pause();
  s.new_port = topology().wait_for_master_switch(s.old_port, timeout, &s.why);
  if (s.new_port == 0) master().resume();
  return s;
}

void SentinelProxyFixture::TearDown() {
  if (proxy_) {
    if (HasFailure()) std::cerr << "--- resplit log ---\n" << proxy_->log_tail(80) << "\n";
    proxy_->stop();
    proxy_.reset();
  }
  RedisTopologyFixture::TearDown();
}

}  // namespace resplit::testkit
