#include "proxy/topology/sentinel_replies.h"

#include <limits>
#include <string>

#include "proxy/resp/hiredis_reply.h"
#include "proxy/topology/info_parser.h"

namespace resplit::topology {
namespace {

bool is_text(const redisReply* r) {
  return r != nullptr && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS);
}

std::string_view text_of(const redisReply* r) {
  return is_text(r) ? resp::reply_text(*r) : std::string_view();
}

std::optional<uint16_t> parse_port(std::string_view text) {
  const std::optional<uint64_t> n = parse_unsigned(text);
  if (!n || *n == 0 || *n > std::numeric_limits<uint16_t>::max()) return std::nullopt;
  return static_cast<uint16_t>(*n);
}

std::optional<Address> address_of(std::string_view host, std::string_view port) {
  const std::optional<uint16_t> p = parse_port(port);
  if (host.empty() || !p) return std::nullopt;
  return Address{std::string(host), *p};
}

// The value of `field` in a flat [field, value, ...] array.
std::string_view field_of(const redisReply* r, std::string_view field) {
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return {};
  for (size_t i = 0; i + 1 < r->elements; i += 2) {
    if (text_of(r->element[i]) == field) return text_of(r->element[i + 1]);
  }
  return {};
}

// Space-separated words; one more than `expected` when there are more.
std::vector<std::string_view> split_words(std::string_view text, size_t expected) {
  std::vector<std::string_view> words;
  while (!text.empty() && words.size() <= expected) {
    const size_t space = text.find(' ');
    words.push_back(text.substr(0, space));
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  }
  return words;
}

}  // namespace

std::optional<Address> parse_master_addr(const redisReply* reply) {
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
    return std::nullopt;
  }
  return address_of(text_of(reply->element[0]), text_of(reply->element[1]));
}

std::optional<uint64_t> parse_config_epoch(const redisReply* reply) {
  const std::string_view epoch = field_of(reply, "config-epoch");
  if (epoch.empty()) return std::nullopt;
  return parse_unsigned(epoch);
}

SentinelAnswer parse_poll_answer(const redisReply* master_addr, const redisReply* master) {
  return SentinelAnswer{parse_master_addr(master_addr), parse_config_epoch(master).value_or(0)};
}

std::optional<Address> parse_failover_of(const redisReply* reply) {
  const std::string_view flags = field_of(reply, "flags");
  size_t start = 0;
  bool failing_over = false;
  while (start <= flags.size() && !failing_over) {
    const size_t comma = flags.find(',', start);
    const size_t end = comma == std::string_view::npos ? flags.size() : comma;
    failing_over = flags.substr(start, end - start) == "failover_in_progress";
    start = end + 1;
  }
  if (!failing_over) return std::nullopt;
  return address_of(field_of(reply, "ip"), field_of(reply, "port"));
}

std::optional<Address> parse_try_failover(std::string_view payload, std::string_view master_name) {
  std::vector<std::string_view> words = split_words(payload, 4);
  if (words.size() != 4 || words[0] != "master" || words[1] != master_name) return std::nullopt;
  return address_of(words[2], words[3]);
}

std::vector<Address> parse_replica_list(const redisReply* reply) {
  std::vector<Address> out;
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i < reply->elements; ++i) {
    const redisReply* entry = reply->element[i];
    std::optional<Address> a = address_of(field_of(entry, "ip"), field_of(entry, "port"));
    if (!a) continue;
    bool seen = false;
    for (const Address& o : out) seen = seen || o == *a;
    if (!seen) out.push_back(std::move(*a));
  }
  return out;
}

std::optional<MasterSwitch> parse_switch_master(std::string_view payload,
                                                std::string_view master_name) {
  std::vector<std::string_view> words = split_words(payload, 5);
  if (words.size() != 5 || words[0] != master_name) return std::nullopt;
  std::optional<Address> from = address_of(words[1], words[2]);
  std::optional<Address> to = address_of(words[3], words[4]);
  if (!from || !to) return std::nullopt;
  return MasterSwitch{std::move(*from), std::move(*to)};
}

std::optional<std::string_view> message_payload(const redisReply* reply, std::string_view channel) {
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) {
    return std::nullopt;
  }
  if (text_of(reply->element[0]) != "message" || text_of(reply->element[1]) != channel ||
      !is_text(reply->element[2])) {
    return std::nullopt;
  }
  return text_of(reply->element[2]);
}

}  // namespace resplit::topology
