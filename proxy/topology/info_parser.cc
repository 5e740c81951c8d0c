#include "proxy/topology/info_parser.h"

#include <charconv>
#include <limits>

namespace resplit::topology {
namespace {

std::string_view trim_cr(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  return line;
}

std::optional<bool> parse_flag(std::string_view text) {
  if (text == "1") return true;
  if (text == "0") return false;
  return std::nullopt;
}

std::optional<uint16_t> parse_port(std::string_view text) {
  const std::optional<uint64_t> n = parse_unsigned(text);
  if (!n || *n == 0 || *n > std::numeric_limits<uint16_t>::max()) return std::nullopt;
  return static_cast<uint16_t>(*n);
}

Role role_from_name(std::string_view name) {
  if (name == "master") return Role::kMaster;
  if (name == "slave" || name == "replica") return Role::kReplica;
  return Role::kUnknown;
}

// `slave0`, `slave12`: the replica list of a master.
bool is_slave_key(std::string_view key) {
  if (!key.starts_with("slave") || key.size() == 5) return false;
  for (char c : key.substr(5)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void apply_field(NodeInfo& info, std::string_view key, std::string_view value) {
  if (key == "role") {
    info.role = role_from_name(value);
  } else if (key == "master_replid") {
    info.master_replid = std::string(value);
  } else if (key == "master_replid2") {
    info.master_replid2 = std::string(value);
  } else if (key == "master_repl_offset") {
    info.master_repl_offset = parse_unsigned(value);
  } else if (key == "connected_slaves") {
    const std::optional<uint64_t> n = parse_unsigned(value);
    if (n && *n <= std::numeric_limits<uint32_t>::max()) {
      info.connected_slaves = static_cast<uint32_t>(*n);
    } else {
      info.connected_slaves.reset();
    }
  } else if (is_slave_key(key)) {
    if (std::optional<ListedReplica> r = parse_listed_replica(value)) {
      info.replicas.push_back(std::move(*r));
    }
  } else if (key == "master_host") {
    info.master_host = std::string(value);
  } else if (key == "master_port") {
    info.master_port = parse_port(value);
  } else if (key == "master_link_status") {
    if (value == "up") {
      info.master_link_up = true;
    } else if (value == "down") {
      info.master_link_up = false;
    } else {
      info.master_link_up.reset();
    }
  } else if (key == "master_last_io_seconds_ago") {
    info.master_last_io_seconds_ago = parse_signed(value);
  } else if (key == "master_sync_in_progress") {
    info.master_sync_in_progress = parse_flag(value);
  } else if (key == "slave_repl_offset") {
    info.slave_repl_offset = parse_unsigned(value);
  } else if (key == "slave_read_repl_offset") {
    info.slave_read_repl_offset = parse_unsigned(value);
  } else if (key == "loading") {
    info.loading = parse_flag(value);
  } else if (key == "async_loading") {
    info.async_loading = parse_flag(value);
  } else if (key == "redis_version") {
    info.redis_version = std::string(value);
  } else if (key == "run_id") {
    info.run_id = std::string(value);
  }
}

// ROLE sends numbers as integers in some places and as bulk strings in others (a master's
// replica entries); accept both.
std::optional<int64_t> reply_signed(const redisReply* r) {
  if (r == nullptr) return std::nullopt;
  if (r->type == REDIS_REPLY_INTEGER) return static_cast<int64_t>(r->integer);
  if ((r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) && r->str != nullptr) {
    return parse_signed(std::string_view(r->str, r->len));
  }
  return std::nullopt;
}

std::optional<uint64_t> reply_offset(const redisReply* r) {
  const std::optional<int64_t> n = reply_signed(r);
  if (!n || *n < 0) return std::nullopt;
  return static_cast<uint64_t>(*n);
}

std::optional<uint16_t> reply_port(const redisReply* r) {
  const std::optional<int64_t> n = reply_signed(r);
  if (!n || *n <= 0 || *n > std::numeric_limits<uint16_t>::max()) return std::nullopt;
  return static_cast<uint16_t>(*n);
}

std::optional<std::string_view> reply_text(const redisReply* r) {
  if (r == nullptr || r->str == nullptr) return std::nullopt;
  if (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS) return std::nullopt;
  return std::string_view(r->str, r->len);
}

const redisReply* element(const redisReply* r, size_t i) {
  if (r->element == nullptr || i >= r->elements) return nullptr;
  return r->element[i];
}

void parse_master_role(const redisReply* reply, RoleInfo& out) {
  out.master_offset = reply_offset(element(reply, 1));
  const redisReply* list = element(reply, 2);
  if (list == nullptr || list->type != REDIS_REPLY_ARRAY) return;
  for (size_t i = 0; i < list->elements; ++i) {
    const redisReply* entry = element(list, i);
    if (entry == nullptr || entry->type != REDIS_REPLY_ARRAY) continue;
    const std::optional<std::string_view> host = reply_text(element(entry, 0));
    const std::optional<uint16_t> port = reply_port(element(entry, 1));
    if (!host || host->empty() || !port) continue;
    out.replicas.push_back(RoleReplica{std::string(*host), *port, reply_offset(element(entry, 2))});
  }
}

void parse_replica_role(const redisReply* reply, RoleInfo& out) {
  if (std::optional<std::string_view> host = reply_text(element(reply, 1))) {
    out.master_host = std::string(*host);
  }
  out.master_port = reply_port(element(reply, 2));
  if (std::optional<std::string_view> state = reply_text(element(reply, 3))) {
    out.state = std::string(*state);
  }
  out.offset = reply_offset(element(reply, 4));
}

}  // namespace

std::optional<uint64_t> parse_unsigned(std::string_view text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<int64_t> parse_signed(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<uint64_t> NodeInfo::processed_offset() const {
  if (role == Role::kReplica) return slave_repl_offset;
  if (role == Role::kMaster) return master_repl_offset;
  return std::nullopt;
}

std::optional<ListedReplica> parse_listed_replica(std::string_view value) {
  ListedReplica out;
  bool have_port = false;
  while (!value.empty()) {
    const size_t comma = value.find(',');
    const std::string_view item = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view k = item.substr(0, eq);
    const std::string_view v = item.substr(eq + 1);
    if (k == "ip") {
      out.ip = std::string(v);
    } else if (k == "port") {
      const std::optional<uint16_t> port = parse_port(v);
      have_port = port.has_value();
      out.port = port.value_or(0);
    } else if (k == "state") {
      out.state = std::string(v);
    } else if (k == "offset") {
      out.offset = parse_unsigned(v);
    } else if (k == "lag") {
      out.ack_age = parse_unsigned(v);
    }
  }
  if (out.ip.empty() || !have_port) return std::nullopt;
  return out;
}

NodeInfo parse_info(std::string_view text) {
  NodeInfo info;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = trim_cr(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    apply_field(info, line.substr(0, colon), line.substr(colon + 1));
  }
  return info;
}

std::optional<RoleInfo> parse_role(const redisReply* reply) {
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements == 0) {
    return std::nullopt;
  }
  const std::optional<std::string_view> name = reply_text(element(reply, 0));
  if (!name) return std::nullopt;
  RoleInfo out;
  out.name = std::string(*name);
  out.role = role_from_name(*name);
  if (out.role == Role::kMaster) {
    parse_master_role(reply, out);
  } else if (out.role == Role::kReplica) {
    parse_replica_role(reply, out);
  }
  return out;
}

}  // namespace resplit::topology
