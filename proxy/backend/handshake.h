// The commands resplit sends on every new backend connection before any client command (AUTH,
// CLIENT SETNAME, ROLE for fencing or for a replica's readiness) and the checks of ROLE's answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace resplit::backend {

void append_auth(std::string& out, std::string_view username, std::string_view password);
void append_client_setname(std::string& out, std::string_view name);
void append_role(std::string& out);
void append_select(std::string& out, int db);

// True when a complete ROLE reply says "master" (`*3\r\n$6\r\nmaster\r\n...`).
bool role_reply_is_master(std::string_view reply);
// True when a complete ROLE reply says "slave" with its link to the master up ("connected"); a
// replica that is connecting, syncing or loading says otherwise.
bool role_reply_is_synced_replica(std::string_view reply);

// The replication offset in a complete ROLE reply: the master's offset, or the offset a replica has
// processed. nullopt for errors and other shapes.
std::optional<uint64_t> role_reply_offset(std::string_view reply);

}  // namespace resplit::backend
