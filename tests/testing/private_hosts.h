// A hosts file of the test's own, as `ip netns exec` gives each network namespace one
// (/etc/netns/<name>/hosts): the calling thread moves into a mount namespace of its own where the
// test's file is bind-mounted over /etc/hosts, so every resolver started from it afterwards
// (resplit's, Redis's replication links) reads the test's names through the system resolver,
// while the machine's /etc/hosts is never touched.
#pragma once

#include <string>

namespace resplit::testkit {

// Writes `content` to `path` and makes it /etc/hosts for the calling thread and what it starts
// from now on. False, with `why`, where mount namespaces cannot be made (Bazel's sandbox, no
// CAP_SYS_ADMIN).
bool use_private_hosts_file(const std::string& path, const std::string& content, std::string* why);

// Replaces the file's content in place, with one write: the bind mount follows the file, not its
// name, so a rename would not be seen.
bool rewrite_hosts_file(const std::string& path, const std::string& content);

}  // namespace resplit::testkit
