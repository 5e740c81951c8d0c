#include "proxy/routing/router.h"

#include <algorithm>

#include "proxy/base/error_text.h"

namespace resplit::routing {
namespace {

using config::ReadPolicy;
using topology::TopologySnapshot;

Route to(Destination d, Reason r, size_t backend = kNoBackend) { return {d, r, backend, {}}; }
Route error(std::string_view text, Reason r) { return {Destination::kError, r, kNoBackend, text}; }

bool master_usable(const TopologySnapshot& t) {
  const auto* m = t.master_state();
  return m != nullptr && m->reachable;
}

// The master for a command that must run there. With no master known the session decides (wait
// for a failover, or fail): the route says so with kNoBackend.
Route master_route(const TopologySnapshot& t, Destination d, Reason r) {
  if (!t.master) return to(d, Reason::kNoMaster);
  return to(d, r, *t.master);
}

// A read: replicas or master per read_policy, honouring read-your-writes. `d` is kReplica for
// shared connections (the master then serves as kMaster) or kPinned.
Route read_route(const TopologySnapshot& t, const SessionState& s, const Policy& p,
                 const Load& load, Destination d, Reason reason) {
  const Destination on_master = d == Destination::kReplica ? Destination::kMaster : d;
  const bool master_ok = master_usable(t);
  if (p.read_policy == ReadPolicy::kMaster) return master_route(t, on_master, reason);
  if (p.read_policy == ReadPolicy::kPreferMaster && master_ok) {
    return to(on_master, reason, *t.master);
  }

  const bool ryw = p.read_your_writes && (s.write_in_flight || s.min_replica_offset > 0);
  if (ryw && s.write_in_flight && (master_ok || p.read_policy != ReadPolicy::kReplica)) {
    // The write's offset is not known yet; only the master is sure to have it.
    return master_route(t, on_master, Reason::kReadYourWrites);
  }
  const uint64_t min_offset = p.read_your_writes ? s.min_replica_offset : 0;
  const bool include_master = p.read_policy == ReadPolicy::kAny && master_ok;
  const size_t pick = choose_replica(t, min_offset, p.selection, load, include_master);
  if (pick != kNoBackend) {
    return to(t.master && pick == *t.master ? on_master : d, reason, pick);
  }
  if (ryw && !t.routable_replicas.empty()) {
    return master_route(t, on_master, Reason::kReadYourWrites);
  }
  if (p.read_policy == ReadPolicy::kReplica) {
    return error(text::kNoRoutableReplica, Reason::kNoReplica);
  }
  if (!t.master) return to(on_master, Reason::kNoMaster);
  return to(on_master,
            t.replicas_out_for_lag ? Reason::kReadFallbackLag : Reason::kReadFallbackNoReplica,
            *t.master);
}

}  // namespace

size_t choose_replica(const TopologySnapshot& t, uint64_t min_offset,
                      config::ReplicaSelection selection, const Load& load, bool include_master) {
  // Candidates: routable replicas fresh enough, plus the master when asked.
  size_t candidates[64];
  size_t n = 0;
  for (size_t i : t.routable_replicas) {
    if (n == std::size(candidates)) break;
    if (t.backends[i].offset >= min_offset) candidates[n++] = i;
  }
  if (include_master && t.master && n < std::size(candidates)) candidates[n++] = *t.master;
  if (n == 0) return kNoBackend;
  if (n == 1) return candidates[0];

  auto outstanding = [&](size_t backend) -> uint32_t {
    return backend < load.outstanding.size() ? load.outstanding[backend] : 0;
  };
  switch (selection) {
    case config::ReplicaSelection::kRoundRobin:
      return candidates[load.ticket % n];
    case config::ReplicaSelection::kWeighted: {
      uint64_t total = 0;
      for (size_t i = 0; i < n; ++i) total += t.backends[candidates[i]].weight;
      if (total == 0) return candidates[load.ticket % n];
      uint64_t point = load.ticket % total;
      for (size_t i = 0; i < n; ++i) {
        const uint32_t w = t.backends[candidates[i]].weight;
        if (point < w) return candidates[i];
        point -= w;
      }
      return candidates[n - 1];
    }
    case config::ReplicaSelection::kLeastOutstanding: {
      // A pipeline stays on one replica: its commands go out in one write, and a pipeline of big
      // reads makes one replica busy while the other clients' reads see that and go elsewhere,
      // instead of both replicas building its replies.
      if (load.batch_replica != kNoBackend &&
          std::find(candidates, candidates + n, load.batch_replica) != candidates + n) {
        return load.batch_replica;
      }
      // Start at a rotating position so that ties spread evenly.
      const size_t start = load.ticket % n;
      size_t best = candidates[start];
      for (size_t k = 1; k < n; ++k) {
        const size_t c = candidates[(start + k) % n];
        if (outstanding(c) < outstanding(best)) best = c;
      }
      return best;
    }
  }
  return candidates[0];
}

Route route(const Classified& c, const SessionState& s, const TopologySnapshot& t,
            const Policy& p, const Load& load) {
  // In passthrough modes every command, QUIT and RESET included, goes down the connection and Redis
  // answers it there, in order with the messages it pushes.
  if (s.subscribed) return to(Destination::kPinned, Reason::kPubSub);
  if (s.monitoring) return to(Destination::kPinned, Reason::kPinned);

  // QUIT and RESET act at once in every other state, as in Redis.
  const bool quit_or_reset =
      c.kind == CommandKind::kLocal &&
      (c.local == LocalCommand::kQuit || c.local == LocalCommand::kReset);
  if (quit_or_reset) return to(Destination::kLocal, Reason::kLocal);

  // States that own the connection: everything else goes down the pinned connection, where Redis
  // itself applies its rules (queueing in MULTI, ...).
  // AUTH, HELLO and CLIENT REPLY concern the client's link to resplit, never the pinned connection.
  const bool link_command =
      c.kind == CommandKind::kLocal &&
      (c.local == LocalCommand::kAuth || c.local == LocalCommand::kHello ||
       c.local == LocalCommand::kClientReply);
  if (s.in_multi) {
    return link_command ? to(Destination::kLocal, Reason::kLocal)
                        : to(Destination::kPinned, Reason::kTransaction);
  }
  if (s.session_pinned && c.kind != CommandKind::kLocal) {
    return to(Destination::kPinned, Reason::kPinned);
  }
  if (s.watching && c.kind != CommandKind::kLocal) {
    return to(Destination::kPinned, Reason::kTransaction);
  }

  switch (c.kind) {
    case CommandKind::kLocal:
    case CommandKind::kUnsubscribe:  // not subscribed: Redis's answer is known
    case CommandKind::kWait:
      return to(Destination::kLocal, Reason::kLocal);
    case CommandKind::kExec:
      return error(text::kExecWithoutMulti, Reason::kTransaction);
    case CommandKind::kDiscard:
      return error(text::kDiscardWithoutMulti, Reason::kTransaction);
    case CommandKind::kUnwatch:
      return to(Destination::kLocal, Reason::kLocal);  // nothing watched: +OK
    case CommandKind::kMulti:
    case CommandKind::kWatch:
      return master_route(t, Destination::kPinned, Reason::kTransaction);
    case CommandKind::kSubscribe:
      return master_route(t, Destination::kPinned, Reason::kPubSub);
    case CommandKind::kMonitor:
    case CommandKind::kTracking:
      return master_route(t, Destination::kPinned, Reason::kPinned);
    case CommandKind::kBlocking:
      if (c.info != nullptr && c.info->has(commands::CommandFlag::kReadonly)) {
        return read_route(t, s, p, load, Destination::kPinned, Reason::kBlocking);
      }
      return master_route(t, Destination::kPinned, Reason::kBlocking);
    case CommandKind::kScriptRead:
      return read_route(t, s, p, load, Destination::kReplica, Reason::kScript);
    case CommandKind::kScriptWrite:
      return master_route(t, Destination::kMaster, Reason::kScript);
    case CommandKind::kScriptFanout:
      return master_route(t, Destination::kFanout, Reason::kScript);
    case CommandKind::kRefused:
      return error(text::kCommandDisabled, Reason::kLocal);
    case CommandKind::kRead:
      return read_route(t, s, p, load, Destination::kReplica, Reason::kRead);
    case CommandKind::kWrite: {
      const bool admin = c.info != nullptr && c.info->has(commands::CommandFlag::kAdmin);
      return master_route(t, Destination::kMaster, admin ? Reason::kAdmin : Reason::kWrite);
    }
    case CommandKind::kUnknown:
      return master_route(t, Destination::kMaster, Reason::kUnknownCommand);
  }
  return master_route(t, Destination::kMaster, Reason::kWrite);
}

std::string_view to_string(Destination d) {
  switch (d) {
    case Destination::kLocal: return "local";
    case Destination::kMaster: return "master";
    case Destination::kReplica: return "replica";
    case Destination::kPinned: return "pinned";
    case Destination::kFanout: return "fanout";
    case Destination::kError: return "error";
  }
  return "unknown";
}

}  // namespace resplit::routing
