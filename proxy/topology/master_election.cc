#include "proxy/topology/master_election.h"

#include <map>

namespace resplit::topology {
namespace {

const NodeView* find(std::span<const NodeView> nodes, std::optional<BackendId> id) {
  if (!id) return nullptr;
  for (const NodeView& n : nodes) {
    if (n.id == *id) return &n;
  }
  return nullptr;
}

bool says_master(const NodeView* n) {
  return n != nullptr && n->current && n->role == Role::kMaster;
}

bool is_fenced(const ElectionState& state, const NodeView* n) {
  return n != nullptr && state.fenced == n->id;
}

// `replica` reports that it follows someone; find that node among the backends.
const NodeView* followed_node(std::span<const NodeView> nodes, const NodeView& replica) {
  // The replication id is the reliable link: names and IPs differ between views on Kubernetes.
  if (replica.link_up && !replica.replid.empty()) {
    for (const NodeView& n : nodes) {
      if (n.id != replica.id && says_master(&n) && n.replid == replica.replid) return &n;
    }
  }
  if (replica.follows.port == 0 || replica.follows.host.empty()) return nullptr;
  for (const NodeView& n : nodes) {
    if (n.id != replica.id && names_node(replica.follows, n)) return &n;
  }
  return nullptr;
}

// Moves the decision to whatever `replica` (the old master or the candidate) follows.
void redirect(std::span<const NodeView> nodes, const NodeView& replica, ElectionOutcome& out) {
  const NodeView* target = followed_node(nodes, replica);
  if (is_fenced(out.state, target)) return;
  if (target != nullptr && says_master(target)) {
    out.state.master = target->id;
    out.state.candidate.reset();
    return;
  }
  if (target != nullptr) {
    out.state.candidate = target->id;
    return;
  }
  out.state.candidate.reset();
  if (replica.follows.port != 0 && !replica.follows.host.empty()) out.follow = replica.follows;
}

// The master-role node that most linked replicas follow; nullptr when none or a tie.
const NodeView* most_followed(std::span<const NodeView> nodes, const ElectionState& state) {
  std::map<BackendId, size_t> followers;
  for (const NodeView& r : nodes) {
    if (!r.current || r.role != Role::kReplica || !r.link_up) continue;
    const NodeView* m = followed_node(nodes, r);
    if (says_master(m) && !is_fenced(state, m)) ++followers[m->id];
  }
  const NodeView* best = nullptr;
  size_t best_count = 0;
  bool tie = false;
  for (const auto& [id, count] : followers) {
    if (count > best_count) {
      best = find(nodes, id);
      best_count = count;
      tie = false;
    } else if (count == best_count) {
      tie = true;
    }
  }
  return tie ? nullptr : best;
}

}  // namespace

bool names_node(const Address& address, const NodeView& node) {
  if (address.port != node.address.port) return false;
  return address.host == node.address.host ||
         (!node.connected_ip.empty() && address.host == node.connected_ip);
}

ElectionOutcome elect_master(const ElectionState& state, std::span<const NodeView> nodes) {
  ElectionOutcome out;
  out.state = state;

  if (const NodeView* m = find(nodes, state.master);
      m != nullptr && m->current && m->role != Role::kMaster) {
    out.state.master.reset();
    out.reason = "master_reports_replica";
    if (m->role == Role::kReplica) redirect(nodes, *m, out);
  }

  if (out.state.candidate) {
    const NodeView* c = find(nodes, out.state.candidate);
    if (says_master(c)) {
      out.state.master = c->id;
      out.state.candidate.reset();
      out.reason = "candidate_verified";
    } else if (c != nullptr && c->current && c->role == Role::kReplica &&
               out.state.candidate == state.candidate) {
      // One step along a chain of replicas per round: a candidate named by step 1 just now gets
      // polled as the candidate first.
      const ElectionState before = out.state;
      redirect(nodes, *c, out);
      if (!(out.state == before) || out.follow) out.reason = "candidate_reports_replica";
    }
  }

  const NodeView* m = find(nodes, out.state.master);
  const bool master_answers = m != nullptr && m->current;
  if (!out.state.candidate && !out.follow && !master_answers) {
    if (const NodeView* best = most_followed(nodes, out.state);
        best != nullptr && (!out.state.master || *out.state.master != best->id)) {
      out.state.master = best->id;
      out.reason = "replicas_follow";
    }
  }
  if (out.state.candidate && out.state.master == out.state.candidate) out.state.candidate.reset();
  if (out.state.master) out.state.fenced.reset();
  return out;
}

}  // namespace resplit::topology
