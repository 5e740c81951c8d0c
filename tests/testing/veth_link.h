// A network namespace joined to the test's own by a veth pair, for faults a loopback cannot make:
// clients inside it reach a server on our side, then the link is cut and they vanish without a
// FIN or RST. Addresses come from 198.18.0.0/15 (reserved for benchmarks, never routed), a /30
// per link chosen by PID so that tests running side by side do not meet.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "tests/testing/netns.h"
#include "tests/testing/raw_client.h"

namespace resplit::testkit {

class VethLink {
 public:
  // nullopt, with `why` set, where namespaces or veth pairs cannot be made (no CAP_NET_ADMIN, a
  // sandbox without /run/netns).
  static std::optional<VethLink> create(std::string* why);
  ~VethLink();
  VethLink(VethLink&& other) noexcept;
  VethLink(const VethLink&) = delete;
  VethLink& operator=(const VethLink&) = delete;
  VethLink& operator=(VethLink&&) = delete;

  // Our end's address, for a server here to listen on; the namespace's end's address.
  const std::string& outer_address() const { return outer_address_; }
  const std::string& inner_address() const { return inner_address_; }
  const NetNamespace& ns() const { return *ns_; }

  // A client whose socket lives inside the namespace, connected to outer_address():port.
  std::unique_ptr<RawClient> client_inside(uint16_t port) const;
  // The namespace's end goes down: nothing crosses any more and no peer is told.
  bool cut() const;

 private:
  VethLink(NetNamespace ns, std::string outer_name, std::string inner_name, uint32_t block);

  std::optional<NetNamespace> ns_;
  std::string outer_name_;
  std::string inner_name_;
  std::string outer_address_;
  std::string inner_address_;
};

}  // namespace resplit::testkit
