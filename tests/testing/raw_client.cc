#include "tests/testing/raw_client.h"

#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

namespace resplit::testkit {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// Every loop here is bounded in time by its deadline and in rounds by this count.
constexpr int kMaxRounds = 1'000'000;

}  // namespace

RawClient::RawClient(uint16_t port, std::chrono::milliseconds connect_timeout,
                     const std::string& host) {
  reader_ = redisReaderCreate();
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    error_ = "bad address " + host;
    return;
  }
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    error_ = std::string("socket: ") + std::strerror(errno);
    return;
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno != EINPROGRESS) {
      error_ = std::string("connect: ") + std::strerror(errno);
      close();
      return;
    }
    pollfd pfd{fd_, POLLOUT, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(connect_timeout.count()));
    int so_error = 0;
    socklen_t len = sizeof(so_error);
    if (ready == 1) ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &so_error, &len);
    if (ready != 1 || so_error != 0) {
      error_ = ready != 1 ? "connect: timeout" : std::string("connect: ") + std::strerror(so_error);
      close();
    }
  }
}

RawClient::~RawClient() {
  close();
  if (reader_ != nullptr) redisReaderFree(reader_);
}

void RawClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void RawClient::shutdown_write() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

uint16_t RawClient::local_port() const {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (fd_ < 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  return ntohs(addr.sin_port);
}

bool RawClient::send(std::string_view bytes, std::chrono::milliseconds timeout) {
  if (fd_ < 0) return false;
  const auto deadline = Clock::now() + timeout;
  for (int round = 0; round < kMaxRounds && !bytes.empty(); ++round) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      error_ = std::string("send: ") + std::strerror(errno);
      return false;
    }
    pollfd pfd{fd_, POLLOUT, 0};
    if (::poll(&pfd, 1, remaining_ms(deadline)) == 0) {
      error_ = "send: timeout";
      return false;
    }
  }
  return bytes.empty();
}

RawClient::Received RawClient::read_for(std::chrono::milliseconds duration) {
  return read(std::numeric_limits<size_t>::max(), duration);
}

RawClient::Received RawClient::read_until(size_t replies, std::chrono::milliseconds timeout) {
  return read(replies, timeout);
}

RawClient::Received RawClient::read(size_t replies, std::chrono::milliseconds timeout) {
  Received received;
  received.closed = peer_closed_;
  if (fd_ < 0 || peer_closed_) return received;
  const auto deadline = Clock::now() + timeout;
  char buffer[65536];
  for (int round = 0; round < kMaxRounds && received.replies < replies; ++round) {
    pollfd pfd{fd_, POLLIN, 0};
    int ready = ::poll(&pfd, 1, remaining_ms(deadline));
    if (ready == 0) break;
    if (ready < 0 && errno != EINTR) break;
    ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n > 0) {
      std::string_view chunk(buffer, static_cast<size_t>(n));
      received.bytes.append(chunk);
      received.replies += count_replies(chunk, received.unparsed);
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      received.closed = true;
      received.reset = n < 0 && errno == ECONNRESET;
      peer_closed_ = true;
      break;
    }
  }
  return received;
}

size_t RawClient::count_replies(std::string_view bytes, bool& unparsed) {
  if (reader_ == nullptr || reader_->err != 0) {
    unparsed = true;
    return 0;
  }
  redisReaderFeed(reader_, bytes.data(), bytes.size());
  size_t count = 0;
  for (int round = 0; round < kMaxRounds; ++round) {
    void* reply = nullptr;
    if (redisReaderGetReply(reader_, &reply) != REDIS_OK) {
      unparsed = true;
      break;
    }
    if (reply == nullptr) break;
    freeReplyObject(reply);
    ++count;
  }
  return count;
}

}  // namespace resplit::testkit
