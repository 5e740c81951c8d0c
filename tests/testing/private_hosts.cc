#include "tests/testing/private_hosts.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace resplit::testkit {

bool rewrite_hosts_file(const std::string& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  const bool written =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  return ::close(fd) == 0 && written;
}

bool use_private_hosts_file(const std::string& path, const std::string& content,
                            std::string* why) {
  auto failed = [why](const char* what) {
    *why = std::string(what) + ": " + std::strerror(errno);
    return false;
  };
  if (!rewrite_hosts_file(path, content)) return failed("writing the hosts file");
  if (::unshare(CLONE_NEWNS) != 0) return failed("unshare(CLONE_NEWNS)");
  // Mounts made here must not propagate back to the machine's namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return failed("making / private");
  }
  if (::mount(path.c_str(), "/etc/hosts", nullptr, MS_BIND, nullptr) != 0) {
    return failed("bind-mounting over /etc/hosts");
  }
  return true;
}

}  // namespace resplit::testkit
