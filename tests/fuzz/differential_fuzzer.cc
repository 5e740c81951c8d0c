// resplit's request parser against hiredis's reader, the parser of record, on flat arrays of bulk
// strings built from the fuzz input (arguments of any bytes and length, any number of them): both
// must find the same arguments, and resplit must find them whatever the split of the bytes.
#include <hiredis/hiredis.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/resp/request_parser.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using resplit::resp::ParseStatus;
using resplit::resp::RequestParser;

// Arguments from the input: each starts with a length byte, then up to that many bytes.
std::vector<std::string> arguments_from(std::string_view data) {
  std::vector<std::string> args;
  while (!data.empty() && args.size() < 64) {
    const size_t n = std::min<size_t>(uint8_t(data[0]), data.size() - 1);
    args.emplace_back(data.substr(1, n));
    data.remove_prefix(1 + n);
  }
  if (args.empty()) args.emplace_back("PING");
  return args;
}

std::string encode(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

std::vector<std::string> hiredis_arguments(const std::string& bytes) {
  redisReader* reader = redisReaderCreate();
  FUZZ_CHECK(reader != nullptr);
  FUZZ_CHECK(redisReaderFeed(reader, bytes.data(), bytes.size()) == REDIS_OK);
  void* raw = nullptr;
  FUZZ_CHECK(redisReaderGetReply(reader, &raw) == REDIS_OK && raw != nullptr);
  auto* reply = static_cast<redisReply*>(raw);
  FUZZ_CHECK(reply->type == REDIS_REPLY_ARRAY);
  std::vector<std::string> args;
  for (size_t i = 0; i < reply->elements; ++i) {
    FUZZ_CHECK(reply->element[i]->type == REDIS_REPLY_STRING);
    args.emplace_back(reply->element[i]->str, reply->element[i]->len);
  }
  freeReplyObject(reply);
  redisReaderFree(reader);
  return args;
}

std::vector<std::string> resplit_arguments(std::string_view bytes, size_t split) {
  RequestParser parser;
  auto first = parser.parse(bytes.substr(0, split));
  FUZZ_CHECK(first.status != ParseStatus::kError);
  if (first.status == ParseStatus::kNeedMore) {
    FUZZ_CHECK(first.consumed == 0);  // a flat array has no empty commands before it
    first = parser.parse(bytes);
  }
  FUZZ_CHECK(first.status == ParseStatus::kComplete);
  FUZZ_CHECK(first.consumed == bytes.size());
  return {first.frame.args.begin(), first.frame.args.end()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::string bytes =
      encode(arguments_from(std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2)));
  const size_t split = (size_t(data[0]) << 8 | data[1]) % (bytes.size() + 1);
  const std::vector<std::string> expected = hiredis_arguments(bytes);
  FUZZ_CHECK(resplit_arguments(bytes, split) == expected);
  return 0;
}
