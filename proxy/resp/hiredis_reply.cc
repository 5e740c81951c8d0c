#include "proxy/resp/hiredis_reply.h"

namespace resplit::resp {
namespace {

struct ReaderDeleter {
  void operator()(redisReader* reader) const noexcept { redisReaderFree(reader); }
};

}  // namespace

HiredisResult parse_reply(std::string_view complete_reply) {
  HiredisResult result;
  std::unique_ptr<redisReader, ReaderDeleter> reader(redisReaderCreate());
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
