// A loopback TCP relay that can hold back what one side sends: put between a replica and its
// master, it makes a replica that stays up and answers reads while its replication stream stands
// still, i.e. a replica that falls behind without being stopped (a throttled link).
#pragma once

#include <atomic>
#include <cstdint>

#include "tests/testing/tcp_relay.h"

namespace resplit::testkit {

class LinkRelay : public TcpRelay {
 public:
  // Listens on a kernel-chosen 127.0.0.1 port and relays every connection to 127.0.0.1:target.
  explicit LinkRelay(uint16_t target) : TcpRelay(target) { start(); }
  ~LinkRelay() override { stop(); }

  // While held, bytes from the target are not passed on (they wait in the sockets' buffers);
  // bytes towards the target still flow.
  void hold(bool held) { held_ = held; }

 private:
  bool read_from_target() const override { return !held_; }

  std::atomic<bool> held_{false};
};

}  // namespace resplit::testkit
