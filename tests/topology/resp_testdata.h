// Captured redis-server 7.0.15 replies (tests/topology/testdata, exact wire bytes) and RESP
// builders for hand-made ones, parsed with hiredis as the monitor's connection parses them.
#pragma once

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <fstream>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>

namespace resplit::topology::testdata {

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

inline std::string bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
inline std::string integer(long long v) {
  return ":" + std::to_string(v) + "\r\n";
}
inline std::string array(std::initializer_list<std::string> items) {
  std::string out = "*" + std::to_string(items.size()) + "\r\n";
  for (const std::string& item : items) out += item;
  return out;
}

}  // namespace resplit::topology::testdata
