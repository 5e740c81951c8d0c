#include "proxy/backend/socket_options.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace resplit::backend {

void tune_socket(boost::asio::ip::tcp::socket& socket, std::chrono::seconds keepalive_idle) {
  boost::system::error_code ignored;
  socket.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
  if (keepalive_idle.count() <= 0) return;
  socket.set_option(boost::asio::socket_base::keep_alive(true), ignored);
  const int idle = static_cast<int>(keepalive_idle.count());
  const int interval = idle < 10 ? 1 : idle / 10;
  const int count = 3;
  const int fd = socket.native_handle();
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
  // Keepalive probes only run while nothing is unacknowledged: a peer that vanished while a reply
  // was on its way would be retransmitted to for the kernel's ~15 minutes instead. Data left
  // unacknowledged as long as the probes would take closes the connection too. A slow reader that
  // answers zero-window probes is not affected.
  const unsigned user_timeout_ms = static_cast<unsigned>(idle + interval * count) * 1000u;
  ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
}

}  // namespace resplit::backend
