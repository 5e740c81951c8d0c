#include "proxy/topology/backend_registry.h"

#include "proxy/base/log.h"

namespace resplit::topology {

BackendState BackendRecord::state() const {
  BackendState b;
  b.id = id;
  b.address = address;
  b.weight = weight;
  b.reachable = last_ok;
  b.routable = routable;
  b.exclusion = exclusion;
  b.lag_bytes = lag.bytes;
  b.lag_seconds = lag.seconds;
  b.ack_age_seconds = static_cast<double>(ack_age.value_or(0));
  b.listed_by_master = ack_age.has_value();
  b.consecutive_failures = health.consecutive_failures();
  b.poll_errors = poll_errors;
  b.exclusions = exclusions;
  if (last_good) {
    const PollResult& p = *last_good;
    b.role = p.stated_role();
    b.offset = p.offset().value_or(0);
    b.link_up = p.link_up();
    b.loading = p.info.loading.value_or(false);
    b.sync_in_progress = p.info.master_sync_in_progress.value_or(false);
    b.redis_version = p.redis_version.empty() ? p.info.redis_version : p.redis_version;
    b.databases = p.databases.value_or(0);
  }
  return b;
}

BackendRecord& BackendRegistry::ensure(const Address& address, std::string_view source,
                                       uint32_t failure_threshold, uint32_t success_threshold) {
  const std::string key = address.to_string();
  auto [id_it, new_id] = ids_.try_emplace(key, next_id_);
  if (new_id) ++next_id_;
  const BackendId id = id_it->second;
  auto it = records_.find(id);
  if (it != records_.end()) return it->second;
  log::info("backend_added", {{"id", id}, {"address", key}, {"source", source}});
  BackendRecord& r =
      records_.try_emplace(id, id, address, failure_threshold, success_threshold).first->second;
  if (auto removed = removed_poll_errors_.find(id); removed != removed_poll_errors_.end()) {
    r.poll_errors = removed->second;
  }
  return r;
}

BackendRecord* BackendRegistry::find(std::optional<BackendId> id) {
  if (!id) return nullptr;
  auto it = records_.find(*id);
  return it == records_.end() ? nullptr : &it->second;
}

const BackendRecord* BackendRegistry::find(std::optional<BackendId> id) const {
  if (!id) return nullptr;
  auto it = records_.find(*id);
  return it == records_.end() ? nullptr : &it->second;
}

std::optional<BackendId> BackendRegistry::id_of(const Address& address) const {
  auto it = ids_.find(address.to_string());
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

void BackendRegistry::remove_unless(const std::function<bool(const BackendRecord&)>& keep) {
  for (auto it = records_.begin(); it != records_.end();) {
    if (keep(it->second)) {
      ++it;
      continue;
    }
    log::info("backend_removed", {{"id", it->first}, {"address", it->second.address.to_string()}});
    removed_poll_errors_[it->first] = it->second.poll_errors;
    it = records_.erase(it);
  }
}

}  // namespace resplit::topology
