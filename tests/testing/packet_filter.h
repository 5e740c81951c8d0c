// Partitions between processes of one test: the test moves itself into a network namespace of
// its own before it starts any server (every server, resplit and client then live there, on that
// namespace's loopback), and nftables rules in that namespace drop chosen TCP traffic silently,
// as a broken network does (SYNs time out; no RST tells anyone). The machine's own network and
// rules are never touched; the namespace ends with the test process.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>
#include <string>

namespace resplit::testkit {

// Moves the calling thread (and every process or thread it starts afterwards) into a fresh
// network namespace with its loopback up, and checks that nft works there. False, with `why`,
// where that is not allowed (Bazel's sandbox, no CAP_SYS_ADMIN, no nft).
bool enter_private_network(std::string* why);

// nft rules in the caller's (private) namespace; each rule drops TCP packets with a port as
// source or destination, so a port that names one connection's end cuts that connection both ways.
class PacketFilter {
 public:
  PacketFilter();  // creates the table, empty
  ~PacketFilter();  // deletes the table
  PacketFilter(const PacketFilter&) = delete;
  PacketFilter& operator=(const PacketFilter&) = delete;

  bool ok() const { return ok_; }
  // Drops packets to `port` (new connections' SYNs and everything sent to it).
  bool drop_to(uint16_t port);
  // Drops packets from or to `port`.
  bool drop_both_ways(uint16_t port);
  // Drops packets from or to the IPv4 address `ip` (e.g. a second loopback address that one
  // process alone uses as its source), whatever the ports.
  bool drop_address(const std::string& ip);
  // Removes every rule: what was dropped flows again (TCP retransmits what was lost).
  bool clear();

 private:
  bool ok_ = false;
};

}  // namespace resplit::testkit

// For a fixture's SetUp(): enter_private_network(), or skip the test with a visible line.
#define RESPLIT_ENTER_PRIVATE_NETWORK_OR_SKIP()                                       \
  do {                                                                                \
    std::string resplit_netns_why;                                                    \
    if (!::resplit::testkit::enter_private_network(&resplit_netns_why)) {             \
      std::cout << "skipped (no netns): " << resplit_netns_why << std::endl;          \
      GTEST_SKIP() << "skipped (no netns): " << resplit_netns_why;                    \
    }                                                                                 \
  } while (false)
