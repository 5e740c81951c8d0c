// A loopback TCP relay for fault tests: every connection to port() is joined to 127.0.0.1:target,
// each on its own thread, and subclasses decide what happens to the bytes on the way. Tests use it
// to stand between resplit and Redis, or between a replica and its master.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

namespace resplit::testkit {

class TcpRelay {
 public:
  // Listens on a kernel-chosen 127.0.0.1 port; relays to 127.0.0.1:target once start() is called.
  explicit TcpRelay(uint16_t target);
  virtual ~TcpRelay();

  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;

  uint16_t port() const { return port_; }

 protected:
  enum class Side { kFromClient, kFromTarget };

  // Subclasses call start() at the end of their constructor and stop() first in their destructor,
  // so that no relay thread calls a hook of a half-built or half-destroyed object.
  void start();
  void stop();

  // Whether bytes from the target are read now; while false they wait in the kernel's buffers.
  virtual bool read_from_target() const { return true; }
  // Passes one chunk on; returns false to end the connection. By default forwards it unchanged.
  virtual bool forward(Side from, std::string_view chunk, int client, int upstream);

  static bool write_all(int fd, std::string_view bytes);
  // Makes the next close of `fd` send RST instead of FIN.
  static void arm_reset(int fd);

 private:
  void accept_loop();
  void pump(int client, int upstream);

  uint16_t target_;
  uint16_t port_ = 0;
  int listener_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace resplit::testkit
