// Follows a connection in Redis's subscribed mode (RESP2) from the commands sent on it and the
// messages that come back, so resplit knows when the connection has left that mode and every
// command's answer is in: only then may the connection carry ordinary commands again. Published
// messages arrive at any time; command answers come in command order, one per channel named (or per
// subscription for a bare UNSUBSCRIBE), one for anything else.
#pragma once

#include <set>
#include <span>
#include <string>
#include <string_view>

namespace resplit::server {

class SubscriptionTracker {
 public:
  // A command sent down the subscribed connection, name first.
  void on_command(std::span<const std::string_view> args);
  // A message from the backend.
  void on_message(std::string_view reply);

  // Nothing subscribed and no answer outstanding: the connection is an ordinary one again.
  bool finished() const { return waiting_ == 0 && subscriptions() == 0; }
  size_t waiting() const { return waiting_; }
  size_t subscriptions() const { return channels_.size() + patterns_.size() + shards_.size(); }
  size_t channels() const { return channels_.size(); }
  size_t patterns() const { return patterns_.size(); }
  size_t shard_channels() const { return shards_.size(); }

  // True for `message`, `pmessage` and `smessage` pushes (not answers to a command).
  static bool is_published_message(std::string_view reply);

 private:
  size_t waiting_ = 0;
  std::set<std::string, std::less<>> channels_;
  std::set<std::string, std::less<>> patterns_;
  std::set<std::string, std::less<>> shards_;
};

}  // namespace resplit::server
