// The A1 corpus: malformed and edge-case client inputs in named groups. Each is sent as-is on a
// fresh connection; cases that leave the parser waiting may be followed by a PING so that whether
// the server skipped, waited or failed shows in the reply bytes.
#pragma once

#include <string>
#include <vector>

namespace resplit::testkit::chaos {

struct InputCase {
  std::string group;
  std::string name;  // unique, used by the list of known differences
  std::string input;
};

std::vector<InputCase> malformed_corpus();

}  // namespace resplit::testkit::chaos
