#include "tests/testing/packet_filter.h"

#include <sched.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "tests/testing/netns.h"

namespace resplit::testkit {
namespace {

constexpr const char* kTable = "resplit_test";

int nft(const std::vector<std::string>& words, std::string* output = nullptr) {
  std::vector<std::string> argv = {"nft"};
  argv.insert(argv.end(), words.begin(), words.end());
  return run_command(argv, output);
}

}  // namespace

bool enter_private_network(std::string* why) {
  if (::unshare(CLONE_NEWNET) != 0) {
    *why = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
    return false;
  }
  std::string output;
  if (run_command({"ip", "link", "set", "lo", "up"}, &output) != 0) {
    *why = "`ip link set lo up` failed: " + output;
    return false;
  }
  if (nft({"list", "ruleset"}, &output) != 0) {
    *why = "`nft list ruleset` failed (is nftables installed?): " + output;
    return false;
  }
  return true;
}

PacketFilter::PacketFilter() {
  // On loopback every packet passes the input hook once, whichever way it goes.
  ok_ = nft({"add", "table", "inet", kTable}) == 0 &&
        nft({"add", "chain", "inet", kTable, "input",
             "{ type filter hook input priority 0 ; policy accept ; }"}) == 0;
}

PacketFilter::~PacketFilter() {
  if (ok_) nft({"delete", "table", "inet", kTable});
}

bool PacketFilter::drop_to(uint16_t port) {
  return nft({"add", "rule", "inet", kTable, "input", "tcp", "dport", std::to_string(port),
              "drop"}) == 0;
}

bool PacketFilter::drop_address(const std::string& ip) {
  return nft({"add", "rule", "inet", kTable, "input", "ip", "saddr", ip, "drop"}) == 0 &&
         nft({"add", "rule", "inet", kTable, "input", "ip", "daddr", ip, "drop"}) == 0;
}

bool PacketFilter::drop_both_ways(uint16_t port) {
  return drop_to(port) && nft({"add", "rule", "inet", kTable, "input", "tcp", "sport",
                               std::to_string(port), "drop"}) == 0;
}

bool PacketFilter::clear() { return nft({"flush", "chain", "inet", kTable, "input"}) == 0; }

}  // namespace resplit::testkit
