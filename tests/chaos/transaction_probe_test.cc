// Read-your-writes probes (ROLE, sent behind a write to learn the master's offset) must never land
// inside a client's transaction. A write on a pinned connection asks for a probe right behind it;
// if the probe waited for the next flush instead, a MULTI queued meanwhile (the next chunk of the
// same pipeline, or commands held while the connection is still connecting) would take it in, and
// EXEC would answer with one element too many. Every cut of a pipeline of two transactions into
// two chunks must give the replies the master gives.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "tests/chaos/battery.h"
#include "tests/chaos/probe.h"
#include "tests/integration/proxy_fixture.h"
#include "tests/testing/raw_client.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;

std::string resp(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

class TransactionProbeTest : public ProxyFixture {};

TEST_F(TransactionProbeTest, ProbesNeverLandInsideATransactionWhereverThePipelineIsCut) {
  const auto test_start = Clock::now();
  const std::string pipeline =
      resp({"MULTI"}) + resp({"SET", "tx:k", "one"}) + resp({"GET", "tx:k"}) + resp({"EXEC"}) +
      resp({"MULTI"}) + resp({"SET", "tx:k", "two"}) + resp({"GET", "tx:k"}) + resp({"EXEC"});
  const std::string expected =
      "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n$3\r\none\r\n"
      "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n$3\r\ntwo\r\n";
  constexpr size_t kReplies = 8;
  size_t right = 0;
  std::vector<std::string> wrong;
  for (size_t cut = 1; cut < pipeline.size(); ++cut) {
    RawClient c(proxy().port());
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.send(pipeline.substr(0, cut)));
    std::this_thread::sleep_for(2ms);  // the first chunk is handled (and flushed) on its own
    ASSERT_TRUE(c.send(pipeline.substr(cut)));
    const auto got = c.read_until(kReplies, 3s);
    if (got.bytes == expected) {
      ++right;
    } else if (wrong.size() < 3) {
      wrong.push_back("cut at " + std::to_string(cut) + ": " + escape(got.bytes));
    }
  }
  const size_t cuts = pipeline.size() - 1;
  std::cout << "FIGURES transactions cut in two: " << right << " of " << cuts
            << " cuts answered as the master does; test " << seconds_since(test_start) << " s\n";
  for (const auto& w : wrong) std::cout << "  " << w << "\n";
  EXPECT_EQ(right, cuts) << ::testing::PrintToString(wrong);
}

}  // namespace
}  // namespace resplit::testkit::chaos
