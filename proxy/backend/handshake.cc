#include "proxy/backend/handshake.h"

#include "proxy/resp/reply_writer.h"

namespace resplit::backend {

void append_auth(std::string& out, std::string_view username, std::string_view password) {
  if (username.empty()) {
    resp::append_command(out, {"AUTH", password});
  } else {
    resp::append_command(out, {"AUTH", username, password});
  }
}

void append_client_setname(std::string& out, std::string_view name) {
  resp::append_command(out, {"CLIENT", "SETNAME", name});
}

void append_role(std::string& out) { resp::append_command(out, {"ROLE"}); }

void append_select(std::string& out, int db) {
  const std::string index = std::to_string(db);
  resp::append_command(out, {"SELECT", index});
}

bool role_reply_is_master(std::string_view reply) {
  if (reply.empty() || reply.front() != '*') return false;
  const size_t header_end = reply.find("\r\n");
  if (header_end == std::string_view::npos) return false;
  return reply.substr(header_end + 2).starts_with("$6\r\nmaster\r\n");
}

}  // namespace resplit::backend
