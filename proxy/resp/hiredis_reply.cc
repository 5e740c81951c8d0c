#include "proxy/resp/hiredis_reply.h"

namespace resplit::resp {
namespace {

struct ReaderDeleter {
  void operator()(redisReader* reader) const noexcept { redisReaderFree(reader); }
};

// hiredis's own reply builders, found through a reader made the ordinary way: they are not exported.
const redisReplyObjectFunctions& hiredis_builders() {
  static const redisReplyObjectFunctions builders = [] {
    redisReader* reader = redisReaderCreate();
    redisReplyObjectFunctions copy = reader != nullptr ? *reader->fn : redisReplyObjectFunctions{};
    redisReaderFree(reader);
    return copy;
  }();
  return builders;
}

void* create_bounded_array(const redisReadTask* task, int elements) {
  if (elements > kMaxHiredisArrayElements) return nullptr;  // hiredis reports "Out of memory"
  return hiredis_builders().createArray(task, elements);
}

const redisReplyObjectFunctions& bounded_builders() {
  static const redisReplyObjectFunctions builders = [] {
    redisReplyObjectFunctions copy = hiredis_builders();
    copy.createArray = create_bounded_array;
    return copy;
  }();
  return builders;
}

}  // namespace

redisReader* create_bounded_reader() {
  if (hiredis_builders().createArray == nullptr) return nullptr;
  // hiredis takes a non-const pointer but only reads the table.
  return redisReaderCreateWithFunctions(const_cast<redisReplyObjectFunctions*>(&bounded_builders()));
}

HiredisResult parse_reply(std::string_view complete_reply) {
  HiredisResult result;
  std::unique_ptr<redisReader, ReaderDeleter> reader(create_bounded_reader());
  if (!reader) {
    result.error = "out of memory";
    return result;
  }
  if (redisReaderFeed(reader.get(), complete_reply.data(), complete_reply.size()) != REDIS_OK) {
    result.error = reader->errstr;
    return result;
  }
  void* raw = nullptr;
  if (redisReaderGetReply(reader.get(), &raw) != REDIS_OK) {
    result.error = reader->errstr;
    return result;
  }
  OwnedReply reply(static_cast<redisReply*>(raw));
  if (!reply) {
    result.error = "incomplete reply";
    return result;
  }
  // hiredis keeps unread input between reader->pos and reader->len.
  if (reader->pos != reader->len) {
    result.error = "bytes left after the reply";
    return result;
  }
  result.reply = std::move(reply);
  return result;
}

std::string_view reply_text(const redisReply& reply) noexcept {
  switch (reply.type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      return {reply.str, reply.len};
    default:
      return {};
  }
}

}  // namespace resplit::resp
