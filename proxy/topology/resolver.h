// Turns a host name into the addresses behind it, within a deadline. An interface because tests
// must change the answer that DNS discovery sees (a headless Service whose pods move);
// SystemResolver asks the system resolver through Asio.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "proxy/base/clock.h"
#include "proxy/topology/snapshot.h"

namespace resplit::topology {

struct ResolveResult {
  boost::system::error_code error;  // boost::asio::error::timed_out when the deadline passed
  std::vector<Address> addresses;   // IPs as text, each with the asked port, no duplicates
};

class Resolver {
 public:
  virtual ~Resolver() = default;
  // Every address of `host`, in the resolver's order. An IP literal resolves to itself.
  virtual boost::asio::awaitable<ResolveResult> resolve(std::string host, uint16_t port,
                                                        Clock::duration timeout) = 0;
};

// A name listed in the file $RESPLIT_HOSTS_FILE names is answered from that file (hosts_file.h).
class SystemResolver final : public Resolver {
 public:
  // getaddrinfo runs on Asio's resolver thread and cannot be interrupted, so on a deadline the
  // lookup is left to finish in the background and its answer dropped.
  boost::asio::awaitable<ResolveResult> resolve(std::string host, uint16_t port,
                                                Clock::duration timeout) override;
};

}  // namespace resplit::topology
