// Reads on the master whose connection is reset while the master itself stays up (a connection
// killed by Redis, a middlebox reset): resplit asks them again on a new connection, promptly (as
// soon as one has passed its handshake; here, with replicas polled every 100 ms, the topology
// also changes within a poll, so the test does not tell that rule from waiting for the next
// publication; it fails when the reads are not asked again); and only once, so a read whose answer
// keeps breaking its connection gets an error at its second failure instead of taking down
// connection after connection. The master sits behind a fault relay that resets any connection
// carrying a marked value.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "tests/chaos/fault_relay.h"
#include "tests/testing/raw_client.h"
#include "tests/testing/redis_topology_fixture.h"
#include "tests/testing/reply.h"
#include "tests/testing/resp_text.h"
#include "tests/testing/resplit_process.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using resp_text::array;
using resp_text::bulk;

constexpr std::string_view kMarker = "reset-me";

class MasterReadsTest : public RedisTopologyFixture {
 protected:
  void SetUp() override {
    RedisTopologyFixture::SetUp();
    if (HasFatalFailure()) return;
    auto m = master().client();
    ASSERT_EQ(m.command({"SET", "mr:plain", "plain-value"}), Reply::status("OK"));
    ASSERT_EQ(m.command({"SET", "mr:marked", std::string(kMarker)}), Reply::status("OK"));
    relay_ = std::make_unique<FaultRelay>(master().port(), std::string(kMarker));
    // Reads go to the master (through the relay) only.
    ResplitOptions options;
    options.config = static_config("127.0.0.1:" + std::to_string(relay_->port()),
                                   {replica(0).address()}, "routing: {read_policy: master}\n");
    proxy_ = std::make_unique<ResplitProcess>(options);
  }
  void TearDown() override {
    if (proxy_ && HasFailure()) std::cerr << "--- resplit log ---\n" << proxy_->log_tail() << "\n";
    proxy_.reset();
    relay_.reset();
    RedisTopologyFixture::TearDown();
  }

  std::unique_ptr<FaultRelay> relay_;
  std::unique_ptr<ResplitProcess> proxy_;
};

const std::string kGetPlain = array({bulk("GET"), bulk("mr:plain")});
const std::string kGetMarked = array({bulk("GET"), bulk("mr:marked")});

TEST_F(MasterReadsTest, ReadsOnAResetConnectionToAHealthyMasterAreAskedAgainAtOnce) {
  relay_->set_mode(FaultRelay::Mode::kResetOnce);
  RawClient c(proxy_->port());
  const auto start = Clock::now();
  ASSERT_TRUE(c.send(kGetPlain + kGetMarked + kGetPlain));
  const RawClient::Received got = c.read_until(3, 10s);
  const double took = std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << "FIGURES read on a reset master connection: answered after " << took
            << " s; resets " << relay_->faults() << "\n";
  EXPECT_EQ(got.bytes, "$11\r\nplain-value\r\n$8\r\nreset-me\r\n$11\r\nplain-value\r\n");
  EXPECT_EQ(relay_->faults(), 1u);
  EXPECT_LT(took, 2.0) << "the reads waited for a failover that was not coming";
}

TEST_F(MasterReadsTest, AReadThatBreaksItsConnectionAgainGetsItsErrorAfterOneRetry) {
  relay_->set_mode(FaultRelay::Mode::kReset);
  RawClient c(proxy_->port());
  const auto start = Clock::now();
  ASSERT_TRUE(c.send(kGetMarked));
  const RawClient::Received got = c.read_until(1, 10s);
  const double took = std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << "FIGURES read that resets every connection: \"" << got.bytes << "\" after "
            << took << " s; resets " << relay_->faults() << "\n";
  EXPECT_TRUE(got.bytes.starts_with("-ERR resplit:")) << got.bytes;
  EXPECT_EQ(relay_->faults(), 2u) << "asked again more than once";
  EXPECT_LT(took, 2.0);
  // Everyone else is served as before.
  relay_->set_mode(FaultRelay::Mode::kPass);
  RawClient other(proxy_->port());
  ASSERT_TRUE(other.send(kGetPlain));
  EXPECT_EQ(other.read_until(1, 5s).bytes, "$11\r\nplain-value\r\n");
}

}  // namespace
}  // namespace resplit::testkit::chaos
