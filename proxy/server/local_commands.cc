#include "proxy/server/local_commands.h"

#include <charconv>

#include "proxy/base/error_text.h"
#include "proxy/resp/reply_writer.h"

namespace resplit::server::local {

void ping(std::string& out, Args args) {
  resp::ReplyWriter w(out);
  // The command table allows any count (arity -1); Redis's pingCommand rejects more than one.
  if (args.size() > 2) {
    w.wrong_arity("ping");
  } else if (args.size() > 1) {
    w.bulk(args[1]);
  } else {
    w.simple_string("PONG");
  }
}

void echo(std::string& out, Args args) { resp::ReplyWriter(out).bulk(args[1]); }

void client_info(std::string& out, const ClientFacts& f) {
  std::string line;
  line.reserve(256);
  line += "id=" + std::to_string(f.id);
  line += " addr=";
  line += f.peer;
  line += " laddr=";
  line += f.local;
  line += " fd=" + std::to_string(f.fd);
  line += " name=";
  line += f.name;
  line += " age=" + std::to_string(f.age_seconds);
  line += " idle=" + std::to_string(f.idle_seconds);
  line += " flags=";
  line += f.flags;
  line += " db=" + std::to_string(f.db);
  line += " sub=" + std::to_string(f.sub);
  line += " psub=" + std::to_string(f.psub);
  line += " ssub=" + std::to_string(f.ssub);
  line += " multi=" + std::to_string(f.multi);
  line += " user=";
  line += f.user;
  line += " cmd=";
  line += f.last_command;
  line += " resp=2\n";
  resp::ReplyWriter(out).bulk(line);
}

void hello(std::string& out, const ClientFacts& client, const ServerFacts& server) {
  resp::ReplyWriter w(out);
  w.array_header(14);
  w.bulk("server");
  w.bulk("redis");
  w.bulk("version");
  w.bulk(server.redis_version);
  w.bulk("proto");
  w.integer(2);
  w.bulk("id");
  w.integer(static_cast<int64_t>(client.id));
  w.bulk("mode");
  w.bulk("standalone");
  w.bulk("role");
  w.bulk("master");
  w.bulk("modules");
  w.array_header(0);
}

void unsubscribe(std::string& out, std::string_view kind, Args channels) {
  resp::ReplyWriter w(out);
  if (channels.empty()) {
    w.array_header(3);
    w.bulk(kind);
    w.null_bulk();
    w.integer(0);
    return;
  }
  for (std::string_view channel : channels) {
    w.array_header(3);
    w.bulk(kind);
    w.bulk(channel);
    w.integer(0);
  }
}

std::optional<int64_t> parse_integer(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  if (s.size() > 1 && s[0] == '-' && s[1] == '0') return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

DbChoice parse_db(std::string_view arg, int databases) {
  const auto value = parse_integer(arg);
  if (!value || *value < INT32_MIN || *value > INT32_MAX) return {0, text::kNotInteger};
  if (*value < 0 || *value >= databases) return {0, text::kInvalidDbIndex};
  return {static_cast<int>(*value), {}};
}

bool valid_client_name(std::string_view name) {
  for (char c : name) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

void hello_option_error(std::string& out, std::string_view option) {
  out += "-ERR Syntax error in HELLO option '";
  out += option;
  out += "'\r\n";
}

}  // namespace resplit::server::local
