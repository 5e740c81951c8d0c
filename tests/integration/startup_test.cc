// resplit answers clients from its first moment: its workers accept connections before the
// topology monitor has published anything, and a command arriving then must get an answer (a
// write waits for the master), never a crash.
#include <chrono>
#include <cstdio>

#include <gtest/gtest.h>

#include "tests/testing/redis_topology_fixture.h"
#include "tests/testing/reply.h"
#include "tests/testing/resplit_process.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

class StartupTest : public RedisTopologyFixture {};

TEST_F(StartupTest, CommandsSentAtOnceAfterStartAreAnswered) {
  constexpr int kStarts = 20;
  int answered = 0, alive = 0;
  for (int i = 0; i < kStarts; ++i) {
    ResplitOptions options;
    options.config = config_for(topology());
    ResplitProcess proxy(options);  // ready at its first PONG, before the monitor's first round
    auto c = proxy.client(10s);
    const std::string value = std::to_string(i);
    answered += c.command({"SET", "started", value}) == Reply::status("OK") &&
                        c.command({"GET", "started"}) == Reply::bulk(value)
                    ? 1
                    : 0;
    alive += proxy.child().exited() ? 0 : 1;
    if (HasFailure()) break;
  }
  std::printf("resplit starts: %d; SET+GET answered right after start: %d; still running: %d\n",
              kStarts, answered, alive);
  EXPECT_EQ(answered, kStarts);
  EXPECT_EQ(alive, kStarts);
}

}  // namespace
}  // namespace resplit::testkit
