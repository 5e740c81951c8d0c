// RESP text builders for hand-made replies, and hiredis parsing of wire bytes as resplit's monitor
// and command loader see them.
#pragma once

#include <hiredis/hiredis.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

namespace resplit::testkit::resp_text {

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

// One whole reply; nullptr when hiredis cannot parse it (the caller decides if that fails).
inline ReplyPtr parse(std::string_view bytes) {
  redisReader* reader = redisReaderCreate();
  void* reply = nullptr;
  const bool ok = redisReaderFeed(reader, bytes.data(), bytes.size()) == REDIS_OK &&
                  redisReaderGetReply(reader, &reply) == REDIS_OK;
  redisReaderFree(reader);
  if (!ok && reply != nullptr) {
    freeReplyObject(reply);
    reply = nullptr;
  }
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

}  // namespace resplit::testkit::resp_text
