#include "proxy/base/errc.h"

#include <string>

namespace resplit {
namespace {

class ResplitCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "resplit"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::kOk: return "ok";
      case errc::kProtocolError: return "client protocol error";
      case errc::kTooBigInlineRequest: return "inline request too big";
      case errc::kInvalidMultibulkLength: return "invalid multibulk length";
      case errc::kInvalidBulkLength: return "invalid bulk length";
      case errc::kUnbalancedQuotes: return "unbalanced quotes in inline request";
      case errc::kBackendTimeout: return "backend command timed out";
      case errc::kBackendClosed: return "backend connection closed";
      case errc::kBackendProtocolError: return "backend sent an invalid reply";
      case errc::kConnectFailed: return "could not connect to backend";
      case errc::kConnectTimeout: return "connect to backend timed out";
      case errc::kAuthFailed: return "backend authentication failed";
      case errc::kNotMaster: return "backend is not a master";
      case errc::kReplicaNotReady: return "replica loading or cut off from its master";
      case errc::kNoRoutableReplica: return "no routable replica";
      case errc::kNoMaster: return "no master known";
      case errc::kOutputBufferLimit: return "client output buffer limit reached";
      case errc::kMaxClients: return "max number of clients reached";
      case errc::kConfigInvalid: return "invalid configuration";
    }
    return "unknown resplit error";
  }
};

}  // namespace

const boost::system::error_category& resplit_category() noexcept {
  static const ResplitCategory category;
  return category;
}

}  // namespace resplit
