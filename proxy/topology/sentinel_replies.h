// Reads what a Sentinel answers about one monitored master: SENTINEL GET-MASTER-ADDR-BY-NAME, the
// config epoch in SENTINEL MASTER, the replicas in SENTINEL REPLICAS and the payload of a
// +switch-master message. Never throws: anything malformed is simply absent.
#pragma once

#include <hiredis/hiredis.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "proxy/topology/sentinel_vote.h"
#include "proxy/topology/snapshot.h"

namespace resplit::topology {

// ["ip", "port"]; nullopt for a nil reply (unknown master name), an error or anything else.
std::optional<Address> parse_master_addr(const redisReply* reply);

// The `config-epoch` field of SENTINEL MASTER's flat field/value array.
std::optional<uint64_t> parse_config_epoch(const redisReply* reply);

// One poll's answer: the master of GET-MASTER-ADDR-BY-NAME and the epoch of SENTINEL MASTER (0 when
// absent).
SentinelAnswer parse_poll_answer(const redisReply* master_addr, const redisReply* master);

// The master a Sentinel is failing over right now: SENTINEL MASTER's ip and port when its flags
// include failover_in_progress (before the switch they are still the old master's).
std::optional<Address> parse_failover_of(const redisReply* reply);

// The master named by +try-failover ("master <name> <ip> <port>") when it is `master_name`.
std::optional<Address> parse_try_failover(std::string_view payload, std::string_view master_name);

// Every replica's ip and port from SENTINEL REPLICAS (an array of field/value arrays), in the order
// given, duplicates dropped.
std::vector<Address> parse_replica_list(const redisReply* reply);

struct MasterSwitch {
  Address from;
  Address to;
  friend bool operator==(const MasterSwitch&, const MasterSwitch&) = default;
};

// The payload of +switch-master, "<name> <old-ip> <old-port> <new-ip> <new-port>", when it is about
// `master_name`.
std::optional<MasterSwitch> parse_switch_master(std::string_view payload,
                                                std::string_view master_name);

// A pub/sub push ["message", channel, payload]: the payload when the channel is `channel`.
std::optional<std::string_view> message_payload(const redisReply* reply, std::string_view channel);

}  // namespace resplit::topology
