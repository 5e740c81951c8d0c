#include "proxy/topology/topology_state.h"

#include <algorithm>
#include <chrono>

#include "proxy/base/log.h"

namespace resplit::topology {
namespace {

NodeView view_of(BackendId id, const Address& address, bool last_ok,
                 const std::optional<PollResult>& good) {
  NodeView v;
  v.id = id;
  v.address = address;
  v.current = last_ok && good.has_value();
  if (!good) return v;
  v.connected_ip = good->connected_ip;
  v.role = good->stated_role();
  v.replid = good->info.master_replid;
  v.follows.host =
      !good->role.master_host.empty() ? good->role.master_host : good->info.master_host;
  v.follows.port = good->role.master_port.value_or(good->info.master_port.value_or(0));
  v.link_up = good->link_up();
  return v;
}

std::string id_text(std::optional<BackendId> id) {
  return id ? std::to_string(*id) : std::string("none");
}

}  // namespace

StateSettings settings_from(const config::Config& config) {
  StateSettings s;
  s.discovery = config.replicas.discovery;
  s.failure_threshold = config.health_check.failure_threshold;
  s.success_threshold = config.health_check.success_threshold;
  s.limits.max_seconds = std::chrono::duration<double>(config.routing.max_replication_lag).count();
  s.limits.max_bytes = config.routing.max_replication_lag_bytes;
  s.refresh_interval = config.replicas.refresh_interval;
  return s;
}

TopologyState::TopologyState(const Clock& clock, StateSettings settings)
    : clock_(clock), settings_(settings) {}

void TopologyState::set_settings(StateSettings settings) {
  settings_ = settings;
  for (auto& [id, r] : backends_.records()) {
    r.health.set_thresholds(settings_.failure_threshold, settings_.success_threshold);
    r.gate.set_success_threshold(settings_.success_threshold);
  }
}

std::optional<BackendId> TopologyState::id_of(const Address& address) const {
  return backends_.id_of(address);
}

TopologyState::Record& TopologyState::ensure(const Address& address, std::string_view source) {
  return backends_.ensure(address, source, settings_.failure_threshold,
                          settings_.success_threshold);
}

TopologyState::Record* TopologyState::find(std::optional<BackendId> id) {
  return backends_.find(id);
}

const TopologyState::Record* TopologyState::find(std::optional<BackendId> id) const {
  return backends_.find(id);
}

bool TopologyState::is_member(const Record& r) const {
  return r.configured_master || r.in_replica_set || election_.master == r.id ||
         election_.candidate == r.id || held_ == r.id;
}

void TopologyState::prune() {
  backends_.remove_unless([this](const Record& r) { return is_member(r); });
}

void TopologyState::set_master(std::optional<BackendId> id, std::string_view reason) {
  if (id == election_.master) return;
  const std::optional<BackendId> old = election_.master;
  election_.master = id;
  if (id) {
    if (last_master_ && *last_master_ != *id) ++master_changes_;
    last_master_ = id;
    const Record* r = find(id);
    log::info("master_changed", {{"from", id_text(old)},
                                 {"to", id_text(id)},
                                 {"address", r ? r->address.to_string() : std::string()},
                                 {"reason", reason},
                                 {"master_changes", master_changes_}});
  } else {
    log::warn("master_cleared", {{"from", id_text(old)}, {"reason", reason}});
  }
  // The old master serves no reads either until a poll shows it following the new one.
  if (Record* previous = find(old)) {
    previous->routable = false;
    previous->exclusion = previous->gate.update(Exclusion::kNotReplica);
  }
  // Offsets of another node, or of a history that may restart, do not continue the timeline.
  lag_.reset();
  master_replid_.clear();
}

void TopologyState::set_configured_master(const std::optional<Address>& address) {
  if (configured_master_ == address) return;
  if (configured_master_) {
    if (std::optional<BackendId> old = id_of(*configured_master_)) {
      if (Record* r = find(old)) r->configured_master = false;
    }
  }
  configured_master_ = address;
  if (address) {
    ensure(*address, "config").configured_master = true;
    announce_master(*address, "config");
  }
  prune();
}

void TopologyState::announce_master(const Address& address, std::string_view source) {
  held_.reset();
  Record& r = ensure(address, source);
  if (election_.master == r.id) {
    election_.candidate.reset();
    return;
  }
  if (election_.candidate == r.id) return;
  log::info("master_announced",
            {{"id", r.id}, {"address", r.address.to_string()}, {"source", source}});
  // Fence the old master at once: it may be paused or partitioned and come back still saying
  // master, and every write it takes then would be lost.
  if (election_.master) election_.fenced = election_.master;
  if (election_.fenced == r.id) election_.fenced.reset();
  set_master(std::nullopt, "announced_elsewhere");
  election_.candidate = r.id;
  prune();
}

void TopologyState::hold_writes(std::string_view source) {
  if (!election_.master) return;
  log::warn("master_held", {{"id", *election_.master}, {"source", source}});
  // It stays a member, so the writes it is answering now are answered, not cut off.
  held_ = election_.master;
  election_.fenced = election_.master;
  election_.candidate.reset();
  set_master(std::nullopt, "failover_in_progress");
}

void TopologyState::set_replicas(const std::vector<WeightedAddress>& replicas,
                                 std::string_view source) {
  for (auto& [id, r] : backends_.records()) r.in_replica_set = false;
  for (const WeightedAddress& w : replicas) {
    Record& r = ensure(w.address, source);
    r.in_replica_set = true;
    r.weight = w.weight == 0 ? 1 : w.weight;
  }
  prune();
}

void TopologyState::record(BackendId id, PollResult result) {
  Record* r = find(id);
  if (r == nullptr) return;
  r->fresh = true;
  const std::string address = r->address.to_string();
  if (result.ok) {
    r->last_ok = true;
    if (r->health.record_success() && r->health.up()) {
      log::info("backend_up", {{"id", id}, {"address", address}});
    }
    if (r->last_good && r->last_good->stated_role() != result.stated_role()) {
      log::info("role_changed", {{"id", id},
                                 {"address", address},
                                 {"from", to_string(r->last_good->stated_role())},
                                 {"to", to_string(result.stated_role())}});
    }
    r->last_error.clear();
    r->last_good = std::move(result);
    return;
  }
  r->last_ok = false;
  ++r->poll_errors;
  if (result.error != r->last_error) {
    log::warn("poll_failed", {{"id", id}, {"address", address}, {"error", result.error}});
  }
  r->last_error = std::move(result.error);
  if (r->health.record_failure() && r->health.state() == Health::kDown) {
    log::warn("backend_down", {{"id", id},
                               {"address", address},
                               {"consecutive_failures", r->health.consecutive_failures()}});
  }
}

void TopologyState::run_election() {
  std::vector<NodeView> views;
  views.reserve(backends_.records().size());
  for (const auto& [id, r] : backends_.records())
    views.push_back(view_of(id, r.address, r.last_ok, r.last_good));
  ElectionOutcome out = elect_master(election_, views);
  if (out.follow) {
    // The old master (or the candidate) names a node resplit does not poll yet: poll it, and let
    // its own ROLE decide.
    out.state.candidate = ensure(*out.follow, "followed").id;
    if (out.reason.empty()) out.reason = "followed";
  }
  if (out.state.candidate != election_.candidate && out.state.candidate) {
    const Record* c = find(out.state.candidate);
    log::info("master_candidate", {{"id", *out.state.candidate},
                                   {"address", c ? c->address.to_string() : std::string()},
                                   {"reason", out.reason}});
  }
  set_master(out.state.master, out.reason);
  election_.candidate = out.state.candidate;
  election_.fenced = out.state.fenced;
}

void TopologyState::feed_master_sample() {
  Record* m = find(election_.master);
  if (m == nullptr || !m->last_ok || !m->last_good) return;
  if (!m->fresh && !lag_.empty()) return;
  const PollResult& p = *m->last_good;
  if (p.stated_role() != Role::kMaster) return;
  if (p.info.master_replid != master_replid_) {
    if (!master_replid_.empty()) {
      log::warn("master_replid_changed", {{"from", master_replid_}, {"to", p.info.master_replid}});
    }
    lag_.reset();
    master_replid_ = p.info.master_replid;
  }
  if (std::optional<uint64_t> offset = p.offset()) lag_.record(p.at, *offset);
}

void TopologyState::discover_from_master() {
  if (settings_.discovery != config::Discovery::kMaster) return;
  Record* m = find(election_.master);
  if (m == nullptr || !m->fresh || !m->last_ok || !m->last_good) return;
  const auto now = clock_.now();
  const NodeView master_view = view_of(m->id, m->address, true, m->last_good);
  const std::vector<ListedReplica> listed = m->last_good->info.replicas;
  for (const ListedReplica& l : listed) {
    const Address a{l.ip, l.port};
    if (names_node(a, master_view)) continue;
    Record& r = ensure(a, "master");
    r.in_replica_set = true;
    r.last_listed = now;
  }
  for (auto& [id, r] : backends_.records()) {
    if (r.in_replica_set && now - r.last_listed > settings_.refresh_interval) {
      r.in_replica_set = false;
    }
  }
}

void TopologyState::judge(Record& r) {
  const bool is_master = election_.master == r.id;
  r.ack_age.reset();
  r.lag = Lag{};
  const Record* m = find(election_.master);
  std::optional<uint64_t> acked;  // what the master says this replica acknowledged
  if (!is_master && m != nullptr && m->last_good) {
    const std::string ip = r.last_good ? r.last_good->connected_ip : std::string();
    for (const ListedReplica& l : m->last_good->info.replicas) {
      if (l.port == r.address.port && (l.ip == r.address.host || (!ip.empty() && l.ip == ip))) {
        r.ack_age = l.ack_age.value_or(0);
        acked = l.offset;
      }
    }
  }
  const Role role = r.last_good ? r.last_good->stated_role() : Role::kUnknown;
  if (!is_master && role == Role::kReplica) {
    if (std::optional<uint64_t> offset = r.last_good->offset()) {
      if (r.last_ok) {
        r.lag = lag_.lag(*offset, r.last_good->at).value_or(Lag{});
      } else {
        // It stopped answering (paused, partitioned): its data has only aged since the last
        // offset known for it, its own or the one the master last saw acknowledged.
        const uint64_t known = std::max(*offset, acked.value_or(0));
        r.lag = lag_.lag(known, clock_.now()).value_or(Lag{});
      }
    }
  }
  const Exclusion before = r.exclusion;
  if (is_master) {
    r.routable = r.health.up() && role == Role::kMaster;
    r.exclusion = r.routable                                ? Exclusion::kNone
                  : r.health.state() == Health::kRecovering ? Exclusion::kRecovering
                                                            : Exclusion::kUnreachable;
  } else if (r.fresh) {
    ReplicaFacts f;
    f.polled_ok = r.last_ok && r.last_good.has_value();
    f.role = role;
    if (r.last_good) {
      const NodeInfo& info = r.last_good->info;
      f.follows_master = !master_replid_.empty() && info.master_replid == master_replid_;
      f.link_up = r.last_good->link_up();
      f.loading = info.loading.value_or(false);
      f.sync_in_progress = info.master_sync_in_progress.value_or(false);
    }
    f.lag_seconds = r.lag.seconds;
    f.lag_bytes = r.lag.bytes;
    r.exclusion = r.gate.update(judge_replica(f, settings_.limits));
    r.routable = r.exclusion == Exclusion::kNone;
  }
  r.fresh = false;
  if (r.exclusion == before) return;
  if (!is_master && before == Exclusion::kNone) ++r.exclusions[static_cast<size_t>(r.exclusion)];
  const std::string_view event = r.routable ? (is_master ? "master_routable" : "replica_routable")
                                 : before == Exclusion::kNone
                                     ? (is_master ? "master_unroutable" : "replica_excluded")
                                     : "backend_exclusion_changed";
  const std::string address = r.address.to_string();
  log::write(before == Exclusion::kNone && !r.routable ? log::Level::kWarn : log::Level::kInfo,
             event,
             {{"id", r.id},
              {"address", address},
              {"from", to_string(before)},
              {"to", to_string(r.exclusion)},
              {"lag_seconds", r.lag.seconds},
              {"lag_bytes", r.lag.bytes}});
}

void TopologyState::evaluate() {
  run_election();
  feed_master_sample();
  discover_from_master();
  for (auto& [id, r] : backends_.records()) judge(r);
  prune();
}

TopologySnapshot TopologyState::build() const {
  TopologySnapshot s;
  s.backends.reserve(backends_.records().size());
  for (const auto& [id, r] : backends_.records()) {
    BackendState b = r.state();
    const size_t index = s.backends.size();
    if (election_.master == id) {
      s.master = index;
    } else if (r.routable) {
      s.routable_replicas.push_back(index);
    } else if (b.exclusion == Exclusion::kLagSeconds || b.exclusion == Exclusion::kLagBytes) {
      s.replicas_out_for_lag = true;
    }
    s.backends.push_back(std::move(b));
  }
  s.master_offset = lag_.latest_offset().value_or(0);
  s.master_replid = master_replid_;
  s.master_changes = master_changes_;
  return s;
}

std::vector<std::pair<BackendId, Address>> TopologyState::members() const {
  std::vector<std::pair<BackendId, Address>> out;
  out.reserve(backends_.records().size());
  for (const auto& [id, r] : backends_.records()) out.emplace_back(id, r.address);
  return out;
}

}  // namespace resplit::topology
