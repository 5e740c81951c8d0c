// Captured redis-server 7.0.15 replies (tests/topology/testdata, exact wire bytes) and RESP
// builders for hand-made ones, parsed with hiredis as the monitor's connection parses them.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "tests/testing/resp_text.h"

namespace resplit::topology::testdata {

using namespace resplit::testkit::resp_text;  // NOLINT: parse and the builders

// A captured reply file, e.g. "master-role.resp".
inline std::string captured(std::string_view name) {
  const std::string path = "tests/topology/testdata/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) ADD_FAILURE() << "cannot read " << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The text of a captured INFO reply (a bulk string).
inline std::string captured_info(std::string_view name) {
  const ReplyPtr reply = parse(captured(name));
  if (!reply || reply->type != REDIS_REPLY_STRING) {
    ADD_FAILURE() << name << " is not a bulk string reply";
    return {};
  }
  return std::string(reply->str, reply->len);
}

}  // namespace resplit::topology::testdata
