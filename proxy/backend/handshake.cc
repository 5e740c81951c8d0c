#include "proxy/backend/handshake.h"

#include <charconv>

#include "proxy/resp/reply_writer.h"

namespace resplit::backend {

void append_auth(std::string& out, std::string_view username, std::string_view password) {
  if (username.empty()) {
    resp::ReplyWriter(out).command({"AUTH", password});
  } else {
    resp::ReplyWriter(out).command({"AUTH", username, password});
  }
}

void append_client_setname(std::string& out, std::string_view name) {
  resp::ReplyWriter(out).command({"CLIENT", "SETNAME", name});
}

void append_role(std::string& out) { resp::ReplyWriter(out).command({"ROLE"}); }

void append_select(std::string& out, int db) {
  const std::string index = std::to_string(db);
  resp::ReplyWriter(out).command({"SELECT", index});
}

bool role_reply_is_master(std::string_view reply) {
  if (reply.empty() || reply.front() != '*') return false;
  const size_t header_end = reply.find("\r\n");
  if (header_end == std::string_view::npos) return false;
  return reply.substr(header_end + 2).starts_with("$6\r\nmaster\r\n");
}

namespace {

// A cursor over the flat prefix of a ROLE reply; each step reads one line-shaped element.
class RoleCursor {
 public:
  explicit RoleCursor(std::string_view reply) : rest_(reply) {}

  std::optional<std::string_view> line() {
    const size_t end = rest_.find("\r\n");
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view l = rest_.substr(0, end);
    rest_.remove_prefix(end + 2);
    return l;
  }

  std::optional<int64_t> integer(char type) {
    auto l = line();
    if (!l || l->empty() || l->front() != type) return std::nullopt;
    int64_t value = 0;
    const auto* first = l->data() + 1;
    const auto* last = l->data() + l->size();
    auto [end, ec] = std::from_chars(first, last, value);
    if (ec != std::errc() || end != last) return std::nullopt;
    return value;
  }

  std::optional<std::string_view> bulk() {
    const auto length = integer('$');
    if (!length || *length < 0 || static_cast<size_t>(*length) + 2 > rest_.size()) {
      return std::nullopt;
    }
    std::string_view value = rest_.substr(0, static_cast<size_t>(*length));
    rest_.remove_prefix(static_cast<size_t>(*length) + 2);
    return value;
  }

 private:
  std::string_view rest_;
};

}  // namespace

bool role_reply_is_synced_replica(std::string_view reply) {
  // slave <master host> <master port> <state> <offset>
  RoleCursor cursor(reply);
  if (!cursor.integer('*') || cursor.bulk() != "slave") return false;
  if (!cursor.bulk() || !cursor.integer(':')) return false;
  return cursor.bulk() == "connected";
}

std::optional<uint64_t> role_reply_offset(std::string_view reply) {
  RoleCursor cursor(reply);
  if (!cursor.integer('*')) return std::nullopt;
  const auto role = cursor.bulk();
  if (!role) return std::nullopt;
  std::optional<int64_t> offset;
  if (*role == "master") {
    offset = cursor.integer(':');
  } else if (*role == "slave") {
    // slave <master host> <master port> <state> <offset>
    if (!cursor.bulk() || !cursor.integer(':') || !cursor.bulk()) return std::nullopt;
    offset = cursor.integer(':');
  }
  if (!offset || *offset < 0) return std::nullopt;
  return static_cast<uint64_t>(*offset);
}

}  // namespace resplit::backend
