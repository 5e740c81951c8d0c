// Finds a loopback TCP port that nobody listens on right now, for a test server to bind next.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace resplit::testkit {

// Binds 127.0.0.1:0 and returns the port the kernel chose. Another process may take the port
// before the caller binds it, so callers retry with a new port when their bind fails.
// Throws std::runtime_error when no socket can be bound at all.
uint16_t pick_free_port();

// True when process `pid` holds the socket listening on TCP `port` (from /proc/net/tcp and the
// process's fd table): tells a server we started from another one that took its port first.
bool process_listens_on(pid_t pid, uint16_t port);

}  // namespace resplit::testkit
