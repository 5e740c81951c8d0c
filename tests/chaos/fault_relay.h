// A loopback TCP relay between resplit and one Redis server that breaks a connection on cue: when
// bytes from Redis contain the marker, that connection gets garbage instead, is cut at the marker
// and closed, or is reset, as the current mode says. Other connections pass untouched.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "tests/testing/tcp_relay.h"

namespace resplit::testkit::chaos {

class FaultRelay : public TcpRelay {
 public:
  enum class Mode {
    kPass,      // the marker passes like any other bytes
    kGarbage,   // the chunk holding the marker is replaced by bytes that are not RESP
    kTruncate,  // bytes up to the marker pass, then both sides are closed (EOF mid-reply)
    kReset,     // both sides are reset (RST) instead of passing the chunk
    kResp3,     // the chunk is replaced by a RESP3 map, which a RESP2 connection never carries
    kUnsolicited,  // the chunk passes, followed by one more reply that nobody asked for
    kResetOnce,    // as kReset for the first connection that carries the marker; later ones pass
  };

  FaultRelay(uint16_t target, std::string marker)
      : TcpRelay(target), marker_(std::move(marker)) {
    start();
  }
  ~FaultRelay() override { stop(); }

  void set_mode(Mode mode) { mode_ = mode; }
  // How many connections a fault was applied to so far.
  size_t faults() const { return faults_; }

 private:
  bool forward(Side from, std::string_view chunk, int client, int upstream) override;

  std::string marker_;
  std::atomic<Mode> mode_{Mode::kPass};
  std::atomic<size_t> faults_{0};
};

}  // namespace resplit::testkit::chaos
