// ClientSession: the commands resplit answers itself.
#include <algorithm>
#include <cstring>

#include <openssl/crypto.h>

#include "proxy/base/error_text.h"
#include "proxy/resp/reply_writer.h"
#include "proxy/server/client_session.h"
#include "proxy/server/local_commands.h"
#include "proxy/server/worker.h"

namespace resplit::server {

using routing::LocalCommand;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

// Compares secrets without leaking through timing where they first differ.
bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

bool ClientSession::check_credentials(std::string_view user, std::string_view password) const {
  const auto& clients = worker_.config().auth.clients;
  if (clients.empty()) return user == "default";  // as Redis's nopass default user
  bool ok = false;
  for (const auto& c : clients) {
    const std::string_view name = c.username.empty() ? "default" : c.username;
    // Check every entry so that the time taken does not tell which users exist.
    ok |= name == user && same_secret(c.password.value, password);
  }
  return ok;
}

void ClientSession::reset_session_facts() {
  db_ = 0;
  name_.clear();
  reply_mode_ = ReplyMode::kOn;
  multi_db_ = -1;
  authenticated_ = worker_.config().auth.clients.empty();
  user_ = "default";
}

local::ClientFacts ClientSession::facts() const {
  local::ClientFacts f;
  f.id = id_;
  f.peer = peer_;
  f.local = local_;
  f.fd = const_cast<net::Stream&>(stream_).socket().native_handle();
  f.name = name_;
  const auto now = std::chrono::steady_clock::now();
  f.age_seconds = std::chrono::duration_cast<std::chrono::seconds>(now - created_).count();
  f.idle_seconds = std::chrono::duration_cast<std::chrono::seconds>(now - last_command_).count();
  f.flags = state_.in_multi ? "x" : state_.subscribed ? "P" : state_.monitoring ? "O" : "N";
  f.db = db_;
  f.sub = static_cast<int>(subscriptions_.channels());
  f.psub = static_cast<int>(subscriptions_.patterns());
  f.ssub = static_cast<int>(subscriptions_.shard_channels());
  f.multi = state_.in_multi ? 0 : -1;
  f.user = user_;
  f.last_command = "client|info";
  return f;
}

ClientSession::Step ClientSession::run_local(const routing::Classified& c,
                                             const resp::Frame& frame) {
  const auto args = frame.args;
  scratch_.clear();
  switch (c.local) {
    case LocalCommand::kPing:
      local::ping(scratch_, args);
      break;
    case LocalCommand::kEcho:
      local::echo(scratch_, args);
      break;
    case LocalCommand::kQuit:
      reply_now("+OK\r\n");
      return Step::kStop;
    case LocalCommand::kReset:
      release_pinned(false);
      state_ = {};
      subscriptions_ = {};
      reset_session_facts();
      scratch_ = "+RESET\r\n";
      break;
    case LocalCommand::kHello:
      hello(args);
      return Step::kNext;
    case LocalCommand::kAuth:
      auth(args);
      return Step::kNext;
    case LocalCommand::kSelect: {
      const auto choice = local::parse_db(args[1], databases());
      if (!choice.error.empty()) {
        reply_now(choice.error);
        return Step::kNext;
      }
      db_ = choice.db;
      scratch_ = "+OK\r\n";
      break;
    }
    case LocalCommand::kClientSetname:
      if (!local::valid_client_name(args[2])) {
        reply_now(text::kClientNameSpaces);
        return Step::kNext;
      }
      name_.assign(args[2]);
      scratch_ = "+OK\r\n";
      break;
    case LocalCommand::kClientGetname:
      if (name_.empty()) {
        resp::ReplyWriter(scratch_).null_bulk();
      } else {
        resp::ReplyWriter(scratch_).bulk(name_);
      }
      break;
    case LocalCommand::kClientId:
      resp::ReplyWriter(scratch_).integer(static_cast<int64_t>(id_));
      break;
    case LocalCommand::kClientInfo:
      local::client_info(scratch_, facts());
      break;
    case LocalCommand::kClientReply:
      // CLIENT REPLY OFF and SKIP are themselves not answered; ON is.
      if (iequals(args[2], "on")) {
        reply_mode_ = ReplyMode::kOn;
        scratch_ = "+OK\r\n";
      } else if (iequals(args[2], "off")) {
        reply_mode_ = ReplyMode::kOff;
        return Step::kNext;
      } else if (iequals(args[2], "skip")) {
        if (reply_mode_ != ReplyMode::kOff) reply_mode_ = ReplyMode::kSkipNext;
        return Step::kNext;
      } else {
        scratch_ = text::kSyntaxError;
      }
      break;
    case LocalCommand::kClientNoEvict:
      scratch_ = iequals(args[2], "on") || iequals(args[2], "off") ? "+OK\r\n"
                                                                     : std::string(text::kSyntaxError);
      break;
    case LocalCommand::kNone:
      return run_local_kind(c, frame);
  }
  reply_now(scratch_);
  return Step::kNext;
}

// Local answers for whole command kinds rather than single commands.
ClientSession::Step ClientSession::run_local_kind(const routing::Classified& c,
                                                  const resp::Frame& frame) {
  scratch_.clear();
  switch (c.kind) {
    case routing::CommandKind::kUnsubscribe:
      local::unsubscribe(scratch_, c.info->name, frame.args.subspan(1));
      break;
    case routing::CommandKind::kUnwatch:
      scratch_ = "+OK\r\n";
      break;
    case routing::CommandKind::kWait:
      return wait_for_replicas(frame.args);
    default:
      scratch_ = text::kCommandDisabled;
      break;
  }
  reply_now(scratch_);
  return Step::kNext;
}

void ClientSession::auth(std::span<const std::string_view> args) {
  if (args.size() > 3) {
    reply_now(text::kSyntaxError);
    return;
  }
  const bool configured = !worker_.config().auth.clients.empty();
  if (args.size() == 2 && !configured) {
    reply_now(text::kAuthNotConfigured);
    return;
  }
  const std::string_view user = args.size() == 3 ? args[1] : "default";
  const std::string_view password = args.back();
  if (!check_credentials(user, password)) {
    reply_now(text::kWrongPass);
    return;
  }
  authenticated_ = true;
  user_.assign(user);
  reply_now("+OK\r\n");
}

void ClientSession::hello(std::span<const std::string_view> args) {
  if (args.size() >= 2) {
    const auto version = local::parse_integer(args[1]);
    if (!version) {
      reply_now("-ERR Protocol version is not an integer or out of range\r\n");
      return;
    }
    // RESP3 is not relayed: backends and the reply scanner's consumers speak RESP2 with clients.
    if (*version != 2) {
      reply_now(text::kNoProto);
      return;
    }
  }
  std::string_view auth_user, auth_password, set_name;
  bool has_auth = false, has_name = false;
  for (size_t i = 2; i < args.size(); ++i) {
    const bool more = i + 1 < args.size();
    if (iequals(args[i], "auth") && i + 2 < args.size()) {
      auth_user = args[i + 1];
      auth_password = args[i + 2];
      has_auth = true;
      i += 2;
    } else if (iequals(args[i], "setname") && more) {
      set_name = args[i + 1];
      has_name = true;
      i += 1;
    } else {
      scratch_.clear();
      local::hello_option_error(scratch_, args[i]);
      reply_now(scratch_);
      return;
    }
  }
  if (has_auth) {
    if (!check_credentials(auth_user, auth_password)) {
      reply_now(text::kWrongPass);
      return;
    }
    authenticated_ = true;
    user_.assign(auth_user);
  }
  if (!authenticated_) {
    reply_now(text::kNoAuth);
    return;
  }
  if (has_name) {
    if (!local::valid_client_name(set_name)) {
      reply_now(text::kClientNameSpaces);
      return;
    }
    name_.assign(set_name);
  }
  scratch_.clear();
  const topology::TopologySnapshot& t = worker_.topology();
  local::hello(scratch_, facts(), {t.redis_version, databases()});
  reply_now(scratch_);
}

}  // namespace resplit::server
