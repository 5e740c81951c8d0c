// Network namespaces for partition tests. Where `ip netns add` is not allowed (no CAP_SYS_ADMIN,
// a container without the netns mount), tests skip with a visible line instead of failing:
//   RESPLIT_REQUIRE_NETNS_OR_SKIP(ns);
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace resplit::testkit {

// A namespace named resplit-test-<pid>-<n>, deleted by the destructor.
class NetNamespace {
 public:
  // Tries `ip netns add`; nullopt (with `why` set) when it cannot.
  static std::optional<NetNamespace> create(std::string* why);
  ~NetNamespace();
  NetNamespace(NetNamespace&& other) noexcept : name_(std::move(other.name_)) { other.name_.clear(); }
  NetNamespace(const NetNamespace&) = delete;
  NetNamespace& operator=(const NetNamespace&) = delete;
  NetNamespace& operator=(NetNamespace&&) = delete;

  const std::string& name() const { return name_; }
  // Runs `ip netns exec <name> <command>` (no shell in between for `command`'s words); exit status.
  int exec(const std::vector<std::string>& command) const;

 private:
  explicit NetNamespace(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

// Runs argv (argv[0] looked up on $PATH) and waits, at most `timeout`; its exit status, or -1.
int run_command(const std::vector<std::string>& argv, std::string* output = nullptr,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace resplit::testkit

#define RESPLIT_REQUIRE_NETNS_OR_SKIP(var)                                          \
  std::string var##_why;                                                           \
  auto var = ::resplit::testkit::NetNamespace::create(&var##_why);                 \
  if (!var) {                                                                      \
    std::cout << "skipped (no netns): " << var##_why << std::endl;                 \
    GTEST_SKIP() << "skipped (no netns): " << var##_why;                           \
  }
