#include "tests/chaos/fault_relay.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string_view>

namespace resplit::testkit::chaos {
namespace {

constexpr int kPollMs = 20;  // how often the loops look at the stop flag
constexpr std::string_view kGarbage = "@garbage that is not RESP\r\n";
constexpr std::string_view kResp3Map = "%1\r\n+a\r\n+b\r\n";
constexpr std::string_view kUnsolicited = "+UNSOLICITED\r\n";

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= size_t(n);
  }
  return true;
}

// Closing with a zero linger time sends RST instead of FIN.
void reset(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

}  // namespace

FaultRelay::FaultRelay(uint16_t target, std::string marker)
    : target_(target), marker_(std::move(marker)) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = loopback(0);
  socklen_t len = sizeof(addr);
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listener_, 64) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (listener_ >= 0) ::close(listener_);
    throw std::runtime_error("fault relay: cannot listen on loopback");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

FaultRelay::~FaultRelay() {
  stop_ = true;
  acceptor_.join();
  std::lock_guard lock(mutex_);
  for (std::thread& t : threads_) t.join();
  ::close(listener_);
}

void FaultRelay::accept_loop() {
  while (!stop_) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    const int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = loopback(target_);
    if (upstream < 0 || ::connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(client);
      if (upstream >= 0) ::close(upstream);
      continue;
    }
    std::lock_guard lock(mutex_);
    threads_.emplace_back([this, client, upstream] { pump(client, upstream); });
  }
}

void FaultRelay::pump(int client, int upstream) {
  char buffer[64 * 1024];
  bool open = true;
  while (open && !stop_) {
    pollfd p[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    if (::poll(p, 2, kPollMs) <= 0) continue;
    for (int i = 0; i < 2 && open; ++i) {
      if ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = ::recv(p[i].fd, buffer, sizeof(buffer), 0);
      if (n <= 0) {
        open = false;
        break;
      }
      const std::string_view chunk(buffer, size_t(n));
      const size_t at = i == 1 ? chunk.find(marker_) : std::string_view::npos;
      const Mode mode = mode_;
      if (at == std::string_view::npos || mode == Mode::kPass) {
        open = write_all(i == 0 ? upstream : client, chunk.data(), chunk.size());
        continue;
      }
      ++faults_;
      open = false;
      if (mode == Mode::kGarbage) {
        // The connection stays open: the reader must notice the garbage by itself.
        write_all(client, kGarbage.data(), kGarbage.size());
        open = true;
      } else if (mode == Mode::kResp3) {
        write_all(client, kResp3Map.data(), kResp3Map.size());
        open = true;
      } else if (mode == Mode::kUnsolicited) {
        open = write_all(client, chunk.data(), chunk.size()) &&
               write_all(client, kUnsolicited.data(), kUnsolicited.size());
      } else if (mode == Mode::kTruncate) {
        write_all(client, chunk.data(), at);
      } else {
        reset(client);
        reset(upstream);
      }
    }
  }
  ::close(client);
  ::close(upstream);
}

}  // namespace resplit::testkit::chaos
