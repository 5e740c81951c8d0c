#include "proxy/topology/poller.h"

#include <boost/asio/error.hpp>
#include <limits>

namespace resplit::topology {

namespace asio = boost::asio;

namespace {

std::string_view text_of(const redisReply* r) {
  return r == nullptr ? std::string_view() : resp::reply_text(*r);
}

bool is_error(const redisReply* r) {
  return r != nullptr && r->type == REDIS_REPLY_ERROR;
}

// CONFIG GET databases answers ["databases", "16"]; anything else (an error where CONFIG is
// renamed or not permitted) leaves the count unknown.
std::optional<uint32_t> databases_of(const redisReply* r) {
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements != 2) return std::nullopt;
  const std::optional<uint64_t> n = parse_unsigned(text_of(r->element[1]));
  if (!n || *n > std::numeric_limits<uint32_t>::max()) return std::nullopt;
  return static_cast<uint32_t>(*n);
}

PollResult failure(std::string error, bool timed_out = false) {
  PollResult r;
  r.error = std::move(error);
  r.timed_out = timed_out;
  return r;
}

PollResult failure(std::string_view what, const boost::system::error_code& ec) {
  return failure(std::string(what) + ec.message(), ec == asio::error::timed_out);
}

}  // namespace

PollerSettings poller_settings_from(const config::Config& config,
                                    std::shared_ptr<const net::TlsClient> tls) {
  PollerSettings s;
  s.tls = std::move(tls);
  s.connect_timeout = config.timeouts.connect;
  s.request_timeout = config.health_check.timeout;
  s.username = config.auth.backend.username;
  s.password = config.auth.backend.password.value;
  return s;
}

Poller::Poller(asio::any_io_executor executor, Address address, PollerSettings settings,
               const Clock& clock)
    : client_(std::move(executor)),
      address_(std::move(address)),
      settings_(std::move(settings)),
      clock_(clock) {}

void Poller::set_settings(const PollerSettings& settings) {
  if (settings == settings_) return;
  settings_ = settings;
  client_.close();
}

asio::awaitable<std::optional<PollResult>> Poller::open() {
  if (boost::system::error_code ec =
          co_await client_.connect(address_, settings_.connect_timeout, settings_.tls)) {
    co_return failure("connect: ", ec);
  }
  std::vector<Command> commands;
  const bool auth = !settings_.password.empty();
  if (auth) {
    if (settings_.username.empty()) {
      commands.push_back({"AUTH", settings_.password});
    } else {
      commands.push_back({"AUTH", settings_.username, settings_.password});
    }
  }
  commands.push_back({"CLIENT", "SETNAME", kClientName});
  commands.push_back({"INFO", "server"});
  commands.push_back({"CONFIG", "GET", "databases"});
  std::vector<resp::OwnedReply> replies;
  if (boost::system::error_code ec =
          co_await client_.exec(commands, settings_.request_timeout, replies)) {
    co_return failure("handshake: ", ec);
  }
  size_t i = 0;
  if (auth && is_error(replies[i++].get())) {
    const std::string text(text_of(replies[0].get()));
    client_.close();
    co_return failure("auth: " + text);
  }
  ++i;  // CLIENT SETNAME may be refused by an ACL; the name only helps operators.
  const redisReply* info = replies[i++].get();
  if (info == nullptr || info->type != REDIS_REPLY_STRING) {
    const std::string text(text_of(info));
    client_.close();
    co_return failure("INFO server: " + (text.empty() ? std::string("not a string") : text));
  }
  redis_version_ = parse_info(text_of(info)).redis_version;
  databases_ = databases_of(replies[i].get());
  co_return std::nullopt;
}

asio::awaitable<PollResult> Poller::poll() {
  if (!client_.is_open()) {
    if (std::optional<PollResult> failed = co_await open()) co_return std::move(*failed);
  }
  static const std::vector<Command> kPoll = {
      {"ROLE"}, {"INFO", "replication"}, {"INFO", "persistence"}};
  std::vector<resp::OwnedReply> replies;
  if (boost::system::error_code ec =
          co_await client_.exec(kPoll, settings_.request_timeout, replies)) {
    co_return failure("poll: ", ec);
  }
  PollResult result;
  result.at = clock_.now();
  std::optional<RoleInfo> role = parse_role(replies[0].get());
  if (!role) {
    const std::string text(text_of(replies[0].get()));
    co_return failure("ROLE: " + (text.empty() ? std::string("malformed reply") : text));
  }
  std::string info_text;
  for (size_t i = 1; i < replies.size(); ++i) {
    const redisReply* r = replies[i].get();
    if (r == nullptr || r->type != REDIS_REPLY_STRING) {
      const std::string text(text_of(r));
      co_return failure("INFO: " + (text.empty() ? std::string("not a string") : text));
    }
    info_text.append(text_of(r)).append("\r\n");
  }
  result.ok = true;
  result.role = std::move(*role);
  result.info = parse_info(info_text);
  result.connected_ip = client_.peer_ip();
  result.redis_version = redis_version_;
  result.databases = databases_;
  co_return result;
}

}  // namespace resplit::topology
