// hiredis adapters for the replies resplit reads and interprets itself (ROLE, INFO, COMMAND,
// Sentinel, test clients): an owner for redisReply and a one-shot parse of a framed reply.
#pragma once

#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <string_view>

namespace resplit::resp {

struct ReplyDeleter {
  void operator()(redisReply* reply) const noexcept { freeReplyObject(reply); }
};
using OwnedReply = std::unique_ptr<redisReply, ReplyDeleter>;

struct HiredisResult {
  OwnedReply reply;   // set on success
  std::string error;  // hiredis's message, or why the input was not exactly one reply
  explicit operator bool() const noexcept { return reply != nullptr; }
};

// hiredis 0.14 allocates an array's element table as soon as it reads the header, so a reply
// starting `*2000000000` from a broken or hostile peer would allocate gigabytes before a single
// element arrives. Readers made here refuse arrays longer than this (the reader reports an error).
inline constexpr int kMaxHiredisArrayElements = 1 << 20;

// redisReaderCreate() with that bound; nullptr when out of memory.
redisReader* create_bounded_reader();

// Parses exactly one complete RESP2 reply, e.g. one that ReplyParser has framed. Not for the hot
// path: hiredis 0.14 copies the bytes and allocates per element. Its limits stand: replies nested
// deeper than 7 levels ("No support for nested multi bulk replies with depth > 7", as in
// COMMAND DOCS) and RESP3 types are errors, so use it only for replies known to be shallow.
HiredisResult parse_reply(std::string_view complete_reply);

// The text of a string, status or error reply (empty for other types).
std::string_view reply_text(const redisReply& reply) noexcept;

}  // namespace resplit::resp
