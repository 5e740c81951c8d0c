// Finds a loopback TCP port that nobody listens on right now, for a test server to bind next.
#pragma once

#include <cstdint>

namespace resplit::testkit {

// Binds 127.0.0.1:0 and returns the port the kernel chose. Another process may take the port
// before the caller binds it, so callers retry with a new port when their bind fails.
// Throws std::runtime_error when no socket can be bound at all.
uint16_t pick_free_port();

}  // namespace resplit::testkit
