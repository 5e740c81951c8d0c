// A slow link between processes of one test, in the private network namespace the test entered
// (enter_private_network): an HTB queue on that namespace's loopback gives TCP packets sent to
// one port a rate of their own, queued rather than dropped, as a congested or far-away link
// delivers them. Everything else passes at full speed; the namespace ends with the test.
#pragma once

#include <cstdint>
#include <string>

namespace resplit::testkit {

class TrafficShaper {
 public:
  TrafficShaper();   // the queue on `lo`, every packet in its full-speed class
  ~TrafficShaper();  // removes the queue
  TrafficShaper(const TrafficShaper&) = delete;
  TrafficShaper& operator=(const TrafficShaper&) = delete;

  bool ok() const { return ok_; }
  // Packets to TCP `port` go at `rate` (tc's units, e.g. "1mbit") from now on.
  bool limit_to_port(uint16_t port, const std::string& rate);
  // Everything at full speed again (what waits in the slow class is sent).
  bool clear();

 private:
  bool ok_ = false;
  bool limited_ = false;
};

}  // namespace resplit::testkit
