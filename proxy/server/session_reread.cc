// ClientSession: reads whose replica connection failed (the replica was killed, restarted, reset
// the connection or sent garbage) are asked again of the master instead of failing. A read may run
// twice, and the master holds every write the replica had. It is not asked again when the client
// sent anything else after it (the master might then show a write, or a SELECT, that came later),
// when the replica timed out (the client's time is spent), or when reads must stay on replicas.
#include "proxy/server/client_session.h"
#include "proxy/server/worker.h"

namespace resplit::server {

bool ClientSession::reread_on_master(const backend::Tag& t, errc why) {
  const KeptCommands::Entry* read = sent_reads_.find(t.seq);
  if (read == nullptr) return false;
  const topology::TopologySnapshot& topology = worker_.topology();
  backend::Connection* master = nullptr;
  if (why != errc::kBackendTimeout && t.seq >= rereadable_from_ && topology.master &&
      topology.backends[*topology.master].id != read->backend_id &&
      worker_.config().routing.read_policy != config::ReadPolicy::kReplica) {
    master = shared_connection(*topology.master);
  }
  if (master == nullptr || master->closed()) {
    sent_reads_.forget(t.seq);
    return false;
  }
  worker_.stats().reads_retried.add();
  send_bytes(*master, sent_reads_.bytes(*read), t.seq, TagKind::kReply, 0, true);
  sent_reads_.forget(t.seq);
  return true;
}

}  // namespace resplit::server
