// RESP text builders for loader tests, and hiredis parsing of the result (as the topology monitor
// will hand a COMMAND reply to the loader).
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

namespace resplit::commands::resp_text {

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

// One whole reply; nullptr (and a test failure) when hiredis cannot parse it.
inline ReplyPtr parse(std::string_view bytes) {
  redisReader* reader = redisReaderCreate();
  void* reply = nullptr;
  const bool ok = redisReaderFeed(reader, bytes.data(), bytes.size()) == REDIS_OK &&
                  redisReaderGetReply(reader, &reply) == REDIS_OK && reply != nullptr;
  redisReaderFree(reader);
  if (!ok) ADD_FAILURE() << "hiredis could not parse the test reply";
  return ReplyPtr(static_cast<redisReply*>(reply));
}

inline std::string bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
inline std::string status(std::string_view s) { return "+" + std::string(s) + "\r\n"; }
inline std::string integer(long long v) { return ":" + std::to_string(v) + "\r\n"; }
inline std::string array(std::initializer_list<std::string> items) {
  std::string out = "*" + std::to_string(items.size()) + "\r\n";
  for (const std::string& item : items) out += item;
  return out;
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
