#include "proxy/server/subscription_tracker.h"

#include <algorithm>

namespace resplit::server {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

using Set = std::set<std::string, std::less<>>;

// SUBSCRIBE-like: one answer per name, each name added.
size_t subscribe(Set& set, std::span<const std::string_view> names) {
  for (std::string_view n : names) set.emplace(n);
  return names.size();
}

// UNSUBSCRIBE-like: one answer per name; with no names one per subscription, or one if none.
size_t unsubscribe(Set& set, std::span<const std::string_view> names) {
  if (names.empty()) {
    const size_t answers = std::max<size_t>(1, set.size());
    set.clear();
    return answers;
  }
  for (std::string_view n : names) {
    auto it = set.find(n);
    if (it != set.end()) set.erase(it);
  }
  return names.size();
}

}  // namespace

void SubscriptionTracker::on_command(std::span<const std::string_view> args) {
  if (args.empty()) return;
  const std::string_view name = args[0];
  const auto rest = args.subspan(1);
  const bool has_names = !rest.empty();
  if (iequals(name, "subscribe") && has_names) {
    waiting_ += subscribe(channels_, rest);
  } else if (iequals(name, "psubscribe") && has_names) {
    waiting_ += subscribe(patterns_, rest);
  } else if (iequals(name, "ssubscribe") && has_names) {
    waiting_ += subscribe(shards_, rest);
  } else if (iequals(name, "unsubscribe")) {
    waiting_ += unsubscribe(channels_, rest);
  } else if (iequals(name, "punsubscribe")) {
    waiting_ += unsubscribe(patterns_, rest);
  } else if (iequals(name, "sunsubscribe")) {
    waiting_ += unsubscribe(shards_, rest);
  } else {
    // PING, RESET, QUIT, or a command Redis refuses in this mode: one answer each.
    if (iequals(name, "reset")) {
      channels_.clear();
      patterns_.clear();
      shards_.clear();
    }
    waiting_ += 1;
  }
}

void SubscriptionTracker::on_message(std::string_view reply) {
  if (is_published_message(reply)) return;
  if (waiting_ > 0) --waiting_;
}

bool SubscriptionTracker::is_published_message(std::string_view reply) {
  if (reply.size() < 4 || reply[0] != '*') return false;
  const size_t header_end = reply.find("\r\n");
  if (header_end == std::string_view::npos) return false;
  const std::string_view first = reply.substr(header_end + 2);
  return first.starts_with("$7\r\nmessage\r\n") || first.starts_with("$8\r\npmessage\r\n") ||
         first.starts_with("$8\r\nsmessage\r\n");
}

}  // namespace resplit::server
