// RESP text builders for loader tests, and hiredis parsing of the result (as the topology monitor
// will hand a COMMAND reply to the loader).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "tests/testing/resp_text.h"

namespace resplit::commands::resp_text {

using namespace resplit::testkit::resp_text;  // NOLINT: the builders, by their short names

// One whole reply; nullptr and a test failure when hiredis cannot parse it.
inline ReplyPtr parse(std::string_view bytes) {
  ReplyPtr reply = resplit::testkit::resp_text::parse(bytes);
  if (!reply) ADD_FAILURE() << "hiredis could not parse the test reply";
  return reply;
}

inline std::string statuses(std::initializer_list<std::string_view> names) {
  std::string out = "*" + std::to_string(names.size()) + "\r\n";
  for (std::string_view name : names) out += status(name);
  return out;
}

inline const std::string kEmpty = "*0\r\n";

// A Redis 7 row: name, arity, flags, first, last, step, categories, tips, key specs, subcommands.
inline std::string row7(std::string_view name, int arity, const std::string& flags, int first,
                        int last, int step, const std::string& categories,
                        const std::string& subcommands = kEmpty) {
  return array({bulk(name), integer(arity), flags, integer(first), integer(last), integer(step),
                categories, kEmpty, kEmpty, subcommands});
}

}  // namespace resplit::commands::resp_text
