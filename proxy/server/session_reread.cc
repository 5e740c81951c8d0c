// ClientSession: a read kept while a replica answers it (a plain read, a read behind a probe, a *_RO
// script) whose replica connection failed is asked again of the master: a read may run twice, and
// the master holds every write the replica had. A plain read (kAuxRereadable) is not asked again
// when the client sent anything but plain reads after it (the master might then show a write, or a
// SELECT, that came later; other reads, also ones that went to the master, change nothing), when the replica timed out (the client's time is spent), when the master is
// the node that failed, or when reads must stay on replicas.
#include "proxy/server/client_session.h"
#include "proxy/server/worker.h"

namespace resplit::server {

bool ClientSession::retry_read_on_master(const backend::Tag& t, errc why) {
  KeptCommands::Kept read;
  if (!kept_.take(t.seq, read)) return false;
  const topology::TopologySnapshot& topology = worker_.topology();
  if (!topology.master) return false;
  if ((t.aux & kAuxRereadable) &&
      (why == errc::kBackendTimeout || t.seq < reask_from_ ||
       topology.backends[*topology.master].id == read.backend_id ||
       worker_.config().routing.read_policy == config::ReadPolicy::kReplica)) {
    return false;
  }
  backend::Connection* master = shared_connection(*topology.master);
  if (master == nullptr || master->closed()) return false;
  worker_.stats().reads_retried.add();
  send_bytes(*master, read.command, t.seq, TagKind::kReply, 0, true);
  return true;
}

}  // namespace resplit::server
