// A master, two replicas and resplit in front of them, for tests of behaviour through the proxy.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "tests/testing/redis_topology_fixture.h"
#include "tests/testing/reply.h"
#include "tests/testing/resplit_process.h"

namespace resplit::testkit {

class ProxyFixture : public RedisTopologyFixture {
 protected:
  // Extra YAML for resplit's config (routing, limits, ...).
  virtual std::string proxy_config() const { return ""; }
  // Extra keys of resplit's `listen` map (limits, keepalive, idle timeout).
  virtual std::string listen_options() const { return ""; }

  void SetUp() override;
  void TearDown() override;

  ResplitProcess& proxy() { return *proxy_; }
  RedisClient client() { return proxy_->client(); }
  // Calls on each node, from INFO commandstats ("cmdstat_get" -> calls).
  static long long calls(RedisProcess& node, const std::string& command);

 private:
  std::unique_ptr<ResplitProcess> proxy_;
};

}  // namespace resplit::testkit
