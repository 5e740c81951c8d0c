// TCP options resplit sets on every connection, client side and Redis side alike: no Nagle delay
// (replies are written in whole batches already) and keepalive probes, so that a peer that vanished
// without a FIN (a deleted pod, a cut network) is noticed instead of holding a slot for ever.
#pragma once

#include <chrono>

#include <boost/asio/ip/tcp.hpp>

namespace resplit::backend {

// `keepalive_idle` 0 turns keepalive off; otherwise probes start after that long idle, every tenth
// of it (at least 1 s), and three unanswered probes close the connection; so does data that stays
// unacknowledged for as long (TCP_USER_TIMEOUT).
void tune_socket(boost::asio::ip::tcp::socket& socket, std::chrono::seconds keepalive_idle);

}  // namespace resplit::backend
