#include "tests/testing/veth_link.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

namespace resplit::testkit {
namespace {

// 198.18.0.0/15 holds 32,768 blocks of 4 addresses: 4 links per process, by PID modulo 8,192.
std::string address_in_block(uint32_t block, uint32_t host) {
  const uint32_t offset = block * 4 + host;
  return "198." + std::to_string(18 + (offset >> 16)) + "." + std::to_string((offset >> 8) & 255) +
         "." + std::to_string(offset & 255);
}

// Runs each command in turn; false (with `why` naming the failed one) at the first that fails.
bool run_all(const std::vector<std::vector<std::string>>& commands, std::string* why) {
  for (const auto& argv : commands) {
    std::string output;
    const int status = run_command(argv, &output);
    if (status != 0) {
      std::string line;
      for (const std::string& word : argv) line += (line.empty() ? "" : " ") + word;
      if (why != nullptr) *why = "`" + line + "` exited " + std::to_string(status) + ": " + output;
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<VethLink> VethLink::create(std::string* why) {
  auto ns = NetNamespace::create(why);
  if (!ns) return std::nullopt;
  static std::atomic<uint32_t> counter{0};
  const uint32_t n = counter++ % 4;
  const uint32_t block = static_cast<uint32_t>(::getpid()) % 8192 * 4 + n;
  // Interface names have at most 15 characters.
  const std::string stem = "rsv" + std::to_string(::getpid() % 10'000'000) + std::to_string(n);
  VethLink link(std::move(*ns), stem + "o", stem + "i", block);
  const std::string& name = link.ns().name();
  const bool made = run_all(
      {{"ip", "link", "add", link.outer_name_, "type", "veth", "peer", "name", link.inner_name_},
       {"ip", "link", "set", link.inner_name_, "netns", name},
       {"ip", "address", "add", link.outer_address_ + "/30", "dev", link.outer_name_},
       {"ip", "link", "set", link.outer_name_, "up"},
       {"ip", "netns", "exec", name, "ip", "address", "add", link.inner_address_ + "/30", "dev",
        link.inner_name_},
       {"ip", "netns", "exec", name, "ip", "link", "set", link.inner_name_, "up"},
       {"ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"}},
      why);
  if (!made) return std::nullopt;
  return link;
}

VethLink::VethLink(NetNamespace ns, std::string outer_name, std::string inner_name, uint32_t block)
    : ns_(std::move(ns)),
      outer_name_(std::move(outer_name)),
      inner_name_(std::move(inner_name)),
      outer_address_(address_in_block(block, 1)),
      inner_address_(address_in_block(block, 2)) {}

VethLink::VethLink(VethLink&& other) noexcept
    : ns_(std::move(other.ns_)),
      outer_name_(std::move(other.outer_name_)),
      inner_name_(std::move(other.inner_name_)),
      outer_address_(std::move(other.outer_address_)),
      inner_address_(std::move(other.inner_address_)) {
  other.ns_.reset();
  other.outer_name_.clear();
}

VethLink::~VethLink() {
  // Deleting our end deletes the pair at once; the namespace itself lives on while sockets
  // created in it stay open, so the pair would otherwise outlive the test's clients.
  if (!outer_name_.empty()) run_command({"ip", "link", "delete", outer_name_});
}

std::unique_ptr<RawClient> VethLink::client_inside(uint16_t port) const {
  std::unique_ptr<RawClient> client;
  // setns changes the namespace of the calling thread only; a socket keeps the namespace it was
  // made in, so the client can be used from any thread afterwards.
  std::thread([&] {
    const int ns_fd = ::open(("/run/netns/" + ns_->name()).c_str(), O_RDONLY | O_CLOEXEC);
    if (ns_fd < 0) return;
    if (::setns(ns_fd, CLONE_NEWNET) == 0) {
      client = std::make_unique<RawClient>(port, RawClient::kConnectTimeout, outer_address_);
    }
    ::close(ns_fd);
  }).join();
  return client;
}

bool VethLink::cut() const {
  return ns_->exec({"ip", "link", "set", inner_name_, "down"}) == 0;
}

}  // namespace resplit::testkit
