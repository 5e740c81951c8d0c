#include "proxy/admin/topology_json.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace resplit::admin {

std::string topology_json(const topology::TopologySnapshot& t,
                          const std::function<int64_t(topology::BackendId)>& connections,
                          const topology::SentinelStatusList* sentinels) {
  namespace json = boost::json;
  json::array backends;
  for (size_t i = 0; i < t.backends.size(); ++i) {
    const topology::BackendState& b = t.backends[i];
    const bool is_master = t.master && *t.master == i;
    json::object o;
    o["id"] = b.id;
    o["address"] = b.address.to_string();
    o["role"] = is_master ? "master" : std::string(to_string(b.role));
    o["state"] = b.reachable ? "up" : "down";
    o["routable"] = b.routable;
    o["not_routable_because"] =
        b.routable ? json::value(nullptr) : json::value(std::string(to_string(b.exclusion)));
    o["offset"] = b.offset;
    if (!is_master) {
      o["lag_bytes"] = b.lag_bytes;
      o["lag_seconds"] = b.lag_seconds;
      o["ack_age_seconds"] = b.ack_age_seconds;
      o["link_up"] = b.link_up;
      o["loading"] = b.loading;
      o["sync_in_progress"] = b.sync_in_progress;
    }
    o["poll_errors"] = b.poll_errors;
    o["connections"] = connections ? connections(b.id) : 0;
    if (!b.redis_version.empty()) o["redis_version"] = b.redis_version;
    backends.push_back(std::move(o));
  }
  json::object doc;
  doc["version"] = t.version;
  doc["master"] = t.master_state() != nullptr ? json::value(t.master_state()->address.to_string())
                                              : json::value(nullptr);
  doc["master_offset"] = t.master_offset;
  doc["master_replid"] = t.master_replid;
  doc["master_changes"] = t.master_changes;
  doc["backends"] = std::move(backends);
  if (sentinels != nullptr) {
    json::array list;
    for (const topology::SentinelStatus& s : *sentinels) {
      json::object o;
      o["address"] = s.address.to_string();
      o["up"] = s.up;
      o["names_master"] = s.master ? json::value(s.master->to_string()) : json::value(nullptr);
      o["config_epoch"] = s.epoch;
      o["names_trusted_master"] = s.names_trusted;
      list.push_back(std::move(o));
    }
    doc["sentinels"] = std::move(list);
  }
  return json::serialize(doc) + "\n";
}

}  // namespace resplit::admin
