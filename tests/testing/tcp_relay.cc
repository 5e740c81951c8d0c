#include "tests/testing/tcp_relay.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace resplit::testkit {
namespace {

constexpr int kPollMs = 20;  // how often the loops look at the stop flag and the hooks

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

}  // namespace

TcpRelay::TcpRelay(uint16_t target) : target_(target) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = loopback(0);
  socklen_t len = sizeof(addr);
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listener_, 64) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (listener_ >= 0) ::close(listener_);
    throw std::runtime_error("tcp relay: cannot listen on loopback");
  }
  port_ = ntohs(addr.sin_port);
}

TcpRelay::~TcpRelay() {
  stop();
  ::close(listener_);
}

void TcpRelay::start() {
  acceptor_ = std::thread([this] { accept_loop(); });
}

void TcpRelay::stop() {
  stop_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  std::lock_guard lock(mutex_);
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

bool TcpRelay::write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(size_t(n));
  }
  return true;
}

void TcpRelay::arm_reset(int fd) {
  linger l{1, 0};  // a zero linger time turns close into RST
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

bool TcpRelay::forward(Side from, std::string_view chunk, int client, int upstream) {
  return write_all(from == Side::kFromClient ? upstream : client, chunk);
}

void TcpRelay::accept_loop() {
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

void TcpRelay::pump(int client, int upstream) {
  char buffer[64 * 1024];
  bool open = true;
  while (open && !stop_) {
    pollfd p[2] = {{client, POLLIN, 0}, {upstream, short(read_from_target() ? POLLIN : 0), 0}};
    if (::poll(p, 2, kPollMs) <= 0) continue;
    for (int i = 0; i < 2 && open; ++i) {
      if ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = ::recv(p[i].fd, buffer, sizeof(buffer), 0);
      open = n > 0 && forward(i == 0 ? Side::kFromClient : Side::kFromTarget,
                              std::string_view(buffer, size_t(n)), client, upstream);
    }
  }
  ::close(client);
  ::close(upstream);
}

}  // namespace resplit::testkit
