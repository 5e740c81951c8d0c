#include "tests/chaos/fault_relay.h"

#include <string_view>

namespace resplit::testkit::chaos {
namespace {

constexpr std::string_view kGarbage = "@garbage that is not RESP\r\n";
constexpr std::string_view kResp3Map = "%1\r\n+a\r\n+b\r\n";
constexpr std::string_view kUnsolicited = "+UNSOLICITED\r\n";

}  // namespace

bool FaultRelay::forward(Side from, std::string_view chunk, int client, int upstream) {
  const size_t at = from == Side::kFromTarget ? chunk.find(marker_) : std::string_view::npos;
  const Mode mode = mode_;
  if (at == std::string_view::npos || mode == Mode::kPass ||
      (mode == Mode::kResetOnce && faults_ > 0)) {
    return TcpRelay::forward(from, chunk, client, upstream);
  }
  ++faults_;
  switch (mode) {
    case Mode::kGarbage:
      // The connection stays open: the reader must notice the garbage by itself.
      write_all(client, kGarbage);
      return true;
    case Mode::kResp3:
      write_all(client, kResp3Map);
      return true;
    case Mode::kUnsolicited:
      return write_all(client, chunk) && write_all(client, kUnsolicited);
    case Mode::kTruncate:
      write_all(client, chunk.substr(0, at));
      return false;
    case Mode::kReset:
    case Mode::kResetOnce:
    case Mode::kPass:
      break;
  }
  arm_reset(client);
  arm_reset(upstream);
  return false;
}

}  // namespace resplit::testkit::chaos
