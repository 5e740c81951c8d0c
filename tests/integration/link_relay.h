// A loopback TCP relay that can hold back what one side sends: put between a replica and its
// master, it makes a replica that stays up and answers reads while its replication stream stands
// still, i.e. a replica that falls behind without being stopped (a throttled link).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace resplit::testkit {

class LinkRelay {
 public:
  // Listens on a kernel-chosen 127.0.0.1 port and relays every connection to 127.0.0.1:target.
  explicit LinkRelay(uint16_t target);
  ~LinkRelay();

  LinkRelay(const LinkRelay&) = delete;
  LinkRelay& operator=(const LinkRelay&) = delete;

  uint16_t port() const { return port_; }
  // While held, bytes from the target are not passed on (they wait in the sockets' buffers);
  // bytes towards the target still flow.
  void hold(bool held) { held_ = held; }

 private:
  void accept_loop();
  void pump(int client, int upstream);

  uint16_t target_;
  uint16_t port_ = 0;
  int listener_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<bool> held_{false};
  std::mutex mutex_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace resplit::testkit
