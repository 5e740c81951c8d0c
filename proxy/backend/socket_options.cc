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
}

}  // namespace resplit::backend
