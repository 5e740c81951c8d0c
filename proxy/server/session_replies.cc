// ClientSession: what happens to each reply or failure a backend reports for the session's
// commands, and to what a subscribed or monitoring client is pushed.
#include "proxy/base/error_text.h"
#include "proxy/server/client_session.h"
#include "proxy/server/worker.h"

namespace resplit::server {

namespace {

std::string_view failure_text(errc why, bool sent) {
  if (!sent) return text::kBackendUnavailable;
  switch (why) {
    case errc::kBackendTimeout: return text::kBackendTimeout;
    case errc::kBackendProtocolError: return text::kBackendProtocolError;
    default: return text::kBackendClosed;
  }
}

}  // namespace

void ClientSession::on_reply(const backend::Tag& t, const backend::Reply& reply) {
  const auto kind = static_cast<TagKind>(t.kind);
  // A replica refuses a read unrun while it loads a dataset or (replica-serve-stale-data no) has
  // lost its master; resplit's polls see that a moment later.
  const bool refused = is_refusal(reply.error_text());
  if ((t.aux & kAuxRereadable) && refused && retry_read_on_master(t, errc::kReplicaNotReady)) {
    return;
  }
  if (t.aux & (kAuxRereadable | kAuxMasterRead)) kept_.forget(t.seq);
  if (t.aux & kAuxWrite) note_write_answered();
  if (t.aux & kAuxResendable) {
    if (refused) {
      hold_write_for_master(t.seq, reply.bytes);  // not run: it waits for a master that takes it
      return;
    }
    KeptCommands::Kept write;
    const bool taken = sent_writes_.take(t.seq, write);
    if (taken && !reply.is_error() && answered_by_untrusted_master(write)) {
      queue_.complete(t.seq, text::kAnsweredByUntrustedMaster);
      after_reply(/*at_read_end=*/true);
      return;
    }
  }
  if (kind == TagKind::kProbedRead) {
    if (finish_probed_read(t, reply, refused)) return;
  } else if (kind == TagKind::kScriptRead) {
    KeptCommands::Kept kept;
    if (kept_.take(t.seq, kept)) {
      const auto& topology = worker_.topology();
      if ((reply.error_text().starts_with("NOSCRIPT") || refused) && topology.master) {
        // The replica never got the script (it joined after SCRIPT LOAD), or could not run it
        // now: the master has it, or answers NOSCRIPT itself.
        if (backend::Connection* master = shared_connection(*topology.master)) {
          send_bytes(*master, kept.command, t.seq, TagKind::kReply, 0, true);
          return;
        }
      }
    }
  } else if (kind == TagKind::kPinnedEnd && (t.aux & kAuxExec)) {
    const bool executed = reply.type() == '*' && !reply.bytes.starts_with("*-1");
    if (executed && multi_db_ >= 0) {
      db_ = multi_db_;
      if (pinned_) pinned_->set_db(db_);
    }
    multi_db_ = -1;
  }
  queue_.complete(t.seq, reply.bytes);
  if (kind == TagKind::kPinnedEnd) {
    blocking_in_flight_ = false;
    release_pinned_if_done();
  }
  after_reply(/*at_read_end=*/true);
}

void ClientSession::on_failure(const backend::Tag& t, errc why, bool sent) {
  if (t.aux & kAuxWrite) note_write_answered();
  if (t.aux & kAuxResendable) {
    if (!sent) {
      hold_write_for_master(t.seq, text::kBackendUnavailable);  // never left resplit
      return;
    }
    sent_writes_.forget(t.seq);
  }
  if (t.aux & kAuxMasterRead) {
    if (hold_read_for_master(t, why, failure_text(why, sent))) return;
    kept_.forget(t.seq);
  } else if (retry_read_on_master(t, why)) {
    return;
  }
  queue_.complete(t.seq, failure_text(why, sent));
  if (pinned_ && pinned_->closed()) {
    blocking_in_flight_ = false;
    // The backend connection that held this client's MULTI, WATCH or tracking state is gone; as
    // with Redis, the client's connection goes too (once what is due is written).
    const bool state_lost = state_.in_multi || state_.watching || state_.session_pinned;
    release_pinned(false);
    if (state_lost) close_after_replies();
  }
  after_reply();
}

void ClientSession::on_push(const backend::Reply& reply) {
  queue_.push_ready(reply.bytes);
  if (state_.subscribed) {
    subscriptions_.on_message(reply.bytes);
    if (subscriptions_.finished()) {
      // Out of subscribed mode with every answer in: the connection is an ordinary one again
      // (unless RESET went down it, which logged it out of the backend).
      state_.subscribed = false;
      if (pinned_) pinned_->clear_passthrough();
      release_pinned(!passthrough_reset_);
      passthrough_reset_ = false;
    }
  } else if (state_.monitoring && passthrough_reset_ && reply.bytes == "+RESET\r\n") {
    state_.monitoring = false;
    passthrough_reset_ = false;
    if (pinned_) pinned_->clear_passthrough();
    release_pinned(false);
  }
  after_reply(/*at_read_end=*/true);
}

void ClientSession::on_passthrough_closed(errc why) {
  // Subscriptions or MONITOR ended with the backend connection (or QUIT went down it).
  release_pinned(false);
  close_after_replies();
}

}  // namespace resplit::server
