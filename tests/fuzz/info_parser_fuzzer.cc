// What a Redis node says about replication, as the monitor reads it: INFO text of any bytes and
// ROLE replies of any shape (parsed by hiredis first, with the monitor's bounded reader). The parsers must never
// crash, never read outside their input, and report only values that fit their fields.
#include <hiredis/hiredis.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proxy/resp/hiredis_reply.h"
#include "proxy/topology/info_parser.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const resplit::topology::NodeInfo info = resplit::topology::parse_info(text);
  for (const auto& r : info.replicas) FUZZ_CHECK(r.ip.size() <= size);
  (void)resplit::topology::parse_listed_replica(text);
  (void)resplit::topology::parse_unsigned(text);
  (void)resplit::topology::parse_signed(text);

  redisReader* reader = resplit::resp::create_bounded_reader();
  FUZZ_CHECK(reader != nullptr);
  if (redisReaderFeed(reader, text.data(), text.size()) == REDIS_OK) {
    void* raw = nullptr;
    if (redisReaderGetReply(reader, &raw) == REDIS_OK && raw != nullptr) {
      (void)resplit::topology::parse_role(static_cast<redisReply*>(raw));
      freeReplyObject(raw);
    }
  }
  redisReaderFree(reader);
  return 0;
}
