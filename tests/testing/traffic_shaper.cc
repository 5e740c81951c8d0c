#include "tests/testing/traffic_shaper.h"

#include <vector>

#include "tests/testing/netns.h"

namespace resplit::testkit {
namespace {

int tc(const std::vector<std::string>& words) {
  std::vector<std::string> argv = {"tc"};
  argv.insert(argv.end(), words.begin(), words.end());
  return run_command(argv);
}

}  // namespace

TrafficShaper::TrafficShaper() {
  // Class 1:1 (the default) is faster than loopback ever goes; 1:10 is the slow one.
  ok_ = tc({"qdisc", "add", "dev", "lo", "root", "handle", "1:", "htb", "default", "1"}) == 0 &&
        tc({"class", "add", "dev", "lo", "parent", "1:", "classid", "1:1", "htb", "rate",
            "100gbit"}) == 0;
}

TrafficShaper::~TrafficShaper() {
  if (ok_) tc({"qdisc", "del", "dev", "lo", "root"});
}

bool TrafficShaper::limit_to_port(uint16_t port, const std::string& rate) {
  if (!ok_) return false;
  const char* verb = limited_ ? "change" : "add";
  limited_ = tc({"class", verb, "dev", "lo", "parent", "1:", "classid", "1:10", "htb", "rate",
                 rate, "burst", "16k"}) == 0;
  return limited_ && tc({"filter", "add", "dev", "lo", "parent", "1:", "protocol", "ip", "prio",
                         "1", "u32", "match", "ip", "dport", std::to_string(port), "0xffff",
                         "flowid", "1:10"}) == 0;
}

bool TrafficShaper::clear() {
  if (!ok_) return false;
  return tc({"filter", "del", "dev", "lo", "parent", "1:", "prio", "1"}) == 0;
}

}  // namespace resplit::testkit
