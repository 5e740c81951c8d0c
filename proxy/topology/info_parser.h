// Reads what a Redis node says about its replication state: the text of `INFO replication`
// (with `persistence` and `server`) and the `ROLE` reply as hiredis parsed it. Never throws and
// never reads outside its input: a missing, negative or overflowing field is simply absent.
#pragma once

#include <hiredis/hiredis.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/topology/snapshot.h"

namespace resplit::topology {

// One `slaveN:ip=..,port=..,state=..,offset=..,lag=..` line of a master's INFO replication.
struct ListedReplica {
  std::string ip;
  uint16_t port = 0;
  std::string state;                // "online", "wait_bgsave", "send_bulk", ...
  std::optional<uint64_t> offset;   // the last offset the replica acknowledged
  std::optional<uint64_t> ack_age;  // `lag=`: whole seconds since its last REPLCONF ACK
  friend bool operator==(const ListedReplica&, const ListedReplica&) = default;
};

// The fields of INFO that the monitor reads; absent when the node did not send them (or sent
// something that is not a valid value for the field).
struct NodeInfo {
  Role role = Role::kUnknown;  // `role:master` / `role:slave`
  std::string master_replid;   // the replication history this node is in
  std::string master_replid2;
  std::optional<uint64_t> master_repl_offset;
  std::optional<uint32_t> connected_slaves;
  std::vector<ListedReplica> replicas;  // master side

  // Replica side.
  std::string master_host;
  std::optional<uint16_t> master_port;
  std::optional<bool> master_link_up;                 // master_link_status:up|down
  std::optional<int64_t> master_last_io_seconds_ago;  // -1 while the link is down
  std::optional<bool> master_sync_in_progress;
  std::optional<uint64_t> slave_repl_offset;       // processed (applied) offset
  std::optional<uint64_t> slave_read_repl_offset;  // read from the link (Redis >= 7.0)

  // `persistence`: a node loading a dataset answers most commands with -LOADING.
  std::optional<bool> loading;
  std::optional<bool> async_loading;

  // `server`.
  std::string redis_version;
  std::string run_id;

  // The offset of the data this node serves: slave_repl_offset on a replica, master_repl_offset
  // on a master.
  std::optional<uint64_t> processed_offset() const;
};

// Parses INFO text ("# Section" headers, "key:value" lines, CRLF or LF). Unknown keys are ignored;
// a later duplicate key wins.
NodeInfo parse_info(std::string_view text);

// Parses one `slaveN` value ("ip=..,port=..,state=..,offset=..,lag=.."); nullopt without a valid
// ip and port.
std::optional<ListedReplica> parse_listed_replica(std::string_view value);

// One replica in a master's ROLE reply.
struct RoleReplica {
  std::string host;
  uint16_t port = 0;
  std::optional<uint64_t> offset;
  friend bool operator==(const RoleReplica&, const RoleReplica&) = default;
};

struct RoleInfo {
  Role role = Role::kUnknown;
  std::string name;  // the first element as sent ("master", "slave", "sentinel", ...)

  // Master: its offset and each replica's last acknowledged offset.
  std::optional<uint64_t> master_offset;
  std::vector<RoleReplica> replicas;

  // Replica: whom it follows, the link state ("connect", "connecting", "handshake", "sync",
  // "connected") and its processed offset (absent while -1, i.e. before the first sync).
  std::string master_host;
  std::optional<uint16_t> master_port;
  std::string state;
  std::optional<uint64_t> offset;
};

// nullopt when the reply is not a ROLE reply (an error, not an array, a first element that is not
// a string). Malformed replica entries of a master are skipped; unknown first elements (Sentinel's
// "sentinel") give Role::kUnknown with `name` set.
std::optional<RoleInfo> parse_role(const redisReply* reply);

// Numbers as INFO and ROLE write them; nullopt for anything that is not a whole number in range.
std::optional<uint64_t> parse_unsigned(std::string_view text);
std::optional<int64_t> parse_signed(std::string_view text);

}  // namespace resplit::topology
