#include "tests/testing/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "tests/testing/reply.h"

namespace resplit::testkit {
namespace {

timeval to_timeval(std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  return tv;
}

Reply convert(const redisReply& reply) {
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      return Reply::bulk(std::string(reply.str, reply.len));
    case REDIS_REPLY_STATUS:
      return Reply::status(std::string(reply.str, reply.len));
    case REDIS_REPLY_ERROR:
      return Reply::error(std::string(reply.str, reply.len));
    case REDIS_REPLY_INTEGER:
      return Reply::number(reply.integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<Reply> elements;
      elements.reserve(reply.elements);
      for (size_t i = 0; i < reply.elements; ++i) elements.push_back(convert(*reply.element[i]));
      return Reply::array(std::move(elements));
    }
    default:
      return Reply::nil();
  }
}

}  // namespace

RedisClient::RedisClient(std::string host, uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {
  connect();
}

RedisClient::~RedisClient() {
  if (context_ != nullptr) redisFree(context_);
}

RedisClient::RedisClient(RedisClient&& other) noexcept
    : host_(std::move(other.host_)),
      port_(other.port_),
      timeout_(other.timeout_),
      context_(std::exchange(other.context_, nullptr)),
      error_(std::move(other.error_)) {}

RedisClient& RedisClient::operator=(RedisClient&& other) noexcept {
  if (this != &other) {
    if (context_ != nullptr) redisFree(context_);
    host_ = std::move(other.host_);
    port_ = other.port_;
    timeout_ = other.timeout_;
    context_ = std::exchange(other.context_, nullptr);
    error_ = std::move(other.error_);
  }
  return *this;
}

bool RedisClient::connected() const { return context_ != nullptr && context_->err == 0; }

bool RedisClient::reconnect() { return connect(); }

bool RedisClient::connect() {
  if (context_ != nullptr) redisFree(context_);
  error_.clear();
  context_ = redisConnectWithTimeout(host_.c_str(), port_, to_timeval(timeout_));
  if (context_ == nullptr) {
    error_ = "connect: out of memory";
    return false;
  }
  if (context_->err != 0) {
    error_ = std::string("connect: ") + context_->errstr;
    return false;
  }
  // The connect timeout does not cover reads and writes; set it for commands separately.
  redisSetTimeout(context_, to_timeval(timeout_));
  return true;
}

void RedisClient::set_timeout(std::chrono::milliseconds timeout) {
  timeout_ = timeout;
  if (connected()) redisSetTimeout(context_, to_timeval(timeout_));
}

Reply RedisClient::transport_failure() {
  if (context_ == nullptr || context_->err == 0) {
    return Reply::transport_error(error_.empty() ? "not connected" : error_);
  }
  // A blocking hiredis context reports SO_RCVTIMEO/SO_SNDTIMEO expiry as EAGAIN.
  const bool timed_out = context_->err == REDIS_ERR_IO &&
                         (std::strcmp(context_->errstr, std::strerror(EAGAIN)) == 0 ||
                          std::strcmp(context_->errstr, std::strerror(EWOULDBLOCK)) == 0);
  error_ = context_->errstr;
  return timed_out ? Reply::timeout(error_) : Reply::transport_error(error_);
}

Reply RedisClient::send(const std::vector<std::string_view>& args) {
  if (!connected()) return transport_failure();
  std::vector<const char*> argv;
  std::vector<size_t> argvlen;
  for (auto arg : args) {
    argv.push_back(arg.data());
    argvlen.push_back(arg.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), argvlen.data()));
  if (reply == nullptr) return transport_failure();
  Reply result = convert(*reply);
  freeReplyObject(reply);
  return result;
}

Reply RedisClient::command(std::initializer_list<std::string_view> args) {
  return send(std::vector<std::string_view>(args));
}

Reply RedisClient::command(const std::vector<std::string>& args) {
  return send(std::vector<std::string_view>(args.begin(), args.end()));
}

std::vector<Reply> RedisClient::pipeline(const std::vector<std::vector<std::string>>& commands) {
  std::vector<Reply> replies;
  if (!connected()) {
    replies.assign(commands.size(), transport_failure());
    return replies;
  }
  for (const auto& args : commands) {
    std::vector<const char*> argv;
    std::vector<size_t> argvlen;
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      argvlen.push_back(arg.size());
    }
    redisAppendCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), argvlen.data());
  }
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
      replies.resize(commands.size(), transport_failure());
      break;
    }
    auto* reply = static_cast<redisReply*>(raw);
    replies.push_back(convert(*reply));
    freeReplyObject(reply);
  }
  return replies;
}

Reply RedisClient::next_push() {
  if (!connected()) return transport_failure();
  void* raw = nullptr;
  if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
    Reply failure = transport_failure();
    // A quiet channel is not a broken connection: hiredis keeps any partial reply buffered.
    if (failure.type == Reply::Type::kTimeout) {
      context_->err = 0;
      context_->errstr[0] = '\0';
    }
    return failure;
  }
  auto* reply = static_cast<redisReply*>(raw);
  Reply result = convert(*reply);
  freeReplyObject(reply);
  return result;
}

std::map<std::string, std::string> RedisClient::info(std::string_view section) {
  Reply reply = section.empty() ? command({"INFO"}) : command({"INFO", section});
  if (reply.type != Reply::Type::kString) return {};
  return parse_info(reply.str);
}

std::map<std::string, std::string> parse_info(std::string_view text) {
  std::map<std::string, std::string> fields;
  while (!text.empty()) {
    auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    fields.emplace(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }
  return fields;
}

}  // namespace resplit::testkit
