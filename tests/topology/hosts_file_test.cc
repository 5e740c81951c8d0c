#include "proxy/topology/hosts_file.h"

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

namespace resplit::topology {
namespace {

using Addresses = std::vector<std::string>;

TEST(HostsFile, ListsEveryAddressOfANameInFileOrder) {
  const std::string text =
      "# comment line\n"
      "127.0.0.1 localhost\n"
      "10.0.0.2   Replicas.Test  other # trailing comment\n"
      "\n"
      "not-an-ip replicas.test\n"
      "10.0.0.1\treplicas.test\n"
      "10.0.0.2 replicas.test\n"
      "::1 replicas.test\n";
  EXPECT_EQ(hosts_lookup(text, "replicas.test"), (Addresses{"10.0.0.2", "10.0.0.1", "::1"}));
  EXPECT_EQ(hosts_lookup(text, "other"), (Addresses{"10.0.0.2"}));
  EXPECT_EQ(hosts_lookup(text, "comment"), Addresses{});
  EXPECT_EQ(hosts_lookup(text, "missing"), Addresses{});
}

TEST(HostsFile, ReadsTheFileTheVariableNamesEachTime) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/hosts";
  ::unsetenv(kHostsFileVariable);
  EXPECT_EQ(hosts_file_lookup("replicas.test"), std::nullopt);
  ::setenv(kHostsFileVariable, path.c_str(), 1);
  EXPECT_EQ(hosts_file_lookup("replicas.test"), std::nullopt);  // no file yet
  std::ofstream(path) << "10.1.1.1 replicas.test\n";
  EXPECT_EQ(hosts_file_lookup("replicas.test"), Addresses{"10.1.1.1"});
  std::ofstream(path) << "10.1.1.2 replicas.test\n";
  EXPECT_EQ(hosts_file_lookup("replicas.test"), Addresses{"10.1.1.2"});
  EXPECT_EQ(hosts_file_lookup("unlisted"), std::nullopt);
  ::unsetenv(kHostsFileVariable);
}

}  // namespace
}  // namespace resplit::topology
