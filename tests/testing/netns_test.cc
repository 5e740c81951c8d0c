// The network namespace helper: a namespace of our own with its own loopback, deleted afterwards;
// where namespaces are not allowed the test says "skipped (no netns)" instead of failing.
#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "tests/testing/netns.h"

namespace resplit::testkit {
namespace {

TEST(NetNamespace, OwnLoopbackAndGoneAfterwards) {
  std::string name;
  {
    RESPLIT_REQUIRE_NETNS_OR_SKIP(ns);
    name = ns->name();
    EXPECT_EQ(ns->exec({"ip", "link", "set", "lo", "up"}), 0);
    std::string links;
    EXPECT_EQ(run_command({"ip", "netns", "exec", name, "ip", "-o", "link"}, &links), 0);
    EXPECT_NE(links.find("lo:"), std::string::npos) << links;
    EXPECT_EQ(links.find("\n", links.find('\n') + 1), std::string::npos)
        << "more than the loopback in a fresh namespace:\n" << links;
  }
  std::string list;
  run_command({"ip", "netns", "list"}, &list);
  EXPECT_EQ(list.find(name), std::string::npos) << "namespace left behind: " << list;
}

TEST(RunCommand, ExitStatusOutputAndTimeout) {
  std::string out;
  EXPECT_EQ(run_command({"sh", "-c", "echo hi; exit 3"}, &out), 3);
  EXPECT_EQ(out, "hi\n");
  EXPECT_EQ(run_command({"no-such-command-here"}), 127);
  EXPECT_EQ(run_command({"sleep", "5"}, nullptr, std::chrono::milliseconds(200)), -1);
}

}  // namespace
}  // namespace resplit::testkit
