// The client-facing side of resplit as a whole: one Worker per thread, all listening on the
// configured address, sharing one SharedState that the control thread updates.
#pragma once

#include <memory>
#include <vector>

#include "proxy/server/shared_state.h"
#include "proxy/server/worker.h"

namespace resplit::server {

class Server {
 public:
  explicit Server(SharedState& shared);
  ~Server();

  // Binds every worker's listener (throws with a clear message when the address is unusable) and
  // starts their threads.
  void start();
  // Closes every client and backend connection and joins the threads.
  void stop();

  size_t workers() const { return workers_.size(); }
  uint16_t port() const { return port_; }  // the bound port (useful with port 0 in tests)

 private:
  SharedState& shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
  uint16_t port_ = 0;
};

}  // namespace resplit::server
