// One connection (TCP, or TLS with server_tls) from resplit to a Redis backend. Commands from many clients are written to it
// back to back (one batched write per event-loop turn) and their replies are handed back in order to
// the ReplySink under the tag each was sent with. After a timeout, a protocol error or EOF the
// connection is closed for good and every command still waiting fails: a late reply must never reach
// anyone, so a connection is never reused after a failure.
//
// Single-threaded: all calls come from the worker's io_context thread. The owner keeps it alive with a
// shared_ptr; its own coroutines hold one too while they run.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "proxy/backend/reply_sink.h"
#include "proxy/base/errc.h"
#include "proxy/base/ring.h"
#include "proxy/metrics/worker_stats.h"
#include "proxy/net/stream.h"
#include "proxy/net/tls_contexts.h"
#include "proxy/resp/reply_parser.h"

namespace resplit::backend {

struct ConnectionOptions {
  std::string host;
  uint16_t port = 0;
  std::chrono::milliseconds connect_timeout{1000};  // resolve + connect + handshake
  std::chrono::milliseconds command_timeout{2000};  // per command, unless sent without deadline
  std::chrono::seconds tcp_keepalive{300};          // 0: off
  std::string username;  // AUTH username password; empty: AUTH password
  std::string password;  // empty: no AUTH
  std::string client_name = "resplit";
  // What ROLE must say before any command goes out: master (fencing), or a replica linked to its
  // master (one restarted since resplit's last poll, empty or loading its snapshot, serves no read).
  enum class RoleCheck : uint8_t { kNone, kMaster, kSyncedReplica };
  RoleCheck role_check = RoleCheck::kNone;
  std::shared_ptr<const net::TlsClient> tls;  // null: plain TCP (server_tls off)
  // The owning worker's counters for this backend (open connections, failed connects, commands).
  metrics::BackendStats* stats = nullptr;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  enum class State : uint8_t { kConnecting, kReady, kClosed };
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::time_point kNoDeadline = Clock::time_point::max();

  Connection(boost::asio::any_io_executor executor, const ConnectionOptions& options,
             ReplySink& sink);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts connecting. Commands may be sent at once; they go out when the handshake succeeds.
  void start();

  // Queues one complete RESP command. With `deadline` false the command may wait forever (blocking
  // commands on a pinned connection). Returns false, and queues nothing, once closed.
  bool send(std::string_view command, const Tag& tag, bool deadline = true);

  // Passthrough mode (pub/sub, MONITOR): once no command waits for a reply, every reply goes to
  // `owner` through ReplySink::on_push. Commands sent in this mode expect no reply record.
  void set_passthrough(const Tag& owner);
  void clear_passthrough() { passthrough_ = false; }
  bool passthrough() const { return passthrough_; }
  bool send_untracked(std::string_view command);

  // Closes the connection and fails every waiting command with `why`.
  void close(errc why);

  State state() const { return state_; }
  bool ready() const { return state_ == State::kReady; }
  bool closed() const { return state_ == State::kClosed; }
  errc close_reason() const { return close_reason_; }
  bool was_ready() const { return was_ready_; }  // the handshake succeeded at some point
  size_t outstanding() const { return pending_.size(); }
  // The backend's id for this connection (CLIENT ID), once the handshake has it; 0 before.
  int64_t backend_client_id() const { return backend_client_id_; }

  // Offset probes (read-your-writes, WAIT): a ROLE queued behind writes reports a master offset
  // that covers them; a ROLE queued before a read on a replica reports an offset the read sees at
  // least. probe_after_writes() asks for one probe at the end of this loop turn's batch (many
  // clients' writes share it); probe_now() queues one right here. Both return the probe's id.
  uint64_t probe_after_writes();
  uint64_t probe_now();
  bool probe_done(uint64_t id) const { return probes_done_ >= id; }
  // The offset from the latest answered probe (valid when probe_ok()).
  uint64_t probe_offset() const { return probe_offset_; }
  bool probe_ok() const { return probe_ok_; }

  // The database the connection's next command runs in (SELECT is tracked by the caller).
  int db() const { return db_; }
  void set_db(int db) { db_ = db; }

 private:
  enum class Internal : uint8_t { kNone, kAuth, kSetName, kClientId, kRole, kProbe };
  struct Pending {
    Tag tag;
    Clock::time_point deadline;  // kNoDeadline: none
    Internal internal = Internal::kNone;
  };

  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> read_loop();
  void extend_deadline_on_progress();
  void queue_handshake();
  bool on_internal_reply(Internal what, const Reply& reply);
  void dispatch(std::string_view frame);
  void schedule_flush();
  void flush();
  void arm_watchdog(Clock::time_point when);
  void on_watchdog();
  void became_ready();

  ConnectionOptions options_;
  ReplySink& sink_;
  net::Stream socket_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer watchdog_;
  bool watchdog_armed_ = false;

  State state_ = State::kConnecting;
  errc close_reason_ = errc::kOk;
  bool was_ready_ = false;
  int db_ = 0;
  int64_t backend_client_id_ = 0;
  bool passthrough_ = false;
  Tag passthrough_owner_;

  void queue_probe();

  Ring<Pending> pending_;
  uint64_t probes_queued_ = 0;
  uint64_t probes_done_ = 0;
  uint64_t probe_offset_ = 0;
  bool probe_ok_ = false;
  bool probe_wanted_ = false;
  bool last_queued_probe_ = false;
  size_t unwritten_ = 0;  // newest pending records whose bytes are not yet handed to the socket
  size_t held_records_ = 0;
  std::string held_;     // client commands waiting for the handshake
  std::string out_;      // bytes to write in the next flush
  std::string writing_;  // bytes of the write in flight
  bool writing_now_ = false;
  bool flush_scheduled_ = false;

  std::string in_;  // received bytes; [in_begin_, in_end_) not yet consumed
  size_t in_begin_ = 0;
  size_t in_end_ = 0;
  resp::ReplyParser parser_{resp::ReplyProtocol::kResp2Only};
};

}  // namespace resplit::backend
