// resplit before a master and two replicas, with the checker's dataset preloaded and replicated:
// where every battery test that drives resplit with the checker client starts.
#pragma once

#include "tests/integration/proxy_fixture.h"
#include "tests/testing/checker_client.h"

namespace resplit::testkit::chaos {

class LoadedProxyFixture : public ProxyFixture {
 protected:
  explicit LoadedProxyFixture(CheckerOptions options) : options_(std::move(options)) {}

  void SetUp() override {
    ProxyFixture::SetUp();
    if (HasFatalFailure()) return;
    preload_dataset(master().port(), options_);
    ASSERT_TRUE(topology().wait_for_sync());
  }

  // The checker's sessions and pace for this test (and the dataset preload_dataset wrote).
  CheckerOptions options_;
};

}  // namespace resplit::testkit::chaos
