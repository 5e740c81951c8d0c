#include "tests/integration/proxy_fixture.h"

#include <iostream>

namespace resplit::testkit {

void ProxyFixture::SetUp() {
  RedisTopologyFixture::SetUp();
  ASSERT_TRUE(topology().wait_for_sync());
  ResplitOptions options;
  options.config = config_for(topology(), proxy_config());
  options.listen_extra = listen_options();
  proxy_ = std::make_unique<ResplitProcess>(options);
}

void ProxyFixture::TearDown() {
  if (proxy_) {
    if (HasFailure()) std::cerr << "--- resplit log ---\n" << proxy_->log_tail() << "\n";
    proxy_->stop();
    proxy_.reset();
  }
  RedisTopologyFixture::TearDown();
}

long long ProxyFixture::calls(RedisProcess& node, const std::string& command) {
  auto info = node.client().info("commandstats");
  auto it = info.find("cmdstat_" + command);
  if (it == info.end()) return 0;
  const auto start = it->second.find("calls=");
  if (start == std::string::npos) return 0;
  return std::stoll(it->second.substr(start + 6));
}

}  // namespace resplit::testkit
